#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
/* OpenSSL libcrypto: EVP cipher and digest, random bytes, error queue. Nothing here is variadic. */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#endif
