#!/usr/bin/env bash
# Provide .venv-examples: this project plus pulumi-alicloud, for the examples that use it.
# pulumi-alicloud never goes into .venv: the CLI would try to download its plugin for any
# program run from that venv, which fails offline.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-examples
stamp=$venv/.installed
# Several test files call this at once when pytest-xdist runs them in parallel: one installs,
# the others wait for it and then find the stamp.
mkdir -p "$venv"
exec 9>"$venv/.lock"
flock 9
if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ] && [ "$stamp" -nt constraints-examples.txt ]; then
    exit 0
fi
echo "examples-venv: installing pulumi-alicloud and this project into $venv (once, about 30 s)" >&2
test -x "$venv/bin/python" || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -c constraints.txt -c constraints-examples.txt \
    pulumi-alicloud pytest -e .
touch "$stamp"
