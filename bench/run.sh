#!/usr/bin/env bash
# make bench: wecom-fcgi through a real nginx against two references measured in the same run
# (A: nginx answers itself; B: a minimal C libfcgi responder), with 1, 2 and 4 processes,
# then the worker figures (wecom-bench worker). Writes bench/results.md. Never fails on timing.
# Knobs: BENCH_DURATION (seconds per wrk run, default 10), BENCH_CONNECTIONS (16),
# BENCH_THREADS (wrk threads, 1), BENCH_PROCESSES ("1 2 4"), BENCH_RATE (2000),
# BENCH_LOG_LEVEL (wecom-fcgi's WECOM_LOG_LEVEL, info), BENCH_WORKER_STREAMS ("100 500 1000"),
# BENCH_WORKER_CONCURRENCY (1000), BENCH_FCGI_THREADS (wecom-fcgi --threads; unset: the service's default),
# BENCH_OUT (bench/results.md), BENCH_KEEP=1 (keep the scratch folder with every log),
# BENCH_ROUNDS (3: flat-out rounds of B, refresh, verification, new messages, interleaved; the report
# takes medians), BENCH_WORKER=0 (responder rows only, for quick comparisons while developing),
# BENCH_FCGI=PATH (measure this wecom-fcgi binary, e.g. another commit's release build, instead).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-1}
PROCESSES=${BENCH_PROCESSES:-1 2 4}
RATE=${BENCH_RATE:-2000}
LOG_LEVEL=${BENCH_LOG_LEVEL:-info}
FCGI_THREADS=${BENCH_FCGI_THREADS:-}
WORKER_STREAMS=${BENCH_WORKER_STREAMS:-100 500 1000}
WORKER_CONCURRENCY=${BENCH_WORKER_CONCURRENCY:-1000}
OUT=${BENCH_OUT:-bench/results.md}
ROUNDS=${BENCH_ROUNDS:-3}
TOKEN=benchToken2026
KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8   # protocol doc test key; fine for a benchmark

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

if ! command -v wrk >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get install -y -qq wrk
fi
for tool in nginx cc; do command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make deps)" >&2; exit 1; }; done

echo "bench: building release binaries" >&2
for product in wecom-fcgi wecom-worker wecom-bench; do swift build -c release --product "$product" >&2; done
BIN=$(swift build -c release --show-bin-path)
FCGI_BIN=${BENCH_FCGI:-$BIN/wecom-fcgi}

WORK=$(mktemp -d /tmp/wb-bench.XXXXXX)   # short: unix socket paths are limited to 107 bytes
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"   # 1,000 answers need ~4,000 fds
cc -O2 -o "$WORK/ref-fcgi" bench/ref-fcgi.c -lfcgi

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
wait_for_file() { for _ in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.05; done; echo "bench: $1 never appeared" >&2; exit 1; }
free_port() {
    local port
    while port=$(shuf -i 20000-60000 -n 1); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}
family() { echo "$1" $(pgrep -P "$1" || true); }              # a master and its children
cpu_ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# nginx, one worker, for the whole run; its upstream sockets are ref.sock and fcgi.sock.
PORT=$(free_port)
mkdir -p "$WORK/nginx"/{client_body,fastcgi,proxy,uwsgi,scgi}
USER_LINE=""; [ "$(id -u)" = 0 ] && USER_LINE="user root root;"
sed -e "s|@PREFIX@|$WORK/nginx|g" -e "s|@PORT@|$PORT|g" -e "s|@USER@|$USER_LINE|" bench/nginx.conf.template > "$WORK/nginx/nginx.conf"
nginx -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -g 'daemon off;' &
NGINX=$!; PIDS+=("$NGINX")
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done

echo "bench: pre-signing requests" >&2
MESSAGES=$((DURATION * 12000 * ROUNDS)); PACED=$((DURATION * RATE + 2000))
"$BIN/wecom-bench" requests --db "$WORK/template.sqlite3" --out "$WORK" --token "$TOKEN" --key "$KEY" \
    --messages "$MESSAGES" --paced-messages "$PACED"
# Each round's new messages are new: messages-r00.txt, messages-r01.txt, … (unique msgids throughout).
split -n "l/$ROUNDS" -d -a 2 --additional-suffix=.txt "$WORK/messages.txt" "$WORK/messages-r"

echo "bench: callback handler alone" >&2
"$BIN/wecom-bench" handler --db "$WORK/template.sqlite3" --requests "$WORK" --token "$TOKEN" --key "$KEY" \
    --count 20000 > "$WORK/handler.md"

RESULTS="$WORK/results.tsv"   # procs, label, rate, rps, p50, p99, max, non2xx, requests, cpu µs/request, round
# measure PROCS LABEL PATH [REQUESTS_FILE] [RATE] [PID...]: one wrk run; CPU of the PIDs; the round
# is $ROUND (1 unless set).
measure() {
    local procs=$1 label=$2 path=$3 file=$4 rate=$5; shift 5
    local before after out result
    before=$(cpu_ticks "$@")
    out=$(REQUESTS="$file" RATE="$rate" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" \
        -s bench/requests.lua "http://127.0.0.1:$PORT$path" -- "$THREADS")
    after=$(cpu_ticks "$@")
    result=$(grep '^RESULT' <<<"$out")
    if [ -n "$file" ] && [[ $file == *messages* ]] && [ "$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$result")" -gt "$(wc -l < "$file")" ]; then
        echo "bench: warning: $label cycled past the end of $file (later messages were redeliveries)" >&2
    fi
    echo "bench: $procs proc(s) $label ${rate:+@$rate rps }$result" >&2
    awk -v procs="$procs" -v label="$label" -v rate="${rate:--}" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" \
        -v round="${ROUND:-1}" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        cpu = (ticks / hz * 1e6) / (v["requests"] > 0 ? v["requests"] : 1)
        printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\n", procs, label, rate, v["rps"], v["p50_ms"], v["p99_ms"],
               v["max_ms"], v["non2xx"], v["requests"], cpu, round }' <<<"$result" >> "$RESULTS"
}

