#!/usr/bin/env bash
# Prepare the Go SDK and examples/go (called by make setup, through provide-go.sh):
#   tools/golang/prepare.sh
#
# Downloads the Go modules of sdk/go and examples/go (and those `go mod tidy` reads, so that
# tools/pulumi-codegen/gen-sdks.sh runs offline), then compiles and vets both once: the Go
# build cache then holds the Pulumi Go SDK, gRPC and the hbr SDK, and the `go build` that
# `pulumi up` runs for a Go program only compiles its main package and links. The first run
# compiles about 400 packages (minutes on two cores); a run with nothing changed is skipped
# by a stamp keyed by the checkout, its Go sources, the Go version and the caches' places.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
say() { printf 'golang: %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
    say "Go is not installed: Go programs (examples/go) cannot be built; install Go 1.26.6 or newer"
    exit 0
fi

export GOWORK=off
key=$(
    cd "$root"
    {
        echo "$root"
        go version
        go env GOCACHE GOMODCACHE GOFLAGS
        cat sdk/go/go.mod sdk/go/go.sum examples/go/go.mod examples/go/go.sum
        find sdk/go examples/go -name '*.go' -type f | LC_ALL=C sort | xargs cat
    } | sha256sum | cut -c1-16
)
stamp_dir="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-hbr-clients/golang"
checkout=$(printf '%s' "$root" | sha256sum | cut -c1-8)  # one stamp per checkout
stamp="$stamp_dir/prepared-$checkout-$key"
if [ -f "$stamp" ]; then
    exit 0
fi

start=$SECONDS
say "downloading the Go modules of sdk/go and examples/go"
(cd "$root/sdk/go" && go mod download)
(cd "$root/examples/go" && go mod download)
if ! (cd "$root/sdk/go" && go mod tidy -diff >/dev/null); then
    say "sdk/go/go.mod is not tidy: run tools/pulumi-codegen/gen-sdks.sh"
fi
say "compiling the Go SDK and examples/go once (several minutes on two cores the first time)"
(cd "$root/sdk/go" && go build ./... && go vet ./...)
# Built aside, not to its buildTarget: the checkout stays small (the program is 40 MB), and a
# user's first `pulumi up` links it once.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$root/examples/go" && go build -o "$out/hbr-go" . && go vet .)
mkdir -p "$stamp_dir"
rm -f "$stamp_dir/prepared-$checkout-"*
touch "$stamp"
say "prepared in $((SECONDS - start)) s"
