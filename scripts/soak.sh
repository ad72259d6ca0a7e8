#!/usr/bin/env bash
# Soak: runs the whole stack (nginx, 2 wecom-fcgi masters × 2 processes, 2 workers, a flaky
# stand-in Dify: error events, 500s, slow and past-deadline streams) for MINUTES (default 10)
# with mixed traffic — messages, redeliveries, refreshes at 1/s per open stream — and a worker
# SIGKILL every KILL_EVERY seconds (default 30). Loopback only. Prints messages in, answers
# finished, lost, duplicated, errors by kind, database size and RSS over time (the report is
# also left in .build/soak-report.txt); exits non-zero if a message was lost or duplicated.
#
#   scripts/soak.sh [MINUTES]        KILL_EVERY=20 scripts/soak.sh 5
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT="${SWIFT:-swift}"
MINUTES="${1:-${SOAK_MINUTES:-10}}"
"$SWIFT" build --build-tests
WECOM_SOAK_MINUTES="$MINUTES" WECOM_SOAK_KILL_EVERY="${KILL_EVERY:-30}" \
    "$SWIFT" test --skip-build --filter SoakTests
