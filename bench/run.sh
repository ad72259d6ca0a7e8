#!/usr/bin/env bash
# make bench: wecom-fcgi through a real nginx against two references measured in the same run
# (A: nginx answers itself; B: a minimal C libfcgi responder), with 1, 2 and 4 processes, on a copy
# of a database that already holds days of answered messages, with a wecom-worker draining the queue;
# the same rounds on the PostgreSQL backend with 2 processes, beside SQLite's; then instructions
# (callgrind) and system calls (strace) per request of each path beside B's, and the worker figures
# (wecom-bench worker), on both backends, and the long-connection figures (wecom-bench ws: wecom-ws relay
# latency, 100 bots and 1,000 streams in one process, on SQLite and, with BENCH_PG, on PostgreSQL), and
# wecom-fcgi with metrics on and off.
# Writes bench/results.md. Never fails on timing.
# Knobs: BENCH_DURATION (seconds per wrk run, default 10), BENCH_CONNECTIONS (16),
# BENCH_THREADS (wrk threads, 1), BENCH_PROCESSES ("1 2 4"), BENCH_RATE (2000),
# BENCH_LOG_LEVEL (wecom-fcgi's WECOM_LOG_LEVEL, info), BENCH_WORKER_STREAMS ("100 500 1000"),
# BENCH_WORKER_CONCURRENCY (1000), BENCH_WORKER_STARTS (200: messages timed for the job-start figures), BENCH_FCGI_THREADS (wecom-fcgi --threads; unset: the service's default),
# BENCH_OUT (bench/results.md), BENCH_KEEP=1 (keep the scratch folder with every log),
# BENCH_ROUNDS (3: flat-out rounds of new messages, B, refresh, verification, interleaved; the report
# takes medians), BENCH_WORKER=0 (skip the worker figures, for quick comparisons while developing),
# BENCH_BACKLOG (1000000 answered messages in the database before the runs; 0 for quick runs),
# BENCH_BACKLOG_DAYS (7: the days they span), BENCH_SEED (1: the messages' contents),
# BENCH_DRAIN (1: a wecom-worker with the built-in echo agent drains the queue during the responder runs),
# BENCH_DRAIN_CONCURRENCY (64: its --concurrency), BENCH_COUNTED (1: the callgrind and strace counts),
# BENCH_CALLGRIND_REQUESTS (200) and BENCH_STRACE_REQUESTS (500): N of the counted runs (N and 3N requests),
# BENCH_COUNTED_RATE (50: requests/s of wecom-fcgi's counted runs),
# BENCH_FCGI_ARGS (added to every wecom-fcgi command line, the metrics section's pair's too),
# BENCH_FCGI=PATH, BENCH_WORKER_BIN=PATH (measure these wecom-fcgi / wecom-worker binaries, e.g. another
# commit's release build, instead of this checkout's),
# BENCH_PG (1: the PostgreSQL backend too, on a server of the run's own with fsync and synchronous_commit
# on; 0: SQLite only), BENCH_PG_PROCESSES (2: the process count whose rounds PostgreSQL joins),
# BENCH_PG_SHARED_BUFFERS (1GB), BENCH_PG_BIN (/usr/lib/postgresql/15/bin),
# BENCH_WS (1; 0 skips the long-connection figures), BENCH_WS_BOTS (100), BENCH_WS_STREAMS (1000),
# BENCH_WS_WORKERS (2) and BENCH_WS_CONCURRENCY (500: the wecom-worker processes of the scale run and their
# --concurrency), BENCH_WS_BIN=PATH (another wecom-ws binary),
# BENCH_METRICS (1: wecom-fcgi with --metrics, scraped every second, against the same without, interleaved
# rounds on SQLite, and counted runs of both; 0 skips them), BENCH_METRICS_PROCESSES (2: their --processes).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-1}
PROCESSES=${BENCH_PROCESSES:-1 2 4}
RATE=${BENCH_RATE:-2000}
LOG_LEVEL=${BENCH_LOG_LEVEL:-info}
FCGI_THREADS=${BENCH_FCGI_THREADS:-}
FCGI_ARGS=${BENCH_FCGI_ARGS:-}
WORKER_STREAMS=${BENCH_WORKER_STREAMS:-100 500 1000}
WORKER_CONCURRENCY=${BENCH_WORKER_CONCURRENCY:-1000}
WORKER_STARTS=${BENCH_WORKER_STARTS:-200}
OUT=${BENCH_OUT:-bench/results.md}
ROUNDS=${BENCH_ROUNDS:-3}
BACKLOG=${BENCH_BACKLOG:-1000000}
BACKLOG_DAYS=${BENCH_BACKLOG_DAYS:-7}
SEED=${BENCH_SEED:-1}
DRAIN=${BENCH_DRAIN:-1}
DRAIN_CONCURRENCY=${BENCH_DRAIN_CONCURRENCY:-64}
COUNTED=${BENCH_COUNTED:-1}
CALLGRIND_N=${BENCH_CALLGRIND_REQUESTS:-200}
STRACE_N=${BENCH_STRACE_REQUESTS:-500}
COUNTED_RATE=${BENCH_COUNTED_RATE:-50}
PG=${BENCH_PG:-1}
PG_PROCESSES=${BENCH_PG_PROCESSES:-2}
PG_SHARED_BUFFERS=${BENCH_PG_SHARED_BUFFERS:-1GB}
PG_BIN=${BENCH_PG_BIN:-/usr/lib/postgresql/15/bin}
WS=${BENCH_WS:-1}
WS_BOTS=${BENCH_WS_BOTS:-100}
WS_STREAMS=${BENCH_WS_STREAMS:-1000}
WS_WORKERS=${BENCH_WS_WORKERS:-2}
WS_CONCURRENCY=${BENCH_WS_CONCURRENCY:-500}
METRICS=${BENCH_METRICS:-1}
METRICS_PROCESSES=${BENCH_METRICS_PROCESSES:-2}
TOKEN=benchToken2026
KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8   # protocol doc test key; fine for a benchmark

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# Benchmark-only tools, installed here rather than by make deps.
tools=(wrk); [ "$COUNTED" = 1 ] && tools+=(valgrind strace); [ "$METRICS" = 1 ] && tools+=(curl)
for tool in "${tools[@]}"; do
    if ! command -v "$tool" >/dev/null; then
        SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
        $SUDO apt-get install -y -qq "$tool"
    fi
