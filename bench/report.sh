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
    echo "  runs, on the same cores (\"worker CPU\": its share of one core during the run; $(awk -F'\t' '{ printf "%s%s process%s%s: %s answers in %s s", (NR > 1 ? "; " : ""), $1, ($1 == 1 ? "" : "es"), ($5 == "postgres" ? " on PostgreSQL" : ""), $2, $4 }' "$DRAINED"))."
else
    echo "- No worker ran during the responder runs (BENCH_DRAIN=0)."
fi)
- Ratios are against reference B with the same number of processes, measured in the same run. CPU µs/request:
  utime + stime of the serving processes (/proc/PID/stat) over the run ÷ requests (for A: nginx's).
$(if [ -n "${PG_DESCRIPTION:-}" ]; then
    echo "- PostgreSQL backend (its own section below): $PG_DESCRIPTION; a server of the run's own on this"
    echo "  machine, reached over loopback TCP; the same backlog and open streams row for row in schema \`wecom_bot\` (built"
    echo "  together with the SQLite template, then \`VACUUM (ANALYZE)\` and \`CHECKPOINT\` in ${PG_VACUUM_SECONDS:-?} s; ${PG_SIZE:-?})."
fi)

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
    $3 == "-" && $13 != "postgres" {
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
awk -F'\t' '$3 != "-" && $13 != "postgres" { printf "| %s | %s | %s | %.2f ms | %.2f ms | %.1f ms | %s | %s |\n", $1, $2, $4, $5, $6, $7, $8, ($12 == "-" ? "–" : $12 " %") }' "$results"

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
        $1 ~ / with metrics$/ { next }   # rows of the metrics section below
        $1 ~ /^B:/ { bi = $2; bs = $3 }
        { row[++rows] = $0 }
        END {
            for (i = 1; i <= rows; i++) {
                split(row[i], f, "\t")
                printf "| %s | %s | %s | %.1f | %s | %s |\n", f[1], thousands(f[2]), (bi > 0 ? sprintf("%.1f ×", f[2] / bi) : ""),
                    f[3], (bs > 0 ? sprintf("%.1f ×", f[3] / bs) : ""), f[4]
                if (f[5] != "" && f[5] != "-") server = server (server == "" ? "" : ", ") sub_label(f[1]) " " f[5] " µs"
            }
            if (server != "") {
                printf "\nThe rows on PostgreSQL count `wecom-fcgi` alone (on the rounds'"'"' schema, after them). The server'"'"'s CPU per request\n"
                printf "beside them (every PostgreSQL process, `/proc/PID/schedstat`, the same difference over the strace runs): %s.\n", server
            }
        }
        function sub_label(label) { sub(/ on PostgreSQL$/, "", label); sub(/^[0-9]: /, "", label); return label }' "$COUNTS"
fi

if [ "${METRICS:-0}" = 1 ] && [ -s "${METRICS_RESULTS:-/dev/null}" ]; then
    counted=0; grep -q ' with metrics' "${COUNTS:-/dev/null}" 2>/dev/null && counted=1
    scrapes=$(awk '{ count[$1]++; if ($2 != 200) failed++ }
        END { printf "%d and %d times, %s", count["metrics"], count["healthz"], (failed ? failed " not answered 200" : "all 200") }' "${SCRAPES:-/dev/null}")
    cat <<METRICS

## Metrics on and off

Two \`wecom-fcgi --processes ${METRICS_PROCESSES:-?}\` side by side on one copy of the database$([ "${METRICS_DRAIN:-1}" = 1 ] && echo ", with one draining worker"): the same
but for \`--metrics\` on one, whose \`/metrics\` and \`/healthz\` curl fetched every second while it was measured, as Prometheus
would ($scrapes). ${ROUNDS:-1} interleaved round(s): new messages off and on, then refresh off and on, "on" first in even
rounds. CPU µs/request as above (the master, which answers the scrapes, with its serving processes); medians over the
rounds; by round: each round's own difference.$([ "$counted" = 1 ] && echo " Instructions/request: the counted runs above, with \`--metrics 127.0.0.1:0\` (not scraped).")

METRICS
    if [ "$counted" = 1 ]; then
        echo "| path | CPU µs/request off | on | difference | by round | requests/s off | on | instructions/request off | on | difference |"
        echo "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|"
    else
        echo "| path | CPU µs/request off | on | difference | by round | requests/s off | on |"
        echo "|---|---:|---:|---:|---|---:|---:|"
    fi
    awk -F'\t' -v counts="${COUNTS:-}" -v counted="$counted" '
        function median(values, count,    i, j, t, sorted) {
            for (i = 1; i <= count; i++) sorted[i] = values[i]
            for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (sorted[j] < sorted[i]) { t = sorted[i]; sorted[i] = sorted[j]; sorted[j] = t }
            return sorted[int((count + 1) / 2)]
        }
        function thousands(n,    s) { s = sprintf("%.0f", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
        BEGIN { if (counted) while ((getline line < counts) > 0) { split(line, f, "\t"); instructions[f[1]] = f[2] } }
        {
            side = $13 == "metrics-on" ? "on" : "off"
            if (!($2 in seen)) { seen[$2] = 1; order[++paths] = $2 }
            if (!(($2, $11) in rounds)) { rounds[$2, $11] = 1; round[$2, ++nrounds[$2]] = $11 }
            cpu[$2, side, $11] = $15 + 0; rps[$2, side, $11] = $4 + 0
        }
        END {
            for (p = 1; p <= paths; p++) {
                path = order[p]; n = 0; list = ""
                for (i = 1; i <= nrounds[path]; i++) {
                    r = round[path, i]
                    if (!((path, "off", r) in cpu) || !((path, "on", r) in cpu)) continue
                    n++; off[n] = cpu[path, "off", r]; on[n] = cpu[path, "on", r]; ro[n] = rps[path, "off", r]; rn[n] = rps[path, "on", r]
                    if (off[n] > 0) list = list (list != "" ? " / " : "") sprintf("%+.1f", 100 * (on[n] - off[n]) / off[n])
                }
                if (n == 0) continue
                a = median(off, n); b = median(on, n)
                printf "| %s | %.1f | %.1f | %s | %s | %s | %s |", path, a, b, (a > 0 ? sprintf("%+.1f %%", 100 * (b - a) / a) : ""),
                    (list != "" ? list " %" : ""), thousands(median(ro, n)), thousands(median(rn, n))
                if (counted) {
                    a = instructions[path]; b = instructions[path " with metrics"]
                    printf " %s | %s | %s |", (a != "" ? thousands(a) : "–"), (b != "" ? thousands(b) : "–"),
                        (a > 0 && b != "" ? sprintf("%+.2f %%", 100 * (b - a) / a) : "")
                }
                printf "\n"
            }
        }' "$METRICS_RESULTS"
elif [ "${METRICS:-0}" != 1 ]; then
    echo
    echo "## Metrics on and off"
    echo
    echo "(Skipped: BENCH_METRICS=0.)"
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
    $3 != "-" && $2 ~ /^[345]:/ && $13 != "postgres" { p99[$1] = (p99[$1] > $6 ? p99[$1] : $6) }
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
if [ -s "${WS_FIGURES:-/dev/null}" ]; then
    echo
    cat "$WS_FIGURES"
fi

if [ -n "${PG_DESCRIPTION:-}" ]; then
    pg_processes=${PG_PROCESSES:-2}
    cat <<PG

## PostgreSQL backend, $pg_processes processes

The same service (\`wecom-fcgi --processes $pg_processes\`, the same threads, one connection per serving thread) on the
PostgreSQL backend: $PG_DESCRIPTION, on the same cores. In each round of $pg_processes processes above, after SQLite's runs, the same
request files go to it: new messages (new in its schema too), refresh and verification, against the same round's B
and SQLite. Its own \`wecom-worker --concurrency ${DRAIN_CONCURRENCY:-?}\` drains its queue meanwhile; SQLite's worker is paused
(SIGSTOP) during these runs and the PostgreSQL one during SQLite's and B's. "PostgreSQL CPU": the server's processes
(utime + stime, with the children that ended) but the draining worker's backends, which are counted in "worker CPU".

| path | requests/s | vs B | vs SQLite | by round: vs B / vs SQLite | p50 | p99 | max | non-2xx | responder CPU µs/request | PostgreSQL CPU µs/request | worker CPU |
|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|
PG
    pg_ratios="$results.pg-ratios"   # path number, median ratio to B (%)
    rm -f "$pg_ratios"
    awk -F'\t' -v procs="$pg_processes" -v ratios="$pg_ratios" '
        function median(values, count,    i, j, t, sorted) {
            for (i = 1; i <= count; i++) sorted[i] = values[i]
            for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (sorted[j] < sorted[i]) { t = sorted[i]; sorted[i] = sorted[j]; sorted[j] = t }
            return sorted[int((count + 1) / 2)]
        }
        $1 == procs && $3 == "-" {
            if ($2 ~ /^B:/) b[$11] = $4 + 0
            else if ($13 == "postgres") {
                key = $2
                if (!(key in runs)) order[++keys] = key
                runs[key]++; row[key, runs[key]] = $0; rps[key, runs[key]] = $4 + 0; round[key, runs[key]] = $11
            } else sqlite[$2, $11] = $4 + 0
        }
        END {
            for (k = 1; k <= keys; k++) {
                key = order[k]; n = runs[key]; mb = 0; ms = 0; list = ""
                for (i = 1; i <= n; i++) r[i] = rps[key, i]
                middle = median(r, n)
                for (i = 1; i <= n; i++) if (rps[key, i] == middle) { pick = i; break }
                for (i = 1; i <= n; i++) {
                    vb = b[round[key, i]] > 0 ? 100 * rps[key, i] / b[round[key, i]] : -1
                    vs = sqlite[key, round[key, i]] > 0 ? 100 * rps[key, i] / sqlite[key, round[key, i]] : -1
                    if (vb >= 0) qb[++mb] = vb
                    if (vs >= 0) qs[++ms] = vs
                    list = list (i > 1 ? " · " : "") (vb >= 0 ? sprintf("%.0f", vb) : "–") " / " (vs >= 0 ? sprintf("%.0f", vs) : "–")
                }
                split(row[key, pick], f, "\t")
                ratio_b = mb > 0 ? sprintf("%.0f %%", median(qb, mb)) : ""
                ratio_s = ms > 0 ? sprintf("%.0f %%", median(qs, ms)) : ""
                if (mb > 0) printf "%s\t%.1f\n", substr(key, 1, 1), median(qb, mb) >> ratios
                printf "| %s | %s | %s | %s | %s %% | %.2f ms | %.2f ms | %.1f ms | %s | %s | %s | %s |\n", f[2], f[4], ratio_b, ratio_s,
                    list, f[5], f[6], f[7], f[8], f[10], f[14], (f[12] == "-" ? "–" : f[12] " %")
            }
        }' "$results"
    cat <<PACED

Paced at $rate requests/s:

| path | achieved requests/s | p50 | p99 | max | non-2xx | responder CPU µs/request | PostgreSQL CPU µs/request | worker CPU |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
PACED
    awk -F'\t' '$3 != "-" && $13 == "postgres" { printf "| %s | %s | %.2f ms | %.2f ms | %.1f ms | %s | %s | %s | %s |\n", $2, $4, $5, $6, $7, $8, $10, $14, ($12 == "-" ? "–" : $12 " %") }' "$results"
    echo
    echo "PostgreSQL targets ($pg_processes processes):"
    echo
    awk -F'\t' '
        function verdict(ok) { return ok ? "**met**" : "**missed**" }
        { ratio[$1] = $2; seen[$1] = 1 }
        END {
            printf "- refresh ≥ 50 %% of B: %s; new messages ≥ 25 %% of B: %s\n",
                (seen["3"] ? verdict(ratio["3"] >= 50) " (" sprintf("%.0f", ratio["3"]) " %)" : "not measured"),
                (seen["4"] ? verdict(ratio["4"] >= 25) " (" sprintf("%.0f", ratio["4"]) " %)" : "not measured")
        }' "${pg_ratios}" 2>/dev/null || echo "- (no PostgreSQL rounds: BENCH_PG_PROCESSES is not among BENCH_PROCESSES)"
    if [ -s "${PG_WORKER:-/dev/null}" ]; then
        echo
        cat "$PG_WORKER"
    fi
fi
