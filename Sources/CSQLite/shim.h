#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H
#include <sqlite3.h>
/* SQLITE_TRANSIENT is a cast macro that Swift cannot import: bind through these instead (SQLite copies the bytes). */
static inline int CSQLite_bind_text(sqlite3_stmt *s, int i, const char *v, int n) { return sqlite3_bind_text(s, i, v, n, SQLITE_TRANSIENT); }
static inline int CSQLite_bind_blob(sqlite3_stmt *s, int i, const void *v, int n) { return sqlite3_bind_blob(s, i, v, n, SQLITE_TRANSIENT); }
/* sqlite3_config is variadic: no up-front page-cache allocation per connection (Debian builds
   with SQLITE_DEFAULT_PCACHE_INITSZ=20, about 85 KB per connection), for processes that hold
   hundreds of connections. Only valid before SQLite is first used in the process. */
static inline int CSQLite_config_no_pagecache_prealloc(void) { return sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0); }
/* sqlite3_db_config is variadic: SQLITE_DBCONFIG_DEFENSIVE on (1) or off (0) for one connection
   (tests use it to play a build that enables it by default). */
static inline int CSQLite_set_defensive(sqlite3 *db, int on) { return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, on, (int *)0); }
#endif
