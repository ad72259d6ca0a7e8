#!/usr/bin/env bash
# Formats bench/run.sh's measurements as bench/results.md (on stdout).
# usage: report.sh RESULTS.tsv RSS.tsv WORKER.md DURATION CONNECTIONS THREADS RATE LOG_LEVEL
set -euo pipefail
results=$1 rss=$2 worker=$3 duration=$4 connections=$5 threads=$6 rate=$7 log_level=$8

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
  (the threads of a process group-commit their new messages), \`WECOM_LOG_LEVEL=$log_level\` (one log line per request to a file), a fresh SQLite
  database per round with 2,000 open streams of about 1 KB each. Requests are pre-signed and encrypted
  (\`wecom-bench requests\`); every new message has a unique msgid (a dedupe insert, a stream and a job).
- Ratios are against reference B with the same number of processes, measured in the same run. CPU µs/request:
  utime + stime of the serving processes (/proc/PID/stat) over the run ÷ requests (for A: nginx's).

## Responder: flat out

| processes | path | requests/s | vs B | p50 | p99 | max | non-2xx | CPU µs/request |
|---:|---|---:|---:|---:|---:|---:|---:|---:|
HEAD
awk -F'\t' '
    $3 == "-" && $2 ~ /^B:/ { b[$1] = $4 }
    $3 == "-" { rows[++n] = $0 }
    END {
        for (i = 1; i <= n; i++) {
            split(rows[i], f, "\t")
            ratio = (f[2] ~ /^[345]:/ && b[f[1]] > 0) ? sprintf("%.0f %%", 100 * f[4] / b[f[1]]) : ""
            printf "| %s | %s | %s | %s | %.2f ms | %.2f ms | %.1f ms | %s | %s |\n", (f[1] == 0 ? "–" : f[1]), f[2], f[4], ratio, f[5], f[6], f[7], f[8], f[10]
        }
    }' "$results"

cat <<MID

## Responder: paced at $rate requests/s

| processes | path | achieved requests/s | p50 | p99 | max | non-2xx |
|---:|---|---:|---:|---:|---:|---:|
MID
awk -F'\t' '$3 != "-" { printf "| %s | %s | %s | %.2f ms | %.2f ms | %.1f ms | %s |\n", $1, $2, $4, $5, $6, $7, $8 }' "$results"

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
awk -F'\t' -v rate="$rate" '
    $3 == "-" && $2 ~ /^B:/ { b[$1] = $4 }
    $3 == "-" && $2 ~ /^3:/ { refresh[$1] = $4 }
    $3 == "-" && $2 ~ /^4:/ { message[$1] = $4 }
    $3 != "-" && $2 ~ /^[345]:/ { p99[$1] = (p99[$1] > $6 ? p99[$1] : $6); achieved[$1] = achieved[$1] " " $4 }
    function verdict(ok) { return ok ? "**met**" : "**missed**" }
    END {
        for (p in b) procs[++n] = p
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (procs[j] + 0 < procs[i] + 0) { t = procs[i]; procs[i] = procs[j]; procs[j] = t }
        for (i = 1; i <= n; i++) {
            p = procs[i]
            printf "- %s process(es): refresh ≥ 70 %% of B: %s (%.0f %%); new messages ≥ 40 %% of B: %s (%.0f %%); p99 < 5 ms at %s requests/s: %s (worst path %.2f ms)\n",
                p, verdict(refresh[p] >= 0.7 * b[p]), 100 * refresh[p] / b[p], verdict(message[p] >= 0.4 * b[p]), 100 * message[p] / b[p],
                rate, verdict(p99[p] < 5), p99[p]
        }
    }' "$results"
echo
cat "$worker"
