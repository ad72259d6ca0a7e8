#!/usr/bin/env bash
# The worker capacity figures alone (wecom-bench worker, part (a)): no nginx, no responder.
# Usage: bench/capacity.sh [ANSWERS...]   (default: 100 500 1000). Knobs: BENCH_WORKER_CONCURRENCY (1000),
# BENCH_KEEP=1 (keep the scratch folder with the worker logs).
set -euo pipefail
cd "$(dirname "$0")/.."
STREAMS=${*:-100 500 1000}
CONCURRENCY=${BENCH_WORKER_CONCURRENCY:-1000}
for product in wecom-worker wecom-bench; do swift build -c release --product "$product" >&2; done
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d /tmp/wb-cap.XXXXXX)
cleanup() { if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "capacity: kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
mkdir -p "$WORK/worker"
"$BIN/wecom-bench" worker --capacity-only --worker "$BIN/wecom-worker" --dir "$WORK/worker" --db "$WORK/worker/unused.sqlite3" \
    --url http://127.0.0.1:1/unused --token benchToken2026 --key AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8 \
    --streams $STREAMS --concurrency "$CONCURRENCY"
