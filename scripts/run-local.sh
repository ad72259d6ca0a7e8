#!/usr/bin/env bash
# Placeholder until the deploy issue: starts the responder on a local socket.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
exec .build/release/wecom-fcgi --help
