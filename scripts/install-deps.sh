#!/usr/bin/env bash
# Installs the Debian packages wecom-bot needs to build, test and run, skipping what is there.
set -euo pipefail
# libpq-dev builds the PostgreSQL backend; postgresql (15) is the throwaway server of the tests
# (scripts/test-postgres.sh); iproute2's `ip netns` gives the multi-host tests their hosts;
# faketime (with libfaketime) runs a test worker on a skewed clock; prometheus brings promtool,
# which checks every scrape the tests take.
packages=(libfcgi-dev libssl-dev libcurl4-openssl-dev libsqlite3-dev libpq-dev pkg-config
          nginx-light spawn-fcgi sqlite3 postgresql iproute2 openssl curl wrk faketime prometheus)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nginx-full or nginx-core also provide the nginx binary.
if [[ " ${missing[*]} " == *" nginx-light "* ]] && command -v nginx >/dev/null; then
    missing=("${missing[@]/nginx-light}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if ((${#missing[@]})); then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "installing: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
