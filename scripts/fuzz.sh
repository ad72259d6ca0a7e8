#!/usr/bin/env bash
# Fuzzes the callback path (query + body → verify → decrypt → decode → dispatch, against a
# SQLite store) with libFuzzer for SECONDS (default 60, or $FUZZ_SECONDS), starting from the
# seed corpus in Fuzz/corpus. Fails on a crash, a sanitizer report (AddressSanitizer,
# LeakSanitizer) or a timeout; the offending input is left in .build/fuzz/artifacts/.
#
#   scripts/fuzz.sh [SECONDS]
#
# The target is built with `-sanitize=fuzzer,address -D FUZZING` in its own scratch folder
# (.build/fuzz), so the normal debug build is untouched. Inputs found stay in
# .build/fuzz/corpus and are reused by the next run.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN="${1:-${FUZZ_SECONDS:-60}}"
SWIFT="${SWIFT:-swift}"
SCRATCH=.build/fuzz
FLAGS=(-c debug --product FuzzCallback --scratch-path "$SCRATCH"
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING)

echo "fuzz: building FuzzCallback (-sanitize=fuzzer,address)"
build_started=$(date +%s)
# gold warns once per ASan helper symbol ("Cannot export local symbol"); only that is hidden.
if ! "$SWIFT" build "${FLAGS[@]}" > "$SCRATCH.build.log" 2>&1; then
    grep -v "Cannot export local symbol" "$SCRATCH.build.log" | tail -40
    echo "fuzz: build failed" >&2
    exit 1
fi
binary="$("$SWIFT" build "${FLAGS[@]}" --show-bin-path)/FuzzCallback"
echo "fuzz: built in $(( $(date +%s) - build_started )) s"

work="$SCRATCH/corpus"
artifacts="$SCRATCH/artifacts/"
log="$SCRATCH/last-run.log"
mkdir -p "$work" "$artifacts"
before=$(find "$work" -type f | wc -l)
seeds=$(find Fuzz/corpus -type f | wc -l)

echo "fuzz: running for ${SECONDS_TO_RUN} s: $seeds seeds, $before inputs from earlier runs"
status=0
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "$binary" "$work" Fuzz/corpus \
    -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=3072 -max_len=8192 \
    -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$artifacts" > "$log" 2>&1 || status=$?

after=$(find "$work" -type f | wc -l)
grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)" "$log" || true
grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$log" || true
echo "fuzz: working corpus $before → $after inputs ($seeds seeds in Fuzz/corpus)"
if [ "$status" -ne 0 ] || grep -qE "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|SUMMARY: |deadly signal|Fatal error" "$log"; then
    grep -E -A30 "ERROR: |deadly signal|Fatal error" "$log" | head -80
    echo "fuzz: FAILED (exit $status); full log in $log, input in $artifacts" >&2
    exit 1
fi
echo "fuzz: no crash, no leak"
