// Every module of the package depends on this one (Package.swift adds it), so building for any
// other system stops here, before anything else compiles, with this one message instead of a
// screen of errors from the modules that use Glibc, prctl and Linux socket flags.
#if !os(Linux)
#error("wecom-bot builds for Linux only: it uses Glibc, prctl and libfcgi. Build it on Linux (Debian 12, see the README) or cross-compile with a Linux Swift SDK.")
#endif
