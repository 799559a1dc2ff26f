# Targets named here are a contract: tools outside this repository call `make setup`,
# `make test` and `make demo`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The directories of this repository's own Python code (make setup byte-compiles them).
PYTHON_SOURCES := provider sdk/python emulator policy tools tests examples

export PULUMI_SKIP_UPDATE_CHECK := true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION := true

.PHONY: setup test lint typecheck pytest demo bench clean plugin

setup: $(STAMP)
	@tools/pulumi-cli/provide.sh $(BIN)
	@# The root project runs examples/quickstart (`main:`) with `virtualenv: .venv`. The language
	@# host resolves that from the project root, but the engine starts the dynamic-provider
	@# plugin in the program's directory, which resolves it from there: point it at the venv.
	@ln -sfn ../../$(VENV) examples/quickstart/.venv
	@tools/pulumi-yaml/provide.sh $(BIN)
	@tools/pulumi-cli/provide-nodejs.sh $(BIN)
	@tools/pulumi-cli/provide-go.sh $(BIN)
	@# The examples that use pulumi-alicloud run from their own venv (tools/examples_venv.sh):
	@# made here, once, so that no test pays for the install.
	@tools/examples_venv.sh
	@# pip byte-compiles what it installs, but not an editable install's sources. Where
	@# PYTHONDONTWRITEBYTECODE is set (the test machine sets it) no process writes the .pyc
	@# it compiles, so every CLI, plugin, provider and program process would compile these
	@# sources again: about 0.2 s of CPU each, hundreds of times in the tests. Compiled once
	@# here; a source edited later is compiled anew in memory, as usual. Only an optimisation:
	@# a file that does not compile is reported (ruff names it too) and setup goes on.
	@$(BIN)/python -m compileall -q -x '/node_modules/' $(PYTHON_SOURCES) || true

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# Test files run in parallel (pytest-xdist), each file on one worker so that its
# module-scoped emulators and plugin processes start once. Most tests wait on subprocesses
# (pulumi, the plugin, the emulator), so three workers keep two cores busy. Files are handed
# out in collection order, which tests/conftest.py makes slowest first:
# --no-loadscope-reorder stops xdist from reordering them by their number of tests instead
# (it would start the slowest file, which has 4 tests, near the end).
PYTEST_WORKERS ?= 3

pytest: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile \
		--no-loadscope-reorder

test: lint typecheck pytest

# The hbr plugin as an archive for `pulumi plugin install resource hbr VERSION --file ARCHIVE`:
# dist/pulumi-resource-hbr-v<version>-<os>-<arch>.tar.gz (see docs/install-plugin.md).
plugin: $(STAMP)
	@tools/plugin-archive/build.sh

demo: setup
	@tools/demo.sh

clean:
	rm -rf $(VENV) .pulumi-state .mypy_cache .ruff_cache .pytest_cache
