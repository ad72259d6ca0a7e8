#!/usr/bin/env bash
# Formats bench/run.sh's measurements as bench/results.md (on stdout).
# usage: report.sh RESULTS.tsv RSS.tsv WORKER.md DURATION CONNECTIONS THREADS RATE LOG_LEVEL
set -euo pipefail
results=$1 rss=$2 worker=$3 duration=$4 connections=$5 threads=$6 rate=$7 log_level=$8

# 1234567 → 1,234,567
thousands() { sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 't a' <<<"$1"; }

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(free -m | awk '/^Mem:/ {printf "%.1f GiB", $2 / 1024}')
cat <<HEAD
# wecom-bot benchmark results

Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`make bench\` (bench/run.sh).

- Machine: $cpu, $(nproc) cores, $mem RAM, Linux $(uname -r); load average before the run: ${LOAD_BEFORE:-?}
- Software: $(swift --version 2>/dev/null | head -1), $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)
- wrk \`-t$threads -c$connections -d${duration}s\` per run; nginx with one worker; wrk, nginx and the responders share
  all cores. Plain HTTP on loopback, a fresh unix-socket FastCGI connection per request (no keep_conn).
- wecom-fcgi: release build, serving threads per process: $(awk -F'\t' '{ printf "%s%s with %s process%s", (NR > 1 ? ", " : ""), $2, $1, ($1 == 1 ? "" : "es") }' "${THREADS_USED:-/dev/null}")
  (the threads of a process group-commit their new messages), \`WECOM_LOG_LEVEL=$log_level\` (one log line per request, written to a file in batches).
$(if [ "${BACKLOG:-0}" -gt 0 ]; then
    echo "- Database: for each process count a fresh copy of one template holding a backlog of $(thousands "$BACKLOG") answered messages"
    echo "  over ${BACKLOG_DAYS:-?} days (dedupe rows, finished streams with their answers, jobs \`done\` and 2 % \`dead\`, conversations;"
    echo "  built in ${BACKLOG_SECONDS:-?} s) and 2,000 open streams of about 1 KB whose answers another worker is writing."
else
    echo "- Database: for each process count a fresh copy of one template holding no backlog (BENCH_BACKLOG=0), only"
    echo "  2,000 open streams of about 1 KB whose answers another worker is writing."
fi)
- Requests are pre-signed and encrypted (\`wecom-bench requests\`, seed ${SEED:-1}) and shaped like WeCom's: opaque random
  32-hex msgids (every new message a dedupe insert, a stream and a job), 3,000 users, a quarter of the messages in group
  chats, text with some images and voice; refresh polls go to the open streams$([ "${BACKLOG:-0}" -gt 0 ] && echo " and to the 200 newest finished ones").
$(if [ -s "${DRAINED:-/dev/null}" ]; then
    echo "- A \`wecom-worker --concurrency ${DRAIN_CONCURRENCY:-?}\` with the built-in echo agent drains the queue during the responder"
    echo "  runs, on the same cores (\"worker CPU\": its share of one core during the run; $(awk -F'\t' '{ printf "%s%s process%s: %s answers in %s s", (NR > 1 ? "; " : ""), $1, ($1 == 1 ? "" : "es"), $2, $4 }' "$DRAINED"))."
else
    echo "- No worker ran during the responder runs (BENCH_DRAIN=0)."
fi)
- Ratios are against reference B with the same number of processes, measured in the same run. CPU µs/request:
  utime + stime of the serving processes (/proc/PID/stat) over the run ÷ requests (for A: nginx's).

## Responder: flat out

Each row is the median of ${ROUNDS:-1} round(s) by requests/s; a round measures new messages, B, refresh and
verification back to back (new messages first, so that the worker has a queue to drain in every run), and "vs B"
is the median of the rounds' ratios (each against B of the same round).

| processes | path | requests/s | vs B | by round (B: requests/s) | p50 | p99 | max | non-2xx | CPU µs/request | worker CPU |
|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|
HEAD
ratios="$results.ratios"   # procs, path number, median ratio to B (%), for the targets below
rm -f "$ratios"
awk -F'\t' -v ratios="$ratios" '
    function median(values, count,    i, j, t, sorted) {
        for (i = 1; i <= count; i++) sorted[i] = values[i]
        for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (sorted[j] < sorted[i]) { t = sorted[i]; sorted[i] = sorted[j]; sorted[j] = t }
        return sorted[int((count + 1) / 2)]
    }
    $3 == "-" {
        key = $1 SUBSEP $2
        if (!(key in runs)) order[++keys] = key
        runs[key]++; row[key, runs[key]] = $0; rps[key, runs[key]] = $4 + 0; round[key, runs[key]] = $11
        if ($2 ~ /^B:/) b[$1, $11] = $4 + 0
    }
    END {
        for (k = 1; k <= keys; k++) {
            key = order[k]; n = runs[key]
            for (i = 1; i <= n; i++) r[i] = rps[key, i]
            middle = median(r, n)
            for (i = 1; i <= n; i++) if (rps[key, i] == middle) { pick = i; break }
            split(row[key, pick], f, "\t")
            ratio = ""; list = ""; m = 0
            if (f[2] ~ /^B:/ && n > 1) for (i = 1; i <= n; i++) list = list (i > 1 ? " / " : "") rps[key, i] "/s"
            if (f[2] ~ /^[345]:/) {
                for (i = 1; i <= n; i++) if (b[f[1], round[key, i]] > 0) {
                    q[++m] = 100 * rps[key, i] / b[f[1], round[key, i]]
                    list = list (m > 1 ? " / " : "") sprintf("%.0f", q[m])
                }
                if (m > 0) {
                    ratio = sprintf("%.0f %%", median(q, m)); list = list " %"
                    printf "%s\t%s\t%.1f\n", f[1], substr(f[2], 1, 1), median(q, m) >> ratios
                }
            }
            printf "| %s | %s | %s | %s | %s | %.2f ms | %.2f ms | %.1f ms | %s | %s | %s |\n", (f[1] == 0 ? "–" : f[1]), f[2], f[4], ratio, list, f[5], f[6], f[7], f[8], f[10], (f[12] == "-" ? "–" : f[12] " %")
        }
    }' "$results"

cat <<MID

## Responder: paced at $rate requests/s

| processes | path | achieved requests/s | p50 | p99 | max | non-2xx | worker CPU |
|---:|---|---:|---:|---:|---:|---:|---:|
MID
awk -F'\t' '$3 != "-" { printf "| %s | %s | %s | %.2f ms | %.2f ms | %.1f ms | %s | %s |\n", $1, $2, $4, $5, $6, $7, $8, ($12 == "-" ? "–" : $12 " %") }' "$results"

if [ -s "${COUNTS:-/dev/null}" ]; then
    cat <<COUNTED

## Per request, counted: instructions and system calls

Counted, not timed, so they do not move with the machine's speed. One serving process (\`wecom-fcgi --processes 1\`
with its default threads; B: \`ref-fcgi\` with one process) behind the same nginx, one request at a time (\`wrk -c1\`),
on a copy of the backlog database, no worker running; \`wecom-fcgi\`'s requests at ${COUNTED_RATE:-?} per second (its background
checkpoint and log flushes work by the clock, so their share is that of this rate), B's flat out. Each figure is
(count for 3N requests − count for N) ÷ 2N, each run a fresh start, so start-up, warm-up and stop cancel out:
instructions by \`valgrind --tool=callgrind\` (N = ${CALLGRIND_N:-?}; every thread of the process), system calls by
\`strace -f -c\` (N = ${STRACE_N:-?}).

| path | instructions/request | vs B | system calls/request | vs B | main system calls per request |
|---|---:|---:|---:|---:|---|
COUNTED
    awk -F'\t' '
        function thousands(n,    s) { s = sprintf("%.0f", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
        $1 ~ /^B:/ { bi = $2; bs = $3 }
        { row[NR] = $0 }
        END {
            for (i = 1; i <= NR; i++) {
                split(row[i], f, "\t")
                printf "| %s | %s | %s | %.1f | %s | %s |\n", f[1], thousands(f[2]), (bi > 0 ? sprintf("%.1f ×", f[2] / bi) : ""),
                    f[3], (bs > 0 ? sprintf("%.1f ×", f[3] / bs) : ""), f[4]
            }
        }' "$COUNTS"
fi

if [ -n "${HANDLER:-}" ] && [ -s "$HANDLER" ]; then
    echo
    echo "## Callback handler alone (\`wecom-bench handler\`: in-process, no nginx, FastCGI or log line)"
    echo
    cat "$HANDLER"
fi
echo
echo "## Responder: peak RSS per process (VmHWM)"
echo
echo "| processes | program | largest serving process | master |"
echo "|---:|---|---:|---:|"
awk -F'\t' '{ printf "| %s | %s | %.1f MB | %s |\n", $1, $2, $3 / 1024, ($4 == "-" ? "–" : sprintf("%.1f MB", $4 / 1024)) }' "$rss"

echo
echo "Responder targets:"
echo
awk -F'\t' -v rate="$rate" -v ratios="$ratios" '
    BEGIN { while ((getline line < ratios) > 0) { split(line, f, "\t"); ratio[f[1], f[2]] = f[3]; procs[f[1]] = 1 } }
    $3 != "-" && $2 ~ /^[345]:/ { p99[$1] = (p99[$1] > $6 ? p99[$1] : $6) }
    function verdict(ok) { return ok ? "**met**" : "**missed**" }
    END {
        for (p in procs) list[++n] = p
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (list[j] + 0 < list[i] + 0) { t = list[i]; list[i] = list[j]; list[j] = t }
        for (i = 1; i <= n; i++) {
            p = list[i]
            printf "- %s process(es): refresh ≥ 70 %% of B: %s (%.0f %%); new messages ≥ 40 %% of B: %s (%.0f %%); p99 < 5 ms at %s requests/s: %s (worst path %.2f ms)\n",
                p, verdict(ratio[p, "3"] >= 70), ratio[p, "3"], verdict(ratio[p, "4"] >= 40), ratio[p, "4"],
                rate, verdict(p99[p] < 5), p99[p]
        }
    }' "$results"
echo
cat "$worker"
