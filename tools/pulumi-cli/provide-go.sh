#!/usr/bin/env bash
# Provide the go language host of this offline build in the given bin directory (placeholder
# until the host lands).
set -euo pipefail
: "${1:?usage: provide-go.sh BIN_DIR}"
