#ifndef CFASTCGI_SHIM_H
#define CFASTCGI_SHIM_H
/* libfcgi: only the thread-safe FCGX_ API (never fcgi_stdio.h, which redefines stdio). */
#include <fcgiapp.h>
#endif
