#!/usr/bin/env bash
# What the library costs a program, measured as a user would build it: a
# plain net/http hello server, and a handler-only program
# (oaicompat.NewHandler + middleware.RequestID), each in a module of its
# own outside the repository that gets the root from a file proxy of this
# tree (conformance/cmd/modproxy). Prints, for each, the stripped binary
# size, the modules linked in (go version -m) and the module graph
# (go mod graph lines).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
cache=$(go env GOMODCACHE)
upstream=$(go env GOPROXY)
go run ./conformance/cmd/modproxy -root "$repo" -version v0.1.0 -out "$tmp/proxy"
export GOWORK=off GOFLAGS="-mod=mod -modcacherw" GONOSUMDB=github.com/oaicompat GOMODCACHE="$tmp/cache" \
	GOPROXY="file://$tmp/proxy,file://$cache/cache/download,$upstream"

program() { # name, main.go text
	mkdir -p "$tmp/$1"
	printf 'module example.com/%s\n\ngo 1.25.0\n' "$1" >"$tmp/$1/go.mod"
	printf '%s\n' "$2" >"$tmp/$1/main.go"
	(cd "$tmp/$1" && go mod tidy >/dev/null 2>&1 && go build -trimpath -ldflags=-s -o "$tmp/$1.bin" .)
	local size mods graph
	size=$(stat -c %s "$tmp/$1.bin")
	mods=$(go version -m "$tmp/$1.bin" | grep -c $'^\tdep\t' || true)
	graph=$(cd "$tmp/$1" && go mod graph | wc -l)
	printf '| %s | %s KiB | %s | %s |\n' "$1" "$((size / 1024))" "$mods" "$graph"
}

echo "| program | binary (stripped) | modules linked | module graph (edges) |"
echo "|---|---|---|---|"
program nethttp 'package main

import (
	"log"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("hello")) })
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", nil))
}'
program handler 'package main

import (
	"context"
	"log"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

func main() {
	backend := oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("You said: " + req.LastUserMessage())
	})
	srv := oaicompat.NewServer("127.0.0.1:8080", middleware.RequestID()(oaicompat.NewHandler(backend)))
	log.Fatal(srv.ListenAndServe())
}'
