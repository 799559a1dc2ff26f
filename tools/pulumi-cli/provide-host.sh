#!/usr/bin/env bash
# Provide one language host of this build in BIN_DIR (called by provide-nodejs.sh and
# provide-go.sh):
#   tools/pulumi-cli/provide-host.sh RUNTIME BIN_DIR        (RUNTIME: nodejs or go)
#
# `pulumi-language-RUNTIME` in BIN_DIR is the official host of an installed Pulumi CLI (the
# `pulumi` on PATH outside BIN_DIR), linked when that binary has one beside it; else this
# offline build's host, tools/language_host_RUNTIME, written as a script that BIN_DIR's
# Python runs in isolated mode (-I), as provide.sh writes the Python host. A link to an
# official host that is already there is kept.
set -euo pipefail

runtime=${1:?usage: provide-host.sh RUNTIME BIN_DIR}
case "$runtime" in
    nodejs) title=Node.js ;;
    go) title=Go ;;
    *) printf 'provide-host.sh: unknown runtime %s (nodejs or go)\n' "$runtime" >&2; exit 2 ;;
esac
bin_dir=$(cd "${2:?usage: provide-host.sh RUNTIME BIN_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tools=$(cd "$here/.." && pwd)
host=pulumi-language-$runtime
target=$bin_dir/$host

installed=$(PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$bin_dir" | paste -sd: -) command -v pulumi || true)
official=""
if [ -n "$installed" ]; then
    official=$(readlink -f "$(dirname "$(readlink -f "$installed")")/$host" || true)
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
        printf '%s\n' "# $host: the $title language host of this offline build" \
            "# (source: $tools/language_host_$runtime; see tools/pulumi-cli/README.md)." \
            "# Written by make setup; an installed Pulumi CLI's official host replaces it." \
            'import sys' '' \
            "sys.path.insert(0, '$tools')" \
            "from language_host_$runtime.__main__ import run" '' \
            'sys.exit(run(sys.argv[1:]))'
    } >"$target.tmp"
    chmod 0755 "$target.tmp"
    mv -f "$target.tmp" "$target"
fi
