#!/usr/bin/env bash
# Tags every module of the repository at one version, consistently: the
# root as vX.Y.Z, each nested module as <dir>/vX.Y.Z (adapters/echov4/v0.1.0),
# the form the Go module proxy resolves. Dry run by default: it checks that
# the tree is clean and that every nested module requires the others at
# exactly that version, and prints the tags; -tag creates them on HEAD
# (push them with `git push origin --tags`).
#
#	scripts/release.sh v0.1.0         # dry run
#	scripts/release.sh -tag v0.1.0    # create the tags
#
# To release a new version, first set the requirements of the nested
# modules (and the replace lines of go.work and scripts/go125.work) to it,
# run scripts/tidy.sh and commit.
set -euo pipefail
cd "$(dirname "$0")/.."
create=""
if [ "${1:-}" = "-tag" ]; then create=1; shift; fi
version=${1:?usage: scripts/release.sh [-tag] vX.Y.Z}
if ! [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
	echo "release: $version is not a semantic version (vX.Y.Z)"; exit 1
fi
if [ -n "$(git status --porcelain)" ]; then
	echo "release: the work tree has uncommitted changes"; [ -n "$create" ] && exit 1
fi
root=github.com/oaicompat/oaicompat
bad=0
tags=("$version")
for gomod in $(git ls-files '*go.mod' | grep -v '^go.mod$' | grep -v '/testdata/'); do
	dir=$(dirname "$gomod")
	tags+=("$dir/$version")
	# every requirement of one of this repository's modules names $version
	while read -r path ver; do
		if [ "$ver" != "$version" ]; then
			echo "release: $gomod requires $path $ver, not $version"; bad=1
		fi
	done < <(sed -n 's#^[[:space:]]*\(require[[:space:]]\+\)\?\('"$root"'[^[:space:]]*\)[[:space:]]\+\(v[^[:space:]]*\).*#\2 \3#p' "$gomod")
	if grep -q '^replace' "$gomod"; then
		echo "release: $gomod has replace lines, which users would not see"; bad=1
	fi
done
[ "$bad" = 0 ] || exit 1
for tag in "${tags[@]}"; do
	if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
		echo "release: tag $tag exists already"; exit 1
	fi
done
for tag in "${tags[@]}"; do
	if [ -n "$create" ]; then
		git tag -a "$tag" -m "$tag"
		echo "tagged $tag"
	else
		echo "would tag $tag"
	fi
done
[ -n "$create" ] || echo "dry run: scripts/release.sh -tag $version creates these tags on $(git rev-parse --short HEAD)"
