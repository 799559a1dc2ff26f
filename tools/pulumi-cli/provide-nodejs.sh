#!/usr/bin/env bash
# Provide the nodejs language host of this offline build in the given bin directory (placeholder
# until the host lands).
set -euo pipefail
: "${1:?usage: provide-nodejs.sh BIN_DIR}"
