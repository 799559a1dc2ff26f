#!/usr/bin/env bash
# make plugin: the hbr provider plugin as an archive that `pulumi plugin install` accepts,
#   dist/pulumi-resource-hbr-v<version>-<os>-<arch>.tar.gz
#
# Self-contained: PulumiPlugin.yaml (runtime: python), __main__.py, a requirements.txt that
# installs from wheels/ only, and wheels/ itself: this project's wheel, the wheels of all its
# dependencies, and of pip, setuptools and wheel (what the Python host's install upgrades).
# Installing the archive creates the plugin's virtual environment from those files, so it
# works on a machine without this checkout and without network access (with
# PIP_NO_INDEX=1 PIP_FIND_LINKS=<plugin dir>/wheels for the host's pip upgrade). The wheels
# are built for the Python that builds the archive (its version and ABI, e.g. cp311): the
# machine that installs the archive needs the same `python3`.
#
# The archive is rebuilt only when its inputs change (their hash is stored beside it).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}
out=${1:-$root/dist}

version=$("$python" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$root/pyproject.toml")
os=$(uname -s | tr '[:upper:]' '[:lower:]')
case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) arch=$(uname -m) ;;
esac
archive="$out/pulumi-resource-hbr-v$version-$os-$arch.tar.gz"

# The distribution's sources, as the working tree has them (untracked files included).
sources=$(cd "$root" && git ls-files -co --exclude-standard -- \
    pyproject.toml constraints.txt README.md LICENSE provider sdk emulator | grep -v '^provider/venv/' | sort)
inputs=$( (cd "$root" && printf '%s\n' "$sources" | xargs sha256sum
    "$python" -c 'import sys; print(sys.version)'
    cat "$here/build.sh" "$here/PulumiPlugin.yaml" "$here/requirements.txt") | sha256sum | cut -d' ' -f1)
if [ -f "$archive" ] && [ "$(cat "$archive.inputs" 2>/dev/null)" = "$inputs" ]; then
    printf '%s is up to date\n' "${archive#"$root"/}"
    exit 0
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/src" "$stage/plugin/wheels"
# Built from a copy, so a stale build/ of the checkout never ends up in the wheel.
(cd "$root" && printf '%s\n' "$sources" | tar -cf - -T -) | tar -xf - -C "$stage/src"
# pip's and the build backend's output is shown only when a step fails.
quietly() { "$@" >"$stage/log" 2>&1 || { cat "$stage/log" >&2; exit 1; }; }
quietly "$python" -m pip wheel --disable-pip-version-check --wheel-dir "$stage/plugin/wheels" \
    -c "$root/constraints.txt" "$stage/src"
quietly "$python" -m pip download --disable-pip-version-check --dest "$stage/plugin/wheels" \
    pip setuptools wheel
cp "$here/PulumiPlugin.yaml" "$root/provider/__main__.py" "$stage/plugin/"
sed "s/@VERSION@/$version/" "$here/requirements.txt" >"$stage/plugin/requirements.txt"

mkdir -p "$out"
# Renamed into place, so a concurrent build or a reader never sees half an archive.
tar -C "$stage/plugin" -czf "$archive.$$.tmp" .
mv "$archive.$$.tmp" "$archive"
printf '%s\n' "$inputs" >"$archive.inputs.$$.tmp"
mv "$archive.inputs.$$.tmp" "$archive.inputs"
printf 'built %s (%s)\n' "${archive#"$root"/}" "$(du -h "$archive" | cut -f1)"
