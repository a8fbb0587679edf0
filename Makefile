# One entry point for humans and CI. `make test` installs what the suite needs into .venv and runs it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint typecheck pytest run clean

$(STAMP): pyproject.toml $(wildcard tests/tools/package-lock.json)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	if [ -f tests/tools/package-lock.json ]; then npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error; fi
	touch $(STAMP)

install: $(STAMP)

LINT_PATHS := server tests $(wildcard bench)

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pytest -q $(PYTEST_ARGS)

test: lint typecheck pytest

# `make run REQUEST="..." [ARGS="--models m1,m2"]` runs agents on this repository; no REQUEST: doctor
run: $(STAMP)
	@if [ -n "$(REQUEST)" ]; then $(BIN)/orchard run "$(REQUEST)" $(ARGS); else $(BIN)/orchard doctor; fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
