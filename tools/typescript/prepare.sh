#!/usr/bin/env bash
# Build the TypeScript SDK and install examples/typescript's packages, once per change:
#   tools/typescript/prepare.sh        (called by tools/pulumi-cli/provide-nodejs.sh, so by make setup)
#
# 1. sdk/nodejs is copied to ${XDG_CACHE_HOME:-~/.cache}/pulumi-hbr-clients/typescript/sdk-<hash>/,
#    where `npm install` fetches its packages and compiles it (its `prepare` script runs tsc),
#    and `npm pack` packs it: pulumi-hbr-clients-hbr-<version>.tgz.
# 2. examples/typescript's package.json, its SDK dependency pointed at that tarball, is
#    installed with `npm install` in .../typescript/example-<hash>/.
# 3. sdk/nodejs/node_modules and examples/typescript/node_modules become links to those
#    node_modules (a real node_modules directory there is left alone), and the tarball is
#    copied into sdk/nodejs, where the example's package.json names it (git ignores both).
# <hash> is that of the SDK's files, and of the example's package.json with the SDK's hash, so an
# unchanged checkout takes no network and a fraction of a second; older builds are removed. Without node and npm it says so and does nothing.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
sdk=$root/sdk/nodejs
example=$root/examples/typescript
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-hbr-clients/typescript

say() { printf 'typescript: %s\n' "$*" >&2; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "node and npm not found: the TypeScript SDK and examples/typescript are not prepared;"
    say "install Node.js 20 or newer (https://nodejs.org/), then run make setup again"
    exit 0
fi

# The hash of a directory's files, without what npm and tsc write there (and its README: a
# change of words does not rebuild).
sources_hash() {
    (cd "$1" && find . \( -name node_modules -o -name bin -o -name '*.tgz' -o -name package-lock.json -o -name README.md \) -prune \
        -o -type f -print | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16
}

npm_quiet() { npm --no-audit --no-fund --loglevel=error "$@"; }

# Build into DIR.tmp.PID with the given function, then move it into place.
build_into() {
    local dir=$1 step=$2 tmp="$1.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    trap 'rm -rf "$tmp"' EXIT
    "$step" "$tmp"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    trap - EXIT
}

# Link DIR/node_modules to TARGET unless DIR has a node_modules directory of its own.
link_node_modules() {
    local dir=$1 target=$2
    if [ -d "$dir/node_modules" ] && [ ! -L "$dir/node_modules" ]; then
        say "keeping $dir/node_modules (a directory, not make setup's link)"
        return 0
    fi
    ln -sfn "$target" "$dir/node_modules"
}

# Remove the builds of other sources (each holds a node_modules of about 100 MB).
prune() {
    local keep=$1 kind=$2 old
    for old in "$cache/$kind"-*; do
        [ -e "$old" ] && [ "$old" != "$keep" ] && rm -rf "$old"
    done
    return 0
}

build_sdk() {
    local dir=$1
    (cd "$sdk" && tar --exclude=./node_modules --exclude=./bin --exclude='./*.tgz' -cf - .) | tar -C "$dir" -xf -
    say "npm install in a copy of sdk/nodejs (fetches typescript and @pulumi/pulumi; compiles)"
    (cd "$dir" && npm_quiet install >&2)
    say "npm pack"
    (cd "$dir" && npm_quiet pack --pack-destination . >/dev/null)
}

sdk_build=$cache/sdk-$(sources_hash "$sdk")
if [ ! -f "$sdk_build/package.json" ]; then
    build_into "$sdk_build" build_sdk
fi
tarball=$(cd "$sdk_build" && node -p 'const p = require("./package.json"); p.name.replace(/^@/, "").replace("/", "-") + "-" + p.version + ".tgz"')
tarball=$sdk_build/$tarball
[ -f "$tarball" ] || { say "missing $tarball; remove $sdk_build and run make setup again"; exit 1; }
# Beside the SDK too, where examples/typescript/package.json names it, so that `npm install`
# (or `pulumi install`) there installs the same package.
cmp -s "$tarball" "$sdk/$(basename "$tarball")" || cp -f "$tarball" "$sdk/"

build_example() {
    local dir=$1
    TARBALL=$tarball node -e '
        const fs = require("fs");
        const p = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
        p.dependencies["@pulumi-hbr-clients/hbr"] = "file:" + process.env.TARBALL;
        fs.writeFileSync(process.argv[2], JSON.stringify(p, null, 4) + "\n");
    ' "$example/package.json" "$dir/package.json"
    say "npm install for examples/typescript (fetches @pulumi/pulumi and typescript)"
    (cd "$dir" && npm_quiet install >&2)
}

# Keyed by what npm install reads (a stack's Pulumi.<stack>.yaml there changes nothing).
example_build=$cache/example-$( (sha256sum <"$example/package.json"; basename "$sdk_build") | sha256sum | cut -c1-16)
if [ ! -d "$example_build/node_modules/@pulumi-hbr-clients/hbr" ]; then
    build_into "$example_build" build_example
fi

link_node_modules "$sdk" "$sdk_build/node_modules"
link_node_modules "$example" "$example_build/node_modules"
prune "$sdk_build" sdk
prune "$example_build" example
say "ready: $(basename "$tarball") and examples/typescript/node_modules"
