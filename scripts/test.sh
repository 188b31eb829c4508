#!/usr/bin/env bash
# The whole test suite: every package of every module in go.work (or of
# the workspace GOWORK names, as CI's Go 1.25 pass does with
# scripts/go125.work), with the race detector. Packages report as they
# finish, so the run shows its progress. Tests that need node (with
# `cd nodetest && npm ci`), redis-server or curl fail naming what is missing;
# OAICOMPAT_SKIP_MISSING=1 skips them instead (see internal/testenv), and the
# report lists each skipped test with its reason.
# Extra arguments go to go test (e.g. -run, -count=1, -v).
#
# The build flags are in scripts/test.goflags, exported as GOFLAGS so that
# the `go build` some tests run (examples/relay, conformance/publish) and
# CI's vet and staticcheck compile exactly as the tests do and share their
# build cache. What keeps a first run (empty build cache) within 5 minutes
# on 2 cores: no DWARF or symbol table in objects and binaries nobody debugs (a
# panic still prints its stack); gin without
# its msgpack codec (ugorji/go alone took 30 s to compile with -race); go
# vet apart (`go vet work`, as .ci/run does), not once per package here.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
GOFLAGS="${GOFLAGS:+$GOFLAGS }$(cat scripts/test.goflags)"
export GOFLAGS
root=github.com/oaicompat/oaicompat
all=$(go list work)
# go test builds in the order of its package list. On a cold run the SDKs
# are the longest chain (openai-go's packages compile one after the other
# for 90 s), so the SDK tests come first, the biggest (conformance/root)
# at their head, and that chain starts at once; then redisstore, whose
# go-redis takes 25 s; the rest fills the other core.
first=("$root/conformance/root" "$root/redisstore")
pkgs="$(echo "$all" | grep -x -e "${first[0]}" || true)"
pkgs+=" $(echo "$all" | grep "^$root/conformance/" | grep -vx "${first[0]}" || true)"
pkgs+=" $(echo "$all" | grep -x -e "${first[1]}" || true)"
pkgs+=" $(echo "$all" | grep -v -e "^$root/conformance/" -e "^$root/redisstore\$" || true)"
# testreport prints a line per package as it finishes, every skipped test
# with its reason, and the whole output of what failed.
report=$(mktemp -d)/testreport
trap 'rm -rf "$(dirname "$report")"' EXIT
go build -o "$report" ./internal/cmd/testreport
go test -json -vet=off "$@" $pkgs | "$report"
echo "all tests passed in $((SECONDS - start)) s"
