#!/usr/bin/env bash
# Provide the Go side of this project (called by make setup with the venv's bin):
#   tools/pulumi-cli/provide-go.sh BIN_DIR [--host-only]
#
# 1. `pulumi-language-go` in BIN_DIR: an installed Pulumi CLI's official host, else this
#    offline build's (provide-host.sh).
# 2. The Go modules of sdk/go and examples/go downloaded, and both compiled once, so that a Go
#    program's `pulumi up` only links (tools/golang/prepare.sh; a second run is instant),
#    unless --host-only.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
"$here/provide-host.sh" go "${1:?usage: provide-go.sh BIN_DIR [--host-only]}"
[ "${2:-}" = --host-only ] || "$here/../golang/prepare.sh"
