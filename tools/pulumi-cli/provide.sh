#!/usr/bin/env bash
# Provide the Pulumi CLI for this project: put `pulumi`, the Python language-host exec
# script, the Python dynamic-provider plugin and a Python language host into the given bin
# directory (the venv's).
#
# Order of preference:
#   1. a compatible `pulumi` already on PATH (3.181 or newer), linked with its own plugins
#      and its official `pulumi-language-python`;
#   2. the build cached at ${XDG_CACHE_HOME:-~/.cache}/pulumi-hbr-clients/pulumi-v<version>/;
#   3. a fresh build from the Go modules pinned in this directory's go.mod (minutes, once).
# For 2 and 3, `pulumi` is hard-linked (or copied), not symlinked: the engine looks for its
# bundled language hosts beside the symlink-resolved binary, so the project's host
# (tools/language_host, installed as `pulumi-language-python`) sits beside it and is used
# without the "using pulumi-language-python from $PATH" warning.
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

# `pulumi` itself as a file of BIN_DIR (a hard link, else a copy), so that the engine finds
# the language host beside it.
place_pulumi() {
    local src=$1/pulumi dst=$bin_dir/pulumi
    if [ -f "$dst" ] && [ ! -L "$dst" ] && { [ "$src" -ef "$dst" ] || cmp -s "$src" "$dst"; }; then
        return 0
    fi
    rm -f "$dst.tmp"
    ln "$src" "$dst.tmp" 2>/dev/null || cp "$src" "$dst.tmp"
    mv -f "$dst.tmp" "$dst"
}

# The project's Python language host, where no official one was linked: a script that this
# venv's Python runs in isolated mode (-I), whichever virtualenv the user has activated. Where
# Go can build it, the host's front (tools/pulumi-language-python) takes the name instead: it
# answers the RPCs of every preview and update itself and starts the Python host only for the
# others.
install_language_host() {
    local target=$bin_dir/pulumi-language-python
    if [ -L "$target" ] && [ -e "$target" ]; then
        return 0  # the official host of an installed Pulumi CLI
    fi
    local tools front
    tools=$(cd "$here/.." && pwd)
    if front=$(build_front "$tools/pulumi-language-python"); then
        "$bin_dir/python" -c 'import json, sys; print(json.dumps({"python": sys.argv[1], "tools": sys.argv[2]}))' \
            "$bin_dir/python" "$tools" >"$target.json"
        rm -f "$target.tmp"
        cp "$front" "$target.tmp"
        mv -f "$target.tmp" "$target"
        return 0
    fi
    rm -f "$target.json"
    {
        printf '%s\n' '#!/bin/sh'
        printf "'''exec' '%s' -I \"\$0\" \"\$@\"\n" "$bin_dir/python"
        printf "' '''\n"
        printf '%s\n' "# pulumi-language-python: the Python language host of this offline build" \
            "# (source: $tools/language_host; see tools/pulumi-cli/README.md). Written by make setup." \
            'import sys' '' \
            "sys.path.insert(0, '$tools')" \
            'from language_host.__main__ import run' '' \
            'sys.exit(run(sys.argv[1:], executable=__file__))'
    } >"$target.tmp"
    chmod 0755 "$target.tmp"
    mv -f "$target.tmp" "$target"
}

# The Python host's Go front, built once per source into the cache: prints the binary's path,
# or fails where Go is missing or cannot build it (the Python host then serves alone).
build_front() {
    local source=$1 digest dir tmp
    digest=$(cat "$source"/go.mod "$source"/go.sum "$source"/*.go | sha256sum | cut -c1-16)
    dir="$cache_root/language-host-front-$digest"
    if [ ! -x "$dir/pulumi-language-python" ]; then
        command -v go >/dev/null 2>&1 || return 1
        say "building the Python language host's Go front into $dir"
        tmp="$dir.tmp.$$"
        rm -rf "$tmp"
        mkdir -p "$tmp"
        if ! (cd "$source" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" \
            -o "$tmp/pulumi-language-python" .) >&2; then
            rm -rf "$tmp"
            return 1
        fi
        rm -rf "$dir"
        mv "$tmp" "$dir"
    fi
    printf '%s\n' "$dir/pulumi-language-python"
}

# Steps 2 and 3 end alike: the cached build's files, `pulumi` beside the project's host.
provide_from_cache() {
    link_from "$cache"
    place_pulumi "$cache"
    install_language_host
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
        install_language_host
        exit 0
    fi
fi

# 2. The cached build.
if [ -x "$cache/pulumi" ] && [ "$("$cache/pulumi" version 2>/dev/null)" = "v$version" ]; then
    provide_from_cache
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
provide_from_cache
