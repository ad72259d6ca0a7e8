#!/usr/bin/env bash
# `make run`: the whole service on this machine, in the foreground, until Ctrl-C.
#   nginx (own prefix, http://127.0.0.1:15000) → wecom-fcgi (2 processes) → SQLite under var/
#   wecom-worker (4 jobs at once) → Dify, or the built-in echo agent when no Dify is configured.
#   wecom-ws: the long connections of the long-connection bots (WECOM_BOT_ID/WECOM_BOT_SECRET or
#   `wecomctl bots add … --ws-secret`); it idles while there are none.
#   Metrics and health (README 监控) on 127.0.0.1: wecom-fcgi on WECOM_METRICS_PORT (default 9464),
#   wecom-worker on the next port, wecom-ws on the one after; WECOM_METRICS_PORT=off leaves them out.
# Settings come from .env and the environment (README). Overrides for tests and side-by-side
# runs: WECOM_HTTP_PORT, WECOM_RUN_DIR (default var/), WECOM_BIN_DIR (default .build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
port=${WECOM_HTTP_PORT:-15000}
metrics_port=${WECOM_METRICS_PORT:-9464}
run_dir=${WECOM_RUN_DIR:-$root/var}
bin_dir=${WECOM_BIN_DIR:-$root/.build/release}
mkdir -p "$run_dir/nginx" "$run_dir/run"
run_dir=$(cd "$run_dir" && pwd)

for b in wecom-fcgi wecom-worker wecom-ws wecomctl; do
    [ -x "$bin_dir/$b" ] || { echo "run-local: $bin_dir/$b is missing (make release builds it)" >&2; exit 1; }
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

# Read .env the way the services do, so this script knows what is configured.
if [ -f "${WECOM_ENV_FILE:-.env}" ]; then
    set -a; . "${WECOM_ENV_FILE:-.env}"; set +a
fi
export WECOM_DB_PATH=${WECOM_DB_PATH:-$run_dir/wecom-bot.sqlite3}
export WECOM_WAKE_DIR=${WECOM_WAKE_DIR:-$run_dir/run/wake}

# A bot to talk to: the configured default, or a local one generated once and kept (and
# stored as bot "local", so `wecomctl simulate …/local` in another terminal finds its key).
local_bot=""
if [ -z "${WECOM_TOKEN:-}" ]; then
    if [ ! -f "$run_dir/local-bot.env" ]; then
        "$bin_dir/wecomctl" gen-key > "$run_dir/local-bot.env"
        echo "run-local: generated a local bot key in $run_dir/local-bot.env"
    fi
    set -a; . "$run_dir/local-bot.env"; set +a
    local_bot=1
fi
if [ -z "${DIFY_API_BASE_URL:-}" ]; then
    export WECOM_ECHO_AGENT=1
    echo "run-local: DIFY_API_BASE_URL is not set: answering with the built-in echo agent (it streams your text back)"
fi

socket="$run_dir/run/fcgi.sock"
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root root;"
for d in client_body fastcgi proxy uwsgi scgi; do mkdir -p "$run_dir/nginx/$d"; done
sed -e "s|@USER@|$user_line|" -e "s|@PREFIX@|$run_dir/nginx|g" -e "s|@PORT@|$port|" -e "s|@SOCKET@|$socket|" \
    deploy/nginx-local.conf.template > "$run_dir/nginx/nginx.conf"
"$nginx_bin" -t -q -p "$run_dir/nginx" -c "$run_dir/nginx/nginx.conf" -e "$run_dir/nginx/error.log"

pids=()
stop() {
    trap - INT TERM EXIT
    echo "run-local: stopping"
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait || true
}
trap stop INT TERM EXIT

"$bin_dir/wecomctl" init >/dev/null
if [ -n "$local_bot" ]; then
    "$bin_dir/wecomctl" bots add local --token "$WECOM_TOKEN" --aes-key "$WECOM_ENCODING_AES_KEY" >/dev/null
fi
# metrics OFFSET: the --metrics argument of the process OFFSET ports above WECOM_METRICS_PORT.
metrics() { [ "$metrics_port" = off ] || echo "--metrics 127.0.0.1:$((metrics_port + $1))"; }
"$bin_dir/wecom-fcgi" --socket "unix:$socket" --processes 2 --socket-mode 666 $(metrics 0) &
pids+=($!)
"$bin_dir/wecom-worker" --concurrency 4 --grace 5 $(metrics 1) &
pids+=($!)
"$bin_dir/wecom-ws" $(metrics 2) &
pids+=($!)
for _ in $(seq 1 200); do [ -S "$socket" ] && break; sleep 0.05; done
"$nginx_bin" -p "$run_dir/nginx" -c "$run_dir/nginx/nginx.conf" -e "$run_dir/nginx/error.log" -g 'daemon off;' &
pids+=($!)

cat <<EOT
run-local: serving http://127.0.0.1:$port/wecom/callback/<botid>   (database: $WECOM_DB_PATH)
run-local: try it:  WECOM_DB_PATH=$WECOM_DB_PATH $bin_dir/wecomctl simulate http://127.0.0.1:$port/wecom/callback/local --text "你好"
run-local: Ctrl-C stops everything
EOT
if [ "$metrics_port" != off ]; then
    echo "run-local: metrics and health: curl 127.0.0.1:$metrics_port/metrics (wecom-fcgi), :$((metrics_port + 1)) (wecom-worker), :$((metrics_port + 2)) (wecom-ws); /healthz on each"
fi
wait -n "${pids[@]}" || true
