#!/usr/bin/env bash
# Generate the TypeScript and Go SDKs of package `hbr` from the plugin's schema:
#   tools/pulumi-codegen/gen-sdks.sh [OUT_DIR]     (default: sdk/, writing sdk/nodejs and sdk/go)
#
# `pulumi package gen-sdk` would ask the pulumi-language-nodejs and pulumi-language-go hosts to
# do this; the Go module proxy does not serve those hosts' modules (403 "This module version is
# not available"), so they cannot be built here. sdk-gen (main.go) calls the code generators
# those hosts call, from the pkg/v3 release the CLI is built from. It is built once into
# ${XDG_CACHE_HOME:-~/.cache}/pulumi-hbr-clients/sdk-gen-<version>-<sources hash>/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/sdk}
bin_dir=${BIN_DIR:-$root/.venv/bin}
version=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2 }' "$here/go.mod")
# The build is keyed by the sources too, so a change to sdk-gen is never run from a stale binary.
sources=$(cd "$here" && cat go.mod go.sum ./*.go nodejs/* go/* | sha256sum | cut -c1-12)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-hbr-clients/sdk-gen-$version-$sources"

if [ ! -x "$cache/sdk-gen" ]; then
    printf 'sdk-gen: building the code generators of pkg %s (about a minute once)\n' "$version" >&2
    mkdir -p "$cache"
    (cd "$here" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$cache/sdk-gen.tmp" .)
    mv "$cache/sdk-gen.tmp" "$cache/sdk-gen"
fi

schema=$(mktemp)
trap 'rm -f "$schema"' EXIT
PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true \
    "$bin_dir/pulumi" package get-schema "$bin_dir/pulumi-resource-hbr" 2>/dev/null >"$schema"
"$cache/sdk-gen" nodejs "$schema" "$out/nodejs"
"$cache/sdk-gen" go "$schema" "$out/go"
# sdk-gen writes the Go module's go.mod with its one direct requirement; `go mod tidy` adds the
# indirect ones and go.sum, so that `go build ./...` works in sdk/go. It runs offline once
# `make setup` has downloaded the modules (tools/pulumi-cli/provide-go.sh).
(cd "$out/go" && GOFLAGS=-mod=mod GOWORK=off go mod tidy)
