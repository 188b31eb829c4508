#!/usr/bin/env bash
# go mod tidy in every module of the repository; with -diff, only reports
# the modules that are not tidy (and changes nothing), as CI runs it.
#
# Nested modules require the root and each other at their released
# version (v0.1.0), which go.work serves from this tree. go mod tidy ignores
# go.work, so they are tidied against a file proxy serving this tree's
# modules at that version (conformance/cmd/modproxy, the same zips a user
# would download), with a throw-away module cache; the go.sum lines of this
# repository's own modules are then dropped: the workspace needs none, and
# a user's go.sum gets the published ones.
set -euo pipefail
cd "$(dirname "$0")/.."
check=""
[ "${1:-}" = "-diff" ] && check=1
version=v0.1.0
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
cache=$(go env GOMODCACHE)
upstream=$(go env GOPROXY)
go build -o "$tmp/modproxy" ./conformance/cmd/modproxy

# The modules in dependency order: the root, the libraries, the rest.
libs="adapters/echov4 adapters/echov5 redisstore telemetry"
rest=$(go list -m -f '{{.Dir}}' | sed "s|^$PWD/\?||" | grep -vx -e '' $(printf -- '-e %s ' $libs))

failed=0
tidy() { # dir
	local dir=$1 saved="$tmp/saved/$1"
	if [ -n "$check" ]; then
		mkdir -p "$saved"
		cp "$dir/go.mod" "$saved/"
		[ -f "$dir/go.sum" ] && cp "$dir/go.sum" "$saved/"
	fi
	(cd "$dir" && GOWORK=off GOFLAGS=-modcacherw GONOSUMDB=github.com/oaicompat/oaicompat \
		GOMODCACHE="$tmp/cache" GOPROXY="file://$tmp/proxy,file://$cache/cache/download,$upstream" go mod tidy)
	if [ -f "$dir/go.sum" ]; then
		grep -v '^github.com/oaicompat/oaicompat[ /]' "$dir/go.sum" >"$tmp/go.sum" || true
		cat "$tmp/go.sum" >"$dir/go.sum"
	fi
	if [ -n "$check" ]; then
		for f in go.mod go.sum; do
			if [ -f "$saved/$f" ] || [ -f "$dir/$f" ]; then
				if ! diff -u "$saved/$f" "$dir/$f" 2>/dev/null >"$tmp/diff"; then
					echo "$dir/$f is not tidy:"; cat "$tmp/diff"; failed=1
				fi
			fi
		done
		cp "$saved/go.mod" "$dir/go.mod"
		if [ -f "$saved/go.sum" ]; then cp "$saved/go.sum" "$dir/go.sum"; else rm -f "$dir/go.sum"; fi
	fi
}
proxy() { rm -rf "$tmp/proxy"; "$tmp/modproxy" -root . -version "$version" -out "$tmp/proxy"; }

tidy .
proxy
for dir in $libs; do tidy "$dir"; done
proxy
for dir in $rest; do tidy "$dir"; done
if [ "$failed" = 1 ]; then echo "run scripts/tidy.sh"; exit 1; fi
echo "every module is tidy"
