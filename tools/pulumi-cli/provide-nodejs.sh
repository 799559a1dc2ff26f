#!/usr/bin/env bash
# Provide the Node.js side of this project (called by make setup with the venv's bin):
#   tools/pulumi-cli/provide-nodejs.sh BIN_DIR [--host-only]
#
# 1. `pulumi-language-nodejs` in BIN_DIR: an installed Pulumi CLI's official host, else this
#    offline build's (provide-host.sh).
# 2. The TypeScript SDK built and packed, and examples/typescript's packages installed
#    (tools/typescript/prepare.sh; cached, so an unchanged checkout takes a fraction of a
#    second), unless --host-only.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
"$here/provide-host.sh" nodejs "${1:?usage: provide-nodejs.sh BIN_DIR [--host-only]}"
[ "${2:-}" = --host-only ] || "$here/../typescript/prepare.sh"
