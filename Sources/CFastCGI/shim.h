#ifndef CFASTCGI_SHIM_H
#define CFASTCGI_SHIM_H
/* libfcgi: only the thread-safe FCGX_ API (never fcgi_stdio.h, which redefines stdio). */
#include <fcgiapp.h>
#include <sys/prctl.h>
#include <signal.h>

/* prctl is variadic: a pre-fork child asks the kernel for `sig` when its master dies. */
static inline int CFastCGI_set_parent_death_signal(int sig) { return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0); }
#endif
