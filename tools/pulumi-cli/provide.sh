#!/usr/bin/env bash
# Provide the Pulumi CLI for this project: link `pulumi`, the Python language-host exec
# script and the Python dynamic-provider plugin into the given bin directory (the venv's).
#
# Order of preference:
#   1. a compatible `pulumi` already on PATH (3.181 or newer, for `--client`);
#   2. the build cached at ${XDG_CACHE_HOME:-~/.cache}/pulumi-hbr-clients/pulumi-v<version>/;
#   3. a fresh build from the Go modules pinned in this directory's go.mod (minutes, once).
set -euo pipefail

bin_dir=$(cd "${1:?usage: provide.sh BIN_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
version=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { sub(/^v/, "", $2); print $2 }' "$here/go.mod")
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-hbr-clients"
cache="$cache_root/pulumi-v$version"
files=(pulumi pulumi-language-python-exec pulumi-resource-pulumi-python)

say() { printf 'pulumi-cli: %s\n' "$*" >&2; }

link_from() {
    local dir=$1
    for f in "${files[@]}"; do
        [ -x "$dir/$f" ] && ln -sf "$dir/$f" "$bin_dir/$f"
    done
    # The official language host is linked too when the source provides one.
    [ -x "$dir/pulumi-language-python" ] && ln -sf "$dir/pulumi-language-python" "$bin_dir/pulumi-language-python"
    return 0
}

compatible() {
    local v
    v=$("$1" version 2>/dev/null | sed 's/^v//') || return 1
    [ "${v%%.*}" = 3 ] || return 1
    local minor=${v#*.}
    minor=${minor%%.*}
    [ "$minor" -ge 181 ] 2>/dev/null
}

# 1. An installed CLI (outside this venv) that is new enough.
installed=$(PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$bin_dir" | paste -sd: -) command -v pulumi || true)
if [ -n "$installed" ] && compatible "$installed"; then
    installed_dir=$(dirname "$(readlink -f "$installed")")
    if [ -x "$installed_dir/pulumi-resource-pulumi-python" ]; then
        link_from "$installed_dir"
        exit 0
    fi
fi

# 2. The cached build.
if [ -x "$cache/pulumi" ] && [ "$("$cache/pulumi" version 2>/dev/null)" = "v$version" ]; then
    link_from "$cache"
    exit 0
fi

# 3. Build from the Go modules.
if ! command -v go >/dev/null 2>&1; then
    cat >&2 <<MSG
pulumi-cli: no Pulumi CLI found, and Go is not installed to build one.
Install the Pulumi CLI 3.181 or newer (https://www.pulumi.com/docs/install/) so that
\`pulumi\` is on PATH, or install Go 1.26.6 or newer, then run \`make setup\` again.
MSG
    exit 1
fi

say "building Pulumi CLI v$version from its Go modules into $cache"
say "the first build takes several minutes (about 2,000 Go packages); later runs reuse the cache"
tmp="$cache.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
(
    cd "$here"
    export CGO_ENABLED=0 GOFLAGS=-mod=mod
    say "downloading modules"
    go mod download
    say "compiling pulumi"
    go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" \
        -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    sdk_dir=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
    say "copying the Python scripts from $sdk_dir"
    install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$tmp/"
    install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$tmp/"
)
rm -rf "$cache"
mkdir -p "$cache_root"
mv "$tmp" "$cache"
trap - EXIT
say "built $("$cache/pulumi" version)"
link_from "$cache"