done
for tool in nginx cc sqlite3; do command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make deps)" >&2; exit 1; }; done
if [ "$PG" = 1 ] && { [ ! -x "$PG_BIN/initdb" ] || ! command -v psql >/dev/null; }; then
    echo "bench: PostgreSQL 15 is missing (make deps), or BENCH_PG=0" >&2; exit 1
fi
if [ "$PG" = 1 ] && [[ " $PROCESSES " != *" $PG_PROCESSES "* ]]; then
    echo "bench: BENCH_PG_PROCESSES=$PG_PROCESSES is not in BENCH_PROCESSES: no PostgreSQL rounds" >&2
fi

echo "bench: building release binaries" >&2
for product in wecom-fcgi wecom-worker wecom-ws wecom-bench; do swift build -c release --product "$product" >&2; done
BIN=$(swift build -c release --show-bin-path)
FCGI_BIN=${BENCH_FCGI:-$BIN/wecom-fcgi}
WORKER_BIN=${BENCH_WORKER_BIN:-$BIN/wecom-worker}
WS_BIN=${BENCH_WS_BIN:-$BIN/wecom-ws}

WORK=$(mktemp -d /tmp/wb-bench.XXXXXX)   # short: unix socket paths are limited to 107 bytes
PIDS=()
PG_DIR=""
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; kill -CONT "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ -n "$PG_DIR" ]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $PG_DIR" >&2; else rm -rf "$PG_DIR"; fi
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"   # 1,000 answers need ~4,000 fds
cc -O2 -o "$WORK/ref-fcgi" bench/ref-fcgi.c -lfcgi

# stop PID: SIGTERM, also to a process paused with SIGSTOP (below), and wait for it.
stop() { kill "$1" 2>/dev/null || true; kill -CONT "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# wait_for_file PATH [SECONDS]
wait_for_file() { for _ in $(seq $((${2:-10} * 20))); do [ -e "$1" ] && return 0; sleep 0.05; done; echo "bench: $1 never appeared" >&2; exit 1; }
free_port() {
    local port
    while port=$(shuf -i 20000-60000 -n 1); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}
family() { echo "$1" $(pgrep -P "$1" || true); }              # a master and its children
cpu_ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
# fresh_db DIR: DIR/bot.sqlite3, a copy of the template, on disk before anything is timed.
fresh_db() { rm -rf "$1"; mkdir -p "$1"; cp "$WORK/template.sqlite3" "$1/bot.sqlite3"; sync; }
# exec_service STORE COMMAND...: becomes COMMAND, with the services' environment for STORE: a SQLite
# file, or pg:SCHEMA on the run's PostgreSQL (in a background job only, so that $! is COMMAND's
# process id).
exec_service() {
    local store=$1; shift
    local backend=(WECOM_DB_PATH="$store")
    [[ $store == pg:* ]] && backend=(WECOM_DATABASE_URL="$PG_URL" WECOM_PG_SCHEMA="${store#pg:}")
    exec env "${backend[@]}" WECOM_TOKEN="$TOKEN" WECOM_ENCODING_AES_KEY="$KEY" WECOM_ENV_FILE="$WORK/none.env" \
        WECOM_LOG_LEVEL="$LOG_LEVEL" "$@"
}
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }   # initdb refuses root
pg_query() { psql "$PG_URL" -XAtqc "$1"; }
# The PostgreSQL server's CPU ticks: the postmaster with its children that ended (cutime, cstime) and
# those running, but the backends of the draining worker (DRAIN_PIDS), which count as the worker's.
pg_server_ticks() {
    local t p
    t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$PG_POSTMASTER/stat")
    for p in $(pgrep -P "$PG_POSTMASTER"); do
        [[ " $DRAIN_PIDS " == *" $p "* ]] && continue
        t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$t"
}
# The PostgreSQL server's CPU time in ns (schedstat: finer than ticks, for the counted runs): the
# postmaster and its running children.
pg_server_ns() {
    local p
    for p in "$PG_POSTMASTER" $(pgrep -P "$PG_POSTMASTER"); do cat "/proc/$p/schedstat" 2>/dev/null || true; done |
        awk '{ t += $1 } END { printf "%.0f", t }'
}
# pg_drain_pids PID: the draining worker PID and its server backends (its sessions' application name).
pg_drain_pids() { echo "$1" $(pg_query "SELECT pid FROM pg_stat_activity WHERE application_name = 'wecom-bench-drain'"); }

# nginx, one worker, for the whole run; its upstream sockets are ref.sock, fcgi.sock, pg.sock and m.sock.
PORT=$(free_port)
mkdir -p "$WORK/nginx"/{client_body,fastcgi,proxy,uwsgi,scgi}
USER_LINE=""; [ "$(id -u)" = 0 ] && USER_LINE="user root root;"
sed -e "s|@PREFIX@|$WORK/nginx|g" -e "s|@PORT@|$PORT|g" -e "s|@USER@|$USER_LINE|" bench/nginx.conf.template > "$WORK/nginx/nginx.conf"
nginx -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -g 'daemon off;' &
NGINX=$!; PIDS+=("$NGINX")
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done

