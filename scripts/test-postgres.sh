#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the tests (Debian's `postgresql` package, which
# scripts/install-deps.sh installs; this script installs nothing).
#
#   scripts/test-postgres.sh start        initdb and start a server on 127.0.0.1, a free port,
#                                          its own socket folder under /tmp, a generated password;
#                                          writes the environment to .build/test-postgres.env
#   scripts/test-postgres.sh env          prints that environment (for `eval`)
#   scripts/test-postgres.sh restart      restarts it with the same settings (a database restart
#                                          under the services, for tests)
#   scripts/test-postgres.sh stop         stops the server and removes its folder
#   scripts/test-postgres.sh run CMD...   start, run CMD with the environment, stop (also when
#                                          CMD fails or is interrupted); exits with CMD's status.
#                                          A server this checkout already runs is used and kept.
#
# The environment: WECOM_TEST_PG_URL (postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres),
# WECOM_TEST_PG_DIR (the server's folder: data/, log) and WECOM_TEST_PG_BIN. Tests that need the
# server read WECOM_TEST_PG_URL and fail without it. initdb refuses to run as root, so as root the
# server runs as the `postgres` user. fsync is off: durability is not what the tests check.
#
# For a second server beside that one (the multi-host tests run one in a network namespace):
#   WECOM_TEST_PG_ENV_FILE  where start writes the environment and the other commands read it
#                           (default .build/test-postgres.env)
#   WECOM_TEST_PG_LISTEN    the address to listen on and to name in the URL (default 127.0.0.1)
#   WECOM_TEST_PG_HBA       an address range (CIDR) that may also connect with the password
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${WECOM_TEST_PG_BIN:-/usr/lib/postgresql/15/bin}
ENV_FILE=${WECOM_TEST_PG_ENV_FILE:-.build/test-postgres.env}
LISTEN=${WECOM_TEST_PG_LISTEN:-127.0.0.1}
HBA=${WECOM_TEST_PG_HBA:-}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Runs "$@" without the descriptors this script was given beyond stdin, stdout and stderr: the
# server pg_ctl starts outlives the script and would keep its caller's pipes, sockets and locks
# open, so a caller that waits for them to close (as Swift's Foundation.Process does to see a
# child exit) would wait until the server stops, and a server left behind by a killed run would
# hold `flock /tmp/wecom-test.lock` for ever.
without_inherited_fds() (
    for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    "$@"
)

# True when the environment file names a server that is running.
running() {
    [ -f "$ENV_FILE" ] || return 1
    local dir
    dir=$(sed -n 's/^WECOM_TEST_PG_DIR=//p' "$ENV_FILE")
    [ -n "$dir" ] && as_owner "$BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

start() {
    if running; then
        echo "a test server is already running (scripts/test-postgres.sh stop removes it): $ENV_FILE" >&2
        exit 1
    fi
    stop  # what a killed run left behind
    [ -x "$BIN/initdb" ] || { echo "no PostgreSQL 15 in $BIN: run scripts/install-deps.sh" >&2; exit 1; }
    local dir password port
    dir=$(mktemp -d /tmp/wecom-test-pg.XXXXXX)
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$password" >"$dir/password"
    if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; fi
    chmod 700 "$dir"
    as_owner "$BIN/initdb" -D "$dir/data" -U postgres --auth=scram-sha-256 --pwfile="$dir/password" \
        --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
    rm -f "$dir/password"
    if [ -n "$HBA" ]; then
        printf 'host all all %s scram-sha-256\n' "$HBA" >>"$dir/data/pg_hba.conf"
    fi
    # A port nobody listens on; pg_ctl fails if another process takes it first, so try a few.
    for _ in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/$LISTEN/$port") 2>/dev/null && continue
        local options="-p $port -c listen_addresses=$LISTEN -c unix_socket_directories=$dir -c fsync=off"
        options+=" -c max_connections=300"
        if without_inherited_fds as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 start \
            -o "$options" >/dev/null; then
            printf '%s\n' "$options" >"$dir/options"
            mkdir -p "$(dirname "$ENV_FILE")"
            umask 077
            cat >"$ENV_FILE" <<EOF
WECOM_TEST_PG_URL=postgresql://postgres:$password@$LISTEN:$port/postgres
WECOM_TEST_PG_DIR=$dir
WECOM_TEST_PG_BIN=$BIN
EOF
            echo "test PostgreSQL on $LISTEN:$port ($dir)" >&2
            return 0
        fi
    done
    cat "$dir/log" >&2 || true
    rm -rf "$dir"
    echo "could not start a test PostgreSQL" >&2
    exit 1
}

# pg_ctl restart without -o would drop the port and socket folder: pass them again.
restart() {
    local dir
    dir=$(sed -n 's/^WECOM_TEST_PG_DIR=//p' "$ENV_FILE")
    without_inherited_fds as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -m fast -w -t 30 restart \
        -o "$(cat "$dir/options")" >/dev/null
}

stop() {
    [ -f "$ENV_FILE" ] || return 0
    local dir
    dir=$(sed -n 's/^WECOM_TEST_PG_DIR=//p' "$ENV_FILE")
    if [ -n "$dir" ] && [ -d "$dir/data" ]; then
        as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    case "$dir" in /tmp/wecom-test-pg.*) rm -rf "$dir" ;; esac
    rm -f "$ENV_FILE"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
restart) restart ;;
env) sed 's/^/export /' "$ENV_FILE" ;;
run)
    shift
    if ! running; then
        start
        trap stop EXIT INT TERM
    fi
    set -a
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    set +a
    status=0
    "$@" || status=$?
    exit $status
    ;;
*)
    echo "usage: $0 start|stop|restart|env|run CMD..." >&2
    exit 2
    ;;
esac
