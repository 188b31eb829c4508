#!/usr/bin/env bash
# Regression gate of the micro-benchmarks (see cmd/gate): runs them, prints
# benchstat's comparison with bench/baseline.txt, and fails when allocations
# grew anywhere, or when a benchmark is more than 50% slower (100% with
# -short) than the others (relative to the machine's speed during the run,
# p < 0.05) in two runs in a row.
#
#	bench/gate.sh           full run: -count 10 (about 3 minutes)
#	bench/gate.sh -short    CI: -count 5, short benchtime (about 30 s on 2 cores)
#	bench/gate.sh -update   rewrites bench/baseline.txt (commit it with the change that moved the figures)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$(go env GOPATH)/bin"
count=10 benchtime=200ms margin=0.5 update=0
for arg; do
	case $arg in
	-short) count=5 benchtime=40ms margin=1 ;; # short runs on a shared CI machine are noisier
	-update) update=1 ;;
	*) echo "usage: bench/gate.sh [-short] [-update]" >&2; exit 2 ;;
	esac
done
command -v benchstat >/dev/null || go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

# The benchmarks under the gate: in-memory paths only (loopback runs measure
# the kernel as much as the code).
run() {
	local flags=(-run '^$' -benchmem -count "$count" -benchtime "$benchtime")
	go test "${flags[@]}" -bench '^(BenchmarkDecodeValidate|BenchmarkStreamChunk|BenchmarkResponsesTextDelta|BenchmarkCompletionsTextDelta|BenchmarkEmbeddingEncode|BenchmarkGuard)$' .
	go test "${flags[@]}" -bench '^BenchmarkRoundTrip$/^memory$' .
	go test "${flags[@]}" -bench '^(BenchmarkChain|BenchmarkMemoryStoreTake)$' ./middleware
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$update" = 1 ]; then
	run | tee bench/baseline.txt
	exit 0
fi
run >"$tmp/new1.txt"
benchstat bench/baseline.txt "$tmp/new1.txt" || true
(cd bench && go build -o "$tmp/gate" ./cmd/gate)
echo "== gate"
status=0
"$tmp/gate" -margin "$margin" bench/baseline.txt "$tmp/new1.txt" | tee "$tmp/gate1.txt" || status=$?
case $status in
0) echo "gate: pass"; exit 0 ;;
1) echo "gate: FAIL (allocations grew, or a benchmark is missing)"; exit 1 ;;
esac
echo "== gate: slower benchmarks, running again to confirm"
run >"$tmp/new2.txt"
"$tmp/gate" -margin "$margin" bench/baseline.txt "$tmp/new2.txt" | tee "$tmp/gate2.txt" || true
confirmed=$(comm -12 <(grep '^suspect:' "$tmp/gate1.txt" | sort) <(grep '^suspect:' "$tmp/gate2.txt" | sort))
if [ -n "$confirmed" ]; then
	echo "gate: FAIL (slower in both runs):"
	echo "$confirmed"
	exit 1
fi
echo "gate: pass (the slowdown did not repeat)"