# PostgreSQL: a server of the run's own on loopback TCP, as durable as production's (fsync and
# synchronous_commit on, the defaults for the WAL and checkpoints); everything else on the machine's
# disk and cores like SQLite. Schema wecom_bot holds the backlog, wecom_worker the worker figures.
PG_URL=""; PG_DESCRIPTION=""
if [ "$PG" = 1 ]; then
    PG_DIR=$(mktemp -d /tmp/wb-pg.XXXXXX)
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$PG_DIR/password"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$PG_DIR"
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=scram-sha-256 --pwfile="$PG_DIR/password" \
        --no-sync -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
    PG_PORT=$(free_port)
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 start -o "-p $PG_PORT \
        -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR -c fsync=on -c synchronous_commit=on \
        -c shared_buffers=$PG_SHARED_BUFFERS" >/dev/null
    PG_URL="postgresql://postgres:$(cat "$PG_DIR/password")@127.0.0.1:$PG_PORT/postgres"
    PG_POSTMASTER=$(head -1 "$PG_DIR/data/postmaster.pid")
    PG_DESCRIPTION="PostgreSQL $(pg_query 'SHOW server_version'), $(pg_query "SELECT string_agg(name || '=' || current_setting(name), ', ') FROM unnest(ARRAY['fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'max_connections']) name")"
    echo "bench: $PG_DESCRIPTION" >&2
fi

echo "bench: the database template (a backlog of $BACKLOG messages${PG_URL:+, in SQLite and PostgreSQL}) and pre-signed requests" >&2
MESSAGES=$((DURATION * 12000 * ROUNDS)); PACED=$((DURATION * RATE + 2000))
# The metrics runs' new messages (two runs a round, and a second of warm-up for each side) come after
# the rounds' ones, new too.
METRICS_MESSAGES=0; [ "$METRICS" = 1 ] && METRICS_MESSAGES=$((2 * DURATION * 12000 * ROUNDS + 2 * 12000))
COUNTED_MESSAGES=0; [ "$COUNTED" = 1 ] && COUNTED_MESSAGES=$((4 * CALLGRIND_N + 4 * STRACE_N))
[ "$COUNTED" = 1 ] && [ "$METRICS" = 1 ] && COUNTED_MESSAGES=$((2 * COUNTED_MESSAGES))
WECOM_DATABASE_URL="$PG_URL" WECOM_PG_SCHEMA=wecom_bot \
"$BIN/wecom-bench" requests --db "$WORK/template.sqlite3" --out "$WORK" --token "$TOKEN" --key "$KEY" \
    --backlog "$BACKLOG" --backlog-days "$BACKLOG_DAYS" --seed "$SEED" ${PG_URL:+--postgres} \
    --messages $((MESSAGES + METRICS_MESSAGES)) --paced-messages "$PACED" --counted-messages "$COUNTED_MESSAGES" 2>"$WORK/requests.log" || { cat "$WORK/requests.log" >&2; exit 1; }
cat "$WORK/requests.log" >&2
BACKLOG_SECONDS=$(sed -n 's/.*built in \([0-9]*\) s.*/\1/p' "$WORK/requests.log")
PG_VACUUM_SECONDS=$(sed -n 's/.*checkpointed in \([0-9]*\) s.*/\1/p' "$WORK/requests.log")
PG_SIZE=""; [ "$PG" = 1 ] && PG_SIZE=$(pg_query "SELECT pg_size_pretty(pg_database_size(current_database()))")
if [ "$METRICS" = 1 ]; then
    # The metrics section's share moves to files of its own (the handler figures read messages.txt whole):
    # metrics-warm-off.txt, metrics-warm-on.txt, then metrics-messages-r00.txt, … a run each.
    bytes=$(head -n "$MESSAGES" "$WORK/messages.txt" | wc -c)
    tail -c +$((bytes + 1)) "$WORK/messages.txt" |
        awk -v out="$WORK/metrics-" '{ print > (out (NR <= 12000 ? "warm-off" : NR <= 24000 ? "warm-on" : "rounds") ".txt") }'
    truncate -s "$bytes" "$WORK/messages.txt"
    split -n "l/$((2 * ROUNDS))" -d -a 2 --additional-suffix=.txt "$WORK/metrics-rounds.txt" "$WORK/metrics-messages-r"
    rm "$WORK/metrics-rounds.txt"
fi
# Each round's new messages are new: messages-r00.txt, messages-r01.txt, … (unique msgids throughout).
split -n "l/$ROUNDS" -d -a 2 --additional-suffix=.txt "$WORK/messages.txt" "$WORK/messages-r"

echo "bench: callback handler alone" >&2
"$BIN/wecom-bench" handler --db "$WORK/template.sqlite3" --requests "$WORK" --token "$TOKEN" --key "$KEY" \
    --count 20000 > "$WORK/handler.md"

# procs, label, rate, rps, p50, p99, max, non2xx, requests, cpu µs/request, round, worker % of a core, backend
# (sqlite, postgres, or metrics-off and metrics-on in METRICS_RESULTS), PostgreSQL server's CPU µs/request,
# cpu µs/request to a tenth (for differences of a few percent)
RESULTS="$WORK/results.tsv"
DRAIN_PIDS=""                 # the draining wecom-worker while one runs (on PostgreSQL: with its server backends)
BACKEND=sqlite                # the store of the wecom-fcgi measured: sqlite, or postgres (served under /pg/);
                              # metrics-off and metrics-on: the metrics section's pair on SQLite (on: under /m/)
# measure PROCS LABEL PATH [REQUESTS_FILE] [RATE] [PID...]: one wrk run; CPU of the PIDs, of the
# draining worker and of the PostgreSQL server; the round is $ROUND (1 unless set).
measure() {
    local procs=$1 label=$2 path=$3 file=$4 rate=$5; shift 5
    local before after drain_before drain_after server_before=0 server_after=0 started out result prefix=""
    [ "$BACKEND" = postgres ] && prefix=/pg
    [ "$BACKEND" = metrics-on ] && prefix=/m
    before=$(cpu_ticks "$@"); drain_before=$(cpu_ticks $DRAIN_PIDS); started=$(date +%s.%N)
    [ "$BACKEND" = postgres ] && server_before=$(pg_server_ticks)
    out=$(PREFIX="$prefix" REQUESTS="$file" RATE="$rate" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" \
        -s bench/requests.lua "http://127.0.0.1:$PORT$prefix$path" -- "$THREADS")
    after=$(cpu_ticks "$@"); drain_after=$(cpu_ticks $DRAIN_PIDS)
    [ "$BACKEND" = postgres ] && server_after=$(pg_server_ticks)
    result=$(grep '^RESULT' <<<"$out")
    if [ -n "$file" ] && [[ $file == *messages* ]] && [ "$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$result")" -gt "$(wc -l < "$file")" ]; then
        echo "bench: warning: $label cycled past the end of $file (later messages were redeliveries)" >&2
    fi
    local shown=""; [ "$BACKEND" = sqlite ] || shown=" (${BACKEND/postgres/PostgreSQL})"
    echo "bench: $procs proc(s) $label$shown ${rate:+@$rate rps }$result" >&2
    awk -v procs="$procs" -v label="$label" -v rate="${rate:--}" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" \
        -v round="${ROUND:-1}" -v drain="${DRAIN_PIDS:+$((drain_after - drain_before))}" \
        -v backend="$BACKEND" -v server=$((server_after - server_before)) \
        -v seconds="$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        requests = v["requests"] > 0 ? v["requests"] : 1
        cpu = (ticks / hz * 1e6) / requests
        worker = drain == "" ? "-" : sprintf("%.0f", drain / hz / seconds * 100)
        server_cpu = backend == "postgres" ? sprintf("%.0f", (server / hz * 1e6) / requests) : "-"
        printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%.1f\n", procs, label, rate, v["rps"], v["p50_ms"],
               v["p99_ms"], v["max_ms"], v["non2xx"], v["requests"], cpu, round, worker, backend, server_cpu, cpu }' <<<"$result" >> "$RESULTS"
}
# polls PROCS RATE PID...: refresh and URL verification, flat out (RATE "") or paced.
polls() {
    local procs=$1 rate=$2; shift 2
    measure "$procs" "3: stream refresh" /wecom/callback/bench "$WORK/refresh.txt" "$rate" "$@"
    measure "$procs" "5: URL verification" /wecom/callback/bench "$WORK/verify.txt" "$rate" "$@"
}
# use_backend sqlite|postgres: measure that backend's wecom-fcgi from now on; only its draining worker
# runs, the other one is paused (SIGSTOP), so that one worker drains during every run as with SQLite alone.
use_backend() {
    BACKEND=$1
    [ "$DRAIN" = 1 ] || return 0
    if [ "$1" = postgres ]; then
        kill -STOP "$DRAIN_PID"; kill -CONT "$PG_DRAIN"; DRAIN_PIDS=$(pg_drain_pids "$PG_DRAIN")
    else
        kill -STOP "$PG_DRAIN"; kill -CONT "$DRAIN_PID"; DRAIN_PIDS=$DRAIN_PID
    fi
}

RSS="$WORK/rss.tsv"     # procs, what, max peak RSS of a serving process (kB), master's (kB)
DRAINED="$WORK/drain.tsv"   # procs, answers the draining worker finished, its CPU seconds, seconds it ran[, postgres]
measure 0 "A: nginx return 200" /ref/a "" "" $(family "$NGINX")
for n in $PROCESSES; do
    # Reference B and wecom-fcgi run side by side (the idle one waits in accept), so that each
    # round measures them back to back: the machine's drift between runs moves both alike.
    rm -f "$WORK/nginx/ref.sock"
    "$WORK/ref-fcgi" "$WORK/nginx/ref.sock" "$n" & REF=$!; PIDS+=("$REF")
    wait_for_file "$WORK/nginx/ref.sock"

    fresh_db "$WORK/db-$n"; db="$WORK/db-$n/bot.sqlite3"; rm -f "$WORK/nginx/fcgi.sock"
    exec_service "$db" "$FCGI_BIN" --socket "unix:$WORK/nginx/fcgi.sock" --processes "$n" \
        ${FCGI_THREADS:+--threads "$FCGI_THREADS"} $FCGI_ARGS --socket-mode 666 2>>"$WORK/wecom-fcgi-$n.log" &
    FCGI=$!; PIDS+=("$FCGI")
    wait_for_file "$WORK/nginx/fcgi.sock"; sleep 0.3
    pids=$(family "$FCGI")
    echo -e "$n\t$(grep -o 'threads=[0-9]*' "$WORK/wecom-fcgi-$n.log" | tail -1 | cut -d= -f2)" >> "$WORK/threads.tsv"
    if [ "$DRAIN" = 1 ]; then
        # As in production, queued jobs are answered while the responders serve: the built-in echo
        # agent streams each answer through the same store writes as a Dify answer, on this machine.
        # Its leases outlast a pause (use_backend).
        exec_service "$db" env -u DIFY_API_BASE_URL -u DIFY_API_KEY WECOM_ECHO_AGENT=1 WECOM_JOB_LEASE=600 "$WORKER_BIN" \
            --concurrency "$DRAIN_CONCURRENCY" 2>>"$WORK/wecom-worker-$n.log" &
        DRAIN_PID=$!; PIDS+=("$DRAIN_PID"); DRAIN_PIDS=$DRAIN_PID; DRAIN_STARTED=$(date +%s)
        wait_for_file "$WORK/db-$n/wake/worker-$DRAIN_PID.sock"
    fi
    PG_HERE=0; [ "$PG" = 1 ] && [ "$n" = "$PG_PROCESSES" ] && PG_HERE=1
    if [ "$PG_HERE" = 1 ]; then
        # The same service on PostgreSQL beside it, with its own draining worker (paused while
        # SQLite's runs go on; use_backend). Its sessions' application name tells its backends.
        rm -f "$WORK/nginx/pg.sock"
        exec_service pg:wecom_bot "$FCGI_BIN" --socket "unix:$WORK/nginx/pg.sock" --processes "$n" \
            ${FCGI_THREADS:+--threads "$FCGI_THREADS"} $FCGI_ARGS --socket-mode 666 2>>"$WORK/wecom-fcgi-pg.log" &
        PG_FCGI=$!; PIDS+=("$PG_FCGI")
        wait_for_file "$WORK/nginx/pg.sock"; sleep 0.3
        pg_pids=$(family "$PG_FCGI")
        if [ "$DRAIN" = 1 ]; then
            exec_service pg:wecom_bot env -u DIFY_API_BASE_URL -u DIFY_API_KEY WECOM_ECHO_AGENT=1 WECOM_JOB_LEASE=600 \
                PGAPPNAME=wecom-bench-drain "$WORKER_BIN" --concurrency "$DRAIN_CONCURRENCY" 2>>"$WORK/wecom-worker-pg.log" &
            PG_DRAIN=$!; PIDS+=("$PG_DRAIN"); PG_DRAIN_STARTED=$(date +%s)
            listening="SELECT 1 FROM pg_stat_activity WHERE application_name = 'wecom-bench-drain' AND query LIKE 'LISTEN %'"
            for _ in $(seq 200); do [ -n "$(pg_query "$listening")" ] && break; sleep 0.05; done
            kill -STOP "$PG_DRAIN"
        fi
        PREFIX=/pg REQUESTS="$WORK/refresh.txt" wrk -t1 -c4 -d1s -s bench/requests.lua "http://127.0.0.1:$PORT/" >/dev/null
    fi
    # Warm-up (not recorded): page cache, statement caches, TLS-free path.
    REQUESTS="$WORK/refresh.txt" wrk -t1 -c4 -d1s -s bench/requests.lua "http://127.0.0.1:$PORT/" >/dev/null
    wrk -t1 -c4 -d1s "http://127.0.0.1:$PORT/ref/b" >/dev/null
    for ROUND in $(seq "$ROUNDS"); do
        export ROUND
        # New messages first: from then on the worker has a queue to drain in every run of the round.
        messages="$WORK/messages-r$(printf %02d $((ROUND - 1))).txt"
        measure "$n" "4: new message" /wecom/callback/bench "$messages" "" $pids
        measure "$n" "B: C libfcgi responder" /ref/b "" "" $(family "$REF")
        polls "$n" "" $pids
        if [ "$PG_HERE" = 1 ]; then
            # The same requests on PostgreSQL (its schema holds the same backlog, so the round's new
            # messages are new there too), against the same round's B.
            use_backend postgres
            measure "$n" "4: new message" /wecom/callback/bench "$messages" "" $pg_pids
            polls "$n" "" $pg_pids
            use_backend sqlite
        fi
    done
    unset ROUND
    echo -e "$n\tref-fcgi\t$(for p in $(family "$REF"); do hwm_kb "$p"; done | sort -n | tail -1)\t-" >> "$RSS"
    stop "$REF"
    polls "$n" "$RATE" $pids
    measure "$n" "4: new message" /wecom/callback/bench "$WORK/paced-messages.txt" "$RATE" $pids
    if [ "$PG_HERE" = 1 ]; then
        use_backend postgres
        polls "$n" "$RATE" $pg_pids
        measure "$n" "4: new message" /wecom/callback/bench "$WORK/paced-messages.txt" "$RATE" $pg_pids
        use_backend sqlite
        echo -e "$n\twecom-fcgi on PostgreSQL\t$(for p in $(pgrep -P "$PG_FCGI"); do hwm_kb "$p"; done | sort -n | tail -1)\t$(hwm_kb "$PG_FCGI")" >> "$RSS"
        if [ "$DRAIN" = 1 ]; then
            ticks=$(cpu_ticks "$PG_DRAIN"); stop "$PG_DRAIN"
            echo -e "$n\t$(grep -c 'job finished' "$WORK/wecom-worker-pg.log" || true)\t$((ticks / $(getconf CLK_TCK)))\t$(($(date +%s) - PG_DRAIN_STARTED))\tpostgres" >> "$DRAINED"
        fi
        stop "$PG_FCGI"
    fi
    children=$(pgrep -P "$FCGI" || true)   # none with --processes 1: the master serves
    if [ -n "$children" ]; then master=$(hwm_kb "$FCGI"); else children=$FCGI; master=-; fi
    echo -e "$n\twecom-fcgi\t$(for p in $children; do hwm_kb "$p"; done | sort -n | tail -1)\t$master" >> "$RSS"
    if [ -n "$DRAIN_PIDS" ]; then
        ticks=$(cpu_ticks "$DRAIN_PID"); stop "$DRAIN_PID"; DRAIN_PIDS=""
        echo -e "$n\t$(grep -c 'job finished' "$WORK/wecom-worker-$n.log" || true)\t$((ticks / $(getconf CLK_TCK)))\t$(($(date +%s) - DRAIN_STARTED))" >> "$DRAINED"
    fi
    stop "$FCGI"
    rm -f "$db"   # a copy of the template: gigabytes with the full backlog
done

# Metrics on and off: two wecom-fcgi side by side on one copy of the database, the same but for
# --metrics, with one draining worker, so that both see the same store, worker and machine. The
# rounds interleave them, new messages off and on, then refresh off and on, the metrics one first in
# even rounds: drift between runs and whatever the run before leaves (a WAL to checkpoint, a queue to
# drain) fall on both sides alike. While the metrics one is measured, a loop scrapes /metrics and
# /healthz every second as Prometheus would; its master answers them, and its CPU counts with the
# serving processes'.
METRICS_RESULTS="$WORK/metrics.tsv"   # as RESULTS; its own file, as the report's other tables read RESULTS whole
SCRAPES="$WORK/scrapes.txt"           # path and HTTP status of each scrape
if [ "$METRICS" = 1 ]; then
    : > "$SCRAPES"
    echo "bench: metrics on and off, $METRICS_PROCESSES processes" >&2
    n=$METRICS_PROCESSES
    fresh_db "$WORK/db-metrics"; db="$WORK/db-metrics/bot.sqlite3"; rm -f "$WORK/nginx/fcgi.sock" "$WORK/nginx/m.sock"
    exec_service "$db" "$FCGI_BIN" --socket "unix:$WORK/nginx/fcgi.sock" --processes "$n" \
        ${FCGI_THREADS:+--threads "$FCGI_THREADS"} $FCGI_ARGS --socket-mode 666 2>>"$WORK/wecom-fcgi-metrics-off.log" &
    FCGI=$!; PIDS+=("$FCGI")
    METRICS_PORT=$(free_port)
    exec_service "$db" "$FCGI_BIN" --socket "unix:$WORK/nginx/m.sock" --processes "$n" \
        ${FCGI_THREADS:+--threads "$FCGI_THREADS"} $FCGI_ARGS --metrics "127.0.0.1:$METRICS_PORT" --socket-mode 666 \
        2>>"$WORK/wecom-fcgi-metrics-on.log" &
    M_FCGI=$!; PIDS+=("$M_FCGI")
    wait_for_file "$WORK/nginx/fcgi.sock"; wait_for_file "$WORK/nginx/m.sock"; sleep 0.3
    pids=$(family "$FCGI"); m_pids=$(family "$M_FCGI")
    if [ "$DRAIN" = 1 ]; then
        exec_service "$db" env -u DIFY_API_BASE_URL -u DIFY_API_KEY WECOM_ECHO_AGENT=1 WECOM_JOB_LEASE=600 "$WORKER_BIN" \
            --concurrency "$DRAIN_CONCURRENCY" 2>>"$WORK/wecom-worker-metrics.log" &
        DRAIN_PID=$!; PIDS+=("$DRAIN_PID"); DRAIN_PIDS=$DRAIN_PID
        wait_for_file "$WORK/db-metrics/wake/worker-$DRAIN_PID.sock"
    fi
    # scrape PORT: GET /metrics and /healthz every second until killed; a failed scrape is a warning.
    scrape() {
        local path code
        while :; do
            for path in metrics healthz; do
                code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/$path" || true)
                echo "$path $code" >> "$SCRAPES"
                [ "$code" = 200 ] || echo "bench: warning: metrics scrape of /$path: HTTP ${code:-000}" >&2
            done
            sleep 1
        done
    }
    # Warm-up (not recorded): new messages and refresh on both, so that the first round alone does not
    # meet a cold WAL and cold caches.
    for side in off on; do
        prefix=""; [ "$side" = on ] && prefix=/m
        for file in "$WORK/metrics-warm-$side.txt" "$WORK/refresh.txt"; do
            PREFIX=$prefix REQUESTS="$file" wrk -t1 -c4 -d1s -s bench/requests.lua "http://127.0.0.1:$PORT/" >/dev/null
        done
    done
    RESULTS_MAIN=$RESULTS; RESULTS=$METRICS_RESULTS
    # measure_side off|on LABEL FILE: LABEL on the wecom-fcgi without metrics, or on the one with them, scraped.
    measure_side() {
        if [ "$1" = off ]; then BACKEND=metrics-off; measure "$n" "$2" /wecom/callback/bench "$3" "" $pids; return; fi
        scrape "$METRICS_PORT" & SCRAPER=$!; PIDS+=("$SCRAPER")
        BACKEND=metrics-on; measure "$n" "$2" /wecom/callback/bench "$3" "" $m_pids
        stop "$SCRAPER"
    }
    for ROUND in $(seq "$ROUNDS"); do
        export ROUND
        sides="off on"; [ $((ROUND % 2)) = 0 ] && sides="on off"
        for side in $sides; do
            slice=$((2 * ROUND - 2)); [ "$side" = on ] && slice=$((slice + 1))
            measure_side "$side" "4: new message" "$WORK/metrics-messages-r$(printf %02d "$slice").txt"
        done
        for side in $sides; do measure_side "$side" "3: stream refresh" "$WORK/refresh.txt"; done
    done
    unset ROUND
    RESULTS=$RESULTS_MAIN; BACKEND=sqlite
    echo "bench: metrics: the scraper's GETs: $(grep -c ' 200$' "$SCRAPES" || true) answered 200, $(grep -vc ' 200$' "$SCRAPES" || true) not" >&2
    if [ -n "$DRAIN_PIDS" ]; then stop "$DRAIN_PID"; DRAIN_PIDS=""; fi
    stop "$M_FCGI"; stop "$FCGI"
    rm -rf "$WORK/db-metrics"
fi

# Per request, counted rather than timed: instructions (callgrind) and system calls (strace -f -c)
# of one serving process (wecom-fcgi --processes 1, or ref-fcgi with 1), behind the same nginx, one
# request at a time (wrk -c1), no worker running. Each path runs N and 3N requests on a fresh start;
# the difference over 2N leaves out start-up, warm-up and stop. wecom-fcgi's requests come at a fixed
# rate whatever the tool's slowdown: its background threads work by the clock (a checkpoint every
# 50 ms copies what the messages since the last one wrote), so their share per request is then that
# of this rate, not of the machine's speed. B has no background work and runs flat out.
# label, instructions/request, system calls/request, the main calls per request, PostgreSQL server's µs/request
COUNTS="$WORK/counted.tsv"
if [ "$COUNTED" = 1 ]; then
    echo "bench: counted runs (callgrind: $CALLGRIND_N and $((3 * CALLGRIND_N)) requests, strace: $STRACE_N and $((3 * STRACE_N)); $COUNTED_RATE/s)" >&2
    fresh_db "$WORK/counted"
    # count_run TOOL PATH_LABEL REQUESTS OUT: one server under TOOL, REQUESTS requests, stopped. PATH_LABEL
    # pg-…: wecom-fcgi on PostgreSQL (the rounds' schema), whose server's CPU time goes to OUT.server-ns;
    # metrics-…: with --metrics (nothing scrapes it), and new messages of its own on the same file.
    count_run() {
        local tool=$1 what=$2 requests=$3 out=$4 socket file="" target=/wecom/callback/bench rate=$COUNTED_RATE server pid
        local store=$WORK/counted/bot.sqlite3 prefix="" server_before slice=""
        socket=$WORK/nginx/fcgi.sock
        if [[ $what == pg-* ]]; then store=pg:wecom_bot; prefix=/pg; socket=$WORK/nginx/pg.sock; fi
        local command=("$FCGI_BIN" --socket "unix:$socket" --processes 1 --socket-mode 666 $FCGI_ARGS)
        if [[ $what == metrics-* ]]; then command+=(--metrics 127.0.0.1:0); slice=metrics-; fi
        case ${what#*-} in
            B) command=("$WORK/ref-fcgi" "$WORK/nginx/ref.sock" 1); socket=$WORK/nginx/ref.sock; target=/ref/b; rate="" ;;
            refresh) file=$WORK/refresh.txt ;;
            verify) file=$WORK/verify.txt ;;
            message) file=$WORK/counted-$slice$tool-$requests.txt ;;
        esac
        rm -f "$socket"
        case $tool in
            callgrind) exec_service "$store" valgrind --tool=callgrind --callgrind-out-file="$out" "${command[@]}" ;;
            strace) exec_service "$store" strace -f -c -o "$out" "${command[@]}" ;;
        esac 2>>"$WORK/counted.log" &
        pid=$!; PIDS+=("$pid")
        wait_for_file "$socket" 120
        [ -n "$prefix" ] && server_before=$(pg_server_ns)
        result=$(PREFIX="$prefix" LIMIT="$requests" RATE="$rate" REQUESTS="$file" wrk -t1 -c1 -d3600s -s bench/requests.lua \
            "http://127.0.0.1:$PORT$prefix$target" -- 1 | grep '^RESULT')
        [ -n "$prefix" ] && echo $(($(pg_server_ns) - server_before)) > "$out.server-ns"
        grep -q ' non2xx=0 socket_errors=0' <<<"$result" || echo "bench: warning: $tool $what: $result" >&2
        if [ -n "$rate" ] && awk -v r="$rate" '{ split($3, kv, "="); exit !(kv[2] < 0.9 * r) }' <<<"$result"; then
            echo "bench: warning: $tool $what fell behind the rate of $rate requests/s: $result" >&2
        fi
        server=$pid; [ "$tool" = strace ] && server=$(pgrep -P "$pid")
        kill "$server"; wait "$pid" 2>/dev/null || true
        # The next start finds no WAL to recover, whatever this run left in it.
        if [ -z "$prefix" ]; then sqlite3 "$WORK/counted/bot.sqlite3" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null; fi
    }
    # The counted runs' new messages: N and 3N unique ones for each tool (and again for metrics-message).
    offset=0; slices=""; [ "$METRICS" = 1 ] && slices=metrics-
    for slice in "" $slices; do
        for tool_n in "callgrind $CALLGRIND_N" "strace $STRACE_N"; do
            read -r tool n <<<"$tool_n"
            for requests in "$n" $((3 * n)); do
                sed -n "$((offset + 1)),$((offset + requests))p" "$WORK/counted-messages.txt" > "$WORK/counted-$slice$tool-$requests.txt"
                offset=$((offset + requests))
            done
        done
    done
    # On PostgreSQL the paths that use the store (verification does not).
    whats="B refresh message verify"; [ "$PG" = 1 ] && whats+=" pg-refresh pg-message"
    [ "$METRICS" = 1 ] && whats+=" metrics-refresh metrics-message"
    for what in $whats; do
        case $what in
            B) label="B: C libfcgi responder" ;; refresh) label="3: stream refresh" ;;
            message) label="4: new message" ;; verify) label="5: URL verification" ;;
            pg-refresh) label="3: stream refresh on PostgreSQL" ;; pg-message) label="4: new message on PostgreSQL" ;;
            metrics-refresh) label="3: stream refresh with metrics" ;; metrics-message) label="4: new message with metrics" ;;
        esac
        for requests in "$CALLGRIND_N" $((3 * CALLGRIND_N)); do count_run callgrind "$what" "$requests" "$WORK/callgrind-$what-$requests.out"; done
        for requests in "$STRACE_N" $((3 * STRACE_N)); do count_run strace "$what" "$requests" "$WORK/strace-$what-$requests.txt"; done
        instructions=$(for requests in "$CALLGRIND_N" $((3 * CALLGRIND_N)); do
            awk '/^(summary|totals):/ { total = $2 } END { print total }' "$WORK/callgrind-$what-$requests.out"; done |
            awk -v n="$CALLGRIND_N" 'NR == 1 { first = $1 } NR == 2 { printf "%.0f", ($1 - first) / (2 * n) }')
        # strace -c: "% time  seconds  usecs/call  calls  [errors]  syscall"; a name's calls per request.
        calls=$(awk -v n="$STRACE_N" '
            FNR == 1 { file++ }
            $1 ~ /^[0-9.]+$/ && NF >= 5 { count[$NF] += (file == 1 ? -1 : 1) * $4 }
            END { for (name in count) printf "%s\t%.2f\n", name, count[name] / (2 * n) }' \
            "$WORK/strace-$what-$STRACE_N.txt" "$WORK/strace-$what-$((3 * STRACE_N)).txt" | sort -t$'\t' -k2,2nr)
        total=$(awk -F'\t' '$1 == "total" { print $2 }' <<<"$calls")
        main=$(awk -F'\t' '$1 != "total" && $2 >= 0.05 && shown < 8 { printf "%s%s %s", (shown++ ? ", " : ""), $1, $2 }' <<<"$calls")
        server_cpu=-; note=""
        if [[ $what == pg-* ]]; then
            server_cpu=$(cat "$WORK/strace-$what-$STRACE_N.txt.server-ns" "$WORK/strace-$what-$((3 * STRACE_N)).txt.server-ns" |
                awk -v n="$STRACE_N" 'NR == 1 { first = $1 } NR == 2 { printf "%.0f", ($1 - first) / (2 * n) / 1000 }')
            note="; PostgreSQL server $server_cpu µs"
        fi
        echo -e "$label\t$instructions\t$total\t$main\t$server_cpu" >> "$COUNTS"
        echo "bench: counted $label: $instructions instructions, $total system calls per request ($main)$note" >&2
    done
    rm -rf "$WORK/counted"
fi

if [ "${BENCH_WORKER:-1}" = 0 ]; then
    echo "(Worker figures skipped: BENCH_WORKER=0.)" > "$WORK/worker.md"
else
    echo "bench: worker figures" >&2
    mkdir -p "$WORK/worker"
    exec_service "$WORK/worker/bot.sqlite3" "$FCGI_BIN" --socket "unix:$WORK/nginx/fcgi.sock" --processes 2 \
        --socket-mode 666 2>>"$WORK/wecom-fcgi-worker.log" &
    FCGI=$!; PIDS+=("$FCGI")
    wait_for_file "$WORK/nginx/fcgi.sock"
    "$BIN/wecom-bench" worker --worker "$WORKER_BIN" --dir "$WORK/worker" --db "$WORK/worker/bot.sqlite3" \
        --url "http://127.0.0.1:$PORT/wecom/callback/bench" --token "$TOKEN" --key "$KEY" \
        --streams $WORKER_STREAMS --concurrency "$WORKER_CONCURRENCY" --starts "$WORKER_STARTS" > "$WORK/worker.md"
    stop "$FCGI"
    if [ "$PG" = 1 ]; then
        # Relay latency and job start on PostgreSQL: an empty schema, as the SQLite figures' file.
        mkdir -p "$WORK/worker-pg"; rm -f "$WORK/nginx/pg.sock"
        exec_service pg:wecom_worker "$FCGI_BIN" --socket "unix:$WORK/nginx/pg.sock" --processes 2 \
            --socket-mode 666 2>>"$WORK/wecom-fcgi-worker-pg.log" &
        FCGI=$!; PIDS+=("$FCGI")
        wait_for_file "$WORK/nginx/pg.sock"
        WECOM_DATABASE_URL="$PG_URL" WECOM_PG_SCHEMA=wecom_worker \
            "$BIN/wecom-bench" worker --postgres --worker "$WORKER_BIN" --dir "$WORK/worker-pg" --starts "$WORKER_STARTS" \
            --url "http://127.0.0.1:$PORT/pg/wecom/callback/bench" --token "$TOKEN" --key "$KEY" > "$WORK/worker-pg.md"
        stop "$FCGI"
    fi
fi

if [ "$WS" = 0 ]; then
    echo "(Long-connection figures skipped: BENCH_WS=0.)" > "$WORK/ws.md"
else
    echo "bench: long-connection figures" >&2
    mkdir -p "$WORK/ws"
    "$BIN/wecom-bench" ws --ws "$WS_BIN" --worker "$WORKER_BIN" --dir "$WORK/ws" --bots "$WS_BOTS" \
        --streams "$WS_STREAMS" --workers "$WS_WORKERS" --concurrency "$WS_CONCURRENCY" > "$WORK/ws.md"
    if [ "$PG" = 1 ]; then
        # The same runs on PostgreSQL, each on an empty schema of its own (wecom_ws_<run>).
        mkdir -p "$WORK/ws-pg"; echo >> "$WORK/ws.md"
        WECOM_DATABASE_URL="$PG_URL" WECOM_PG_SCHEMA=wecom_ws \
            "$BIN/wecom-bench" ws --postgres --ws "$WS_BIN" --worker "$WORKER_BIN" --dir "$WORK/ws-pg" --bots "$WS_BOTS" \
            --streams "$WS_STREAMS" --workers "$WS_WORKERS" --concurrency "$WS_CONCURRENCY" >> "$WORK/ws.md"
    fi
fi

METRICS="$METRICS" METRICS_DRAIN="$DRAIN" METRICS_RESULTS="$METRICS_RESULTS" METRICS_PROCESSES="$METRICS_PROCESSES" SCRAPES="$SCRAPES" \
    THREADS_USED="$WORK/threads.tsv" WS_FIGURES="$WORK/ws.md" HANDLER="$WORK/handler.md" LOAD_BEFORE="$LOAD_BEFORE" ROUNDS="$ROUNDS" \
    BACKLOG="$BACKLOG" BACKLOG_DAYS="$BACKLOG_DAYS" BACKLOG_SECONDS="$BACKLOG_SECONDS" SEED="$SEED" \
    DRAIN_CONCURRENCY="$DRAIN_CONCURRENCY" DRAINED="$DRAINED" COUNTS="$COUNTS" CALLGRIND_N="$CALLGRIND_N" STRACE_N="$STRACE_N" \
    COUNTED_RATE="$COUNTED_RATE" PG_DESCRIPTION="$PG_DESCRIPTION" PG_PROCESSES="$PG_PROCESSES" \
    PG_WORKER="$WORK/worker-pg.md" PG_VACUUM_SECONDS="$PG_VACUUM_SECONDS" PG_SIZE="$PG_SIZE" \
    bench/report.sh "$RESULTS" "$RSS" "$WORK/worker.md" "$DURATION" "$CONNECTIONS" "$THREADS" \
    "$RATE" "$LOG_LEVEL" > "$OUT"
echo "bench: wrote $OUT" >&2
cat "$OUT"
