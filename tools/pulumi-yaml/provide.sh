#!/usr/bin/env bash
# Provide the Pulumi YAML language host (`pulumi-language-yaml`): link it into the given bin
# directory (the venv's), next to `pulumi`, so `pulumi up` runs Pulumi YAML programs.
#
# Order of preference:
#   1. a `pulumi-language-yaml` already on PATH (an installed Pulumi CLI ships one);
#   2. the build cached at
#      ${XDG_CACHE_HOME:-~/.cache}/pulumi-hbr-clients/pulumi-language-yaml-v<version>-<sources hash>/;
#   3. a fresh build of host/ (the release's host from its Go module, github.com/pulumi/pulumi-yaml,
#      plus the Link RPC that later releases answer and `pulumi package add` needs; see
#      host/main.go); about 2.5 minutes on 2 cores the first time, seconds once the Go build
#      cache is warm.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version=$(awk '$1 == "github.com/pulumi/pulumi-yaml" { print $2 }' "$here/host/go.mod")
bin_dir=$(cd "${1:?usage: provide.sh BIN_DIR}" && pwd)
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-hbr-clients"
# Keyed by the sources too, so a change to host/ is never served from a stale build.
sources=$(cd "$here/host" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-12)
cache="$cache_root/pulumi-language-yaml-$version-$sources"
host=pulumi-language-yaml

say() { printf 'pulumi-yaml: %s\n' "$*" >&2; }

# 1. An installed host outside this venv.
installed=$(PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$bin_dir" | paste -sd: -) command -v "$host" || true)
if [ -n "$installed" ]; then
    ln -sf "$(readlink -f "$installed")" "$bin_dir/$host"
    exit 0
fi

# 2. The cached build.
if [ -x "$cache/$host" ]; then
    ln -sf "$cache/$host" "$bin_dir/$host"
    exit 0
fi

# 3. Build from the Go module.
if ! command -v go >/dev/null 2>&1; then
    say "no $host found and Go is not installed to build one; YAML programs will not run."
    say "install the Pulumi CLI (it ships $host), or Go, then run \`make setup\` again"
    exit 0
fi
say "building $host $version from its Go module into $cache (minutes, once)"
tmp="$cache.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
(cd "$here/host" && CGO_ENABLED=0 go build -trimpath -o "$tmp/$host" \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$version" .)
rm -rf "$cache"
mkdir -p "$cache_root"
mv "$tmp" "$cache"
trap - EXIT
say "built $host $version in $(( $(date +%s) - start ))s"
ln -sf "$cache/$host" "$bin_dir/$host"
