#!/usr/bin/env bash
# The whole test suite: every package of every module in go.work, with the
# race detector. Packages report as they finish, the slowest (the root
# package) last, so the run shows its progress. Tests that need node (with
# `cd nodetest && npm ci`), redis-server or curl fail naming what is missing;
# OAICOMPAT_SKIP_MISSING=1 skips them instead (see internal/testenv), and the
# report lists each skipped test with its reason.
# Extra arguments go to go test (e.g. -run, -count=1, -v).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
root=github.com/oaicompat/oaicompat
pkgs=$(go list work | grep -vx "$root")
# testreport prints a line per package as it finishes, every skipped test
# with its reason, and the whole output of what failed.
report=$(mktemp -d)/testreport
trap 'rm -rf "$(dirname "$report")"' EXIT
go build -o "$report" ./internal/cmd/testreport
go test -json -race "$@" $pkgs "$root" | "$report"
echo "all tests passed in $((SECONDS - start)) s"
