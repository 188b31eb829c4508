#!/usr/bin/env bash
# Side-by-side load comparison (see cmd/compare): builds the compare command,
# installs wrk from Debian when it is missing, and runs it; arguments go to
# compare (for example: bench/run.sh -rounds 4 -duration 5s -held 10000).
# Needs two cores: the servers run on core 1, wrk on core 0.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v wrk >/dev/null; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/compare" ./cmd/compare
"$tmp/compare" "$@"
