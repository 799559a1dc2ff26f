#!/usr/bin/env bash
# `make demo`: start the HBR emulator with a seeded fleet, run `pulumi up` on the root project
# (examples/quickstart) against a local file backend, print the outputs, stop the emulator.
# A second run changes nothing: same seed, same fleet, same state.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin="$root/.venv/bin"
export PATH="$bin:$PATH"
state=${DEMO_STATE_DIR:-$root/.pulumi-state}
export PULUMI_BACKEND_URL="file://$state"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-hbr-clients-local}"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p "$state"

log=$(mktemp)
fifo=$(mktemp -u)
mkfifo "$fifo"
"$bin/hbr-emulator" serve --port 0 --fleet "${DEMO_FLEET:-200}" --seed "${DEMO_SEED:-42}" \
    >"$fifo" 2>"$log" &
emulator=$!
trap 'kill "$emulator" 2>/dev/null; wait "$emulator" 2>/dev/null; rm -f "$fifo" "$log"' EXIT
read -r line <"$fifo"
export HBR_ENDPOINT=${line#HBR_ENDPOINT=}
export HBR_PROTOCOL=http
read -r ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET < <("$bin/python" -c \
    'import hbr_emulator as e; print(e.DEFAULT_ACCESS_KEY_ID, e.DEFAULT_ACCESS_KEY_SECRET)')
export ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
echo "demo: HBR emulator at $HBR_ENDPOINT (fleet ${DEMO_FLEET:-200}, seed ${DEMO_SEED:-42})"

pulumi stack select --create demo --non-interactive >/dev/null
pulumi up --yes --non-interactive --suppress-outputs
echo
echo "demo: stack outputs"
pulumi stack output --json | "$bin/python" tools/show_outputs.py
