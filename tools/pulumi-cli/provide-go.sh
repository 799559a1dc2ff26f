#!/usr/bin/env bash
# Provide the Go side of this project (called by make setup with the venv's bin):
#   tools/pulumi-cli/provide-go.sh BIN_DIR [--host-only]
#
# 1. `pulumi-language-go` in BIN_DIR: the official host of an installed Pulumi CLI (the
#    `pulumi` on PATH outside BIN_DIR), linked when that binary has one beside it; else this
#    offline build's host, tools/language_host_go, written as a script that BIN_DIR's Python
#    runs in isolated mode (-I), as provide.sh writes the Python host. A link to an official
#    host that is already there is kept.
# 2. The Go modules of sdk/go and examples/go downloaded, and both compiled once, so that a Go
#    program's `pulumi up` only links (tools/golang/prepare.sh; a second run is instant),
#    unless --host-only.
set -euo pipefail

bin_dir=$(cd "${1:?usage: provide-go.sh BIN_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tools=$(cd "$here/.." && pwd)
target=$bin_dir/pulumi-language-go

installed=$(PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$bin_dir" | paste -sd: -) command -v pulumi || true)
official=""
if [ -n "$installed" ]; then
    official=$(readlink -f "$(dirname "$(readlink -f "$installed")")/pulumi-language-go" || true)
    # The official host is a binary; a script is a host like this one (another checkout's).
    if [ ! -x "$official" ] || [ "$(head -c 2 "$official")" = "#!" ]; then
        official=""
    fi
fi

if [ -n "$official" ]; then
    ln -sfn "$official" "$target"
elif [ -L "$target" ] && [ -e "$target" ]; then
    :  # the official host an earlier setup linked
else
    {
        printf '%s\n' '#!/bin/sh'
        printf "'''exec' '%s' -I \"\$0\" \"\$@\"\n" "$bin_dir/python"
        printf "' '''\n"
        printf '%s\n' "# pulumi-language-go: the Go language host of this offline build" \
            "# (source: $tools/language_host_go; see tools/pulumi-cli/README.md)." \
            "# Written by make setup; an installed Pulumi CLI's official host replaces it." \
            'import sys' '' \
            "sys.path.insert(0, '$tools')" \
            'from language_host_go.__main__ import run' '' \
            'sys.exit(run(sys.argv[1:]))'
    } >"$target.tmp"
    chmod 0755 "$target.tmp"
    mv -f "$target.tmp" "$target"
fi

[ "${2:-}" = --host-only ] || "$tools/golang/prepare.sh"