RSS="$WORK/rss.tsv"   # procs, what, max peak RSS of a serving process (kB), master's (kB)
measure 0 "A: nginx return 200" /ref/a "" "" $(family "$NGINX")
for n in $PROCESSES; do
    # Reference B and wecom-fcgi run side by side (the idle one waits in accept), so that each
    # round measures them back to back: the machine's drift between runs moves both alike.
    rm -f "$WORK/nginx/ref.sock"
    "$WORK/ref-fcgi" "$WORK/nginx/ref.sock" "$n" & REF=$!; PIDS+=("$REF")
    wait_for_file "$WORK/nginx/ref.sock"

    db="$WORK/db-$n/bot.sqlite3"; mkdir -p "$WORK/db-$n"; cp "$WORK/template.sqlite3" "$db"; rm -f "$WORK/nginx/fcgi.sock"
    WECOM_DB_PATH="$db" WECOM_TOKEN="$TOKEN" WECOM_ENCODING_AES_KEY="$KEY" WECOM_ENV_FILE="$WORK/none.env" \
        WECOM_LOG_LEVEL="$LOG_LEVEL" "$FCGI_BIN" --socket "unix:$WORK/nginx/fcgi.sock" --processes "$n" \
        ${FCGI_THREADS:+--threads "$FCGI_THREADS"} --socket-mode 666 2>>"$WORK/wecom-fcgi-$n.log" &
    FCGI=$!; PIDS+=("$FCGI")
    wait_for_file "$WORK/nginx/fcgi.sock"; sleep 0.3
    pids=$(family "$FCGI")
    echo -e "$n\t$(grep -o 'threads=[0-9]*' "$WORK/wecom-fcgi-$n.log" | tail -1 | cut -d= -f2)" >> "$WORK/threads.tsv"
    # Warm-up (not recorded): page cache, statement caches, TLS-free path.
    REQUESTS="$WORK/refresh.txt" wrk -t1 -c4 -d1s -s bench/requests.lua "http://127.0.0.1:$PORT/" >/dev/null
    wrk -t1 -c4 -d1s "http://127.0.0.1:$PORT/ref/b" >/dev/null
    for ROUND in $(seq "$ROUNDS"); do
        export ROUND
        measure "$n" "B: C libfcgi responder" /ref/b "" "" $(family "$REF")
        measure "$n" "3: stream refresh" /wecom/callback/bench "$WORK/refresh.txt" "" $pids
        measure "$n" "5: URL verification" /wecom/callback/bench "$WORK/verify.txt" "" $pids
        measure "$n" "4: new message" /wecom/callback/bench "$WORK/messages-r$(printf %02d $((ROUND - 1))).txt" "" $pids
    done
    unset ROUND
    echo -e "$n\tref-fcgi\t$(for p in $(family "$REF"); do hwm_kb "$p"; done | sort -n | tail -1)\t-" >> "$RSS"
    stop "$REF"
    measure "$n" "3: stream refresh" /wecom/callback/bench "$WORK/refresh.txt" "$RATE" $pids
    measure "$n" "5: URL verification" /wecom/callback/bench "$WORK/verify.txt" "$RATE" $pids
    measure "$n" "4: new message" /wecom/callback/bench "$WORK/paced-messages.txt" "$RATE" $pids
    children=$(pgrep -P "$FCGI" || true)   # none with --processes 1: the master serves
    if [ -n "$children" ]; then master=$(hwm_kb "$FCGI"); else children=$FCGI; master=-; fi
    echo -e "$n\twecom-fcgi\t$(for p in $children; do hwm_kb "$p"; done | sort -n | tail -1)\t$master" >> "$RSS"
    stop "$FCGI"
done

if [ "${BENCH_WORKER:-1}" = 0 ]; then
    echo "(Worker figures skipped: BENCH_WORKER=0.)" > "$WORK/worker.md"
else
    echo "bench: worker figures" >&2
    mkdir -p "$WORK/worker"
    WECOM_DB_PATH="$WORK/worker/bot.sqlite3" WECOM_TOKEN="$TOKEN" WECOM_ENCODING_AES_KEY="$KEY" WECOM_ENV_FILE="$WORK/none.env" \
        WECOM_LOG_LEVEL="$LOG_LEVEL" "$BIN/wecom-fcgi" --socket "unix:$WORK/nginx/fcgi.sock" --processes 2 \
        --socket-mode 666 2>>"$WORK/wecom-fcgi-worker.log" &
    FCGI=$!; PIDS+=("$FCGI")
    wait_for_file "$WORK/nginx/fcgi.sock"
    "$BIN/wecom-bench" worker --worker "$BIN/wecom-worker" --dir "$WORK/worker" --db "$WORK/worker/bot.sqlite3" \
        --url "http://127.0.0.1:$PORT/wecom/callback/bench" --token "$TOKEN" --key "$KEY" \
        --streams $WORKER_STREAMS --concurrency "$WORKER_CONCURRENCY" > "$WORK/worker.md"
    stop "$FCGI"
fi

THREADS_USED="$WORK/threads.tsv" HANDLER="$WORK/handler.md" LOAD_BEFORE="$LOAD_BEFORE" ROUNDS="$ROUNDS" bench/report.sh "$RESULTS" "$RSS" "$WORK/worker.md" "$DURATION" "$CONNECTIONS" "$THREADS" \
    "$RATE" "$LOG_LEVEL" > "$OUT"
echo "bench: wrote $OUT" >&2
cat "$OUT"
