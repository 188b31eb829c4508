#!/usr/bin/env bash
# Load run on loopback: builds the quickstart demo, serves it on 127.0.0.1,
# drives each endpoint with wrk for a bounded time and prints requests/s,
# latency and non-2xx counts, then stops the server and reports its RSS.
# Needs wrk (apt-get install wrk). Usage: scripts/loadtest.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
conns=${2:-64}
port=18199
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/quickstart" ./examples/quickstart
"$tmp/quickstart" -addr "127.0.0.1:$port" -word-delay 0 >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null && break; sleep 0.1; done

run() { # name path body
	printf 'wrk.method="POST"\nwrk.body=[[%s]]\nwrk.headers["Content-Type"]="application/json"\n' "$3" >"$tmp/$1.lua"
	echo "== $1"
	wrk -t2 -c"$conns" -d"${secs}s" -s "$tmp/$1.lua" "http://127.0.0.1:$port$2" | grep -E "Latency|Requests/sec|Non-2xx"
}
run chat /v1/chat/completions '{"model":"demo-chat","messages":[{"role":"user","content":"What is 2+2?"}]}'
run chat-stream /v1/chat/completions '{"model":"demo-chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"What is 2+2?"}]}'
run responses /v1/responses '{"model":"demo-chat","input":"What is 3*5?","store":false}'
run embeddings-base64 /v1/embeddings '{"model":"demo-embed","input":["hello world","the cat sat on the mat"],"encoding_format":"base64"}'
echo "== server: RSS $(ps -o rss= -p "$pid") KiB, errors logged: $(grep -c ERROR "$tmp/server.log" || true)"
