#!/usr/bin/env bash
# The whole test suite: every package of every module in go.work (or of
# the workspace GOWORK names, as CI's Go 1.25 pass does with
# scripts/go125.work), with the race detector. Packages report as they
# finish, the slowest (the root package, then the SDK tests of
# conformance/root) last, so the run shows its progress. Tests that need node (with
# `cd nodetest && npm ci`), redis-server or curl fail naming what is missing;
# OAICOMPAT_SKIP_MISSING=1 skips them instead (see internal/testenv), and the
# report lists each skipped test with its reason.
# Extra arguments go to go test (e.g. -run, -count=1, -v).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
root=github.com/oaicompat/oaicompat
last=("$root" "$root/conformance/root")
all=$(go list work)
pkgs=$(echo "$all" | grep -vx -e "${last[0]}" -e "${last[1]}")
for p in "${last[@]}"; do
	if echo "$all" | grep -qx "$p"; then pkgs+=" $p"; fi
done
# testreport prints a line per package as it finishes, every skipped test
# with its reason, and the whole output of what failed.
report=$(mktemp -d)/testreport
trap 'rm -rf "$(dirname "$report")"' EXIT
go build -o "$report" ./internal/cmd/testreport
go test -json -race "$@" $pkgs | "$report"
echo "all tests passed in $((SECONDS - start)) s"
