# One entry point for humans and CI. `make test` installs exactly the lock (uv.lock, tests/tools'
# package-lock.json) into .venv and runs the suite; `make lock` refreshes the locks on purpose.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# uv only installs and locks; it is not a dependency of Orchard. Pinned so every machine resolves alike.
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Write bytecode at install: where PYTHONDONTWRITEBYTECODE is set (as on these CI machines) every
# process would otherwise compile what it imports (litellm's import took 2x as long without it).
export UV_COMPILE_BYTECODE := 1

.PHONY: install test lint typecheck pytest pytest-fast check-lock lock run clean nvim-doc vscode-test code-server

$(UV):
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet 'uv==$(UV_VERSION)'

$(STAMP): $(UV) pyproject.toml uv.lock $(wildcard tests/tools/package-lock.json)
	$(UV) sync --frozen --extra test --python $(PYTHON) --quiet
	$(BIN)/python -m compileall -q -j 0 server
	if [ -f tests/tools/package-lock.json ]; then npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error; fi
	touch $(STAMP)

install: $(STAMP)

# Fails when pyproject.toml's ranges and uv.lock disagree (someone edited one without the other).
check-lock: $(UV)
	$(UV) lock --check --python $(PYTHON)

lock: $(UV)
	$(UV) lock --upgrade --python $(PYTHON)
	npm install --prefix tests/tools --package-lock-only --no-audit --no-fund --loglevel=error

LINT_PATHS := server tests $(wildcard bench)

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pytest -q $(PYTEST_ARGS)

# The inner loop: everything but the tests marked slow.
pytest-fast: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pytest -q -m "not slow" $(PYTEST_ARGS)

test: check-lock lint typecheck vscode-test pytest

# The VS Code extension: exact npm lock, ESLint, tsc, unit tests, esbuild bundle, vsce package.
VSCODE := clients/vscode
$(VSCODE)/node_modules/.installed: $(VSCODE)/package.json $(VSCODE)/package-lock.json
	npm ci --prefix $(VSCODE) --no-audit --no-fund --loglevel=error
	touch $@

vscode-test: $(VSCODE)/node_modules/.installed
	npm run --prefix $(VSCODE) --silent check

# code-server for the extension's end-to-end tests (idempotent; into .tools/code-server).
code-server:
	$(VSCODE)/scripts/install-code-server.sh

# `make run REQUEST="..." [ARGS="--models m1,m2"]` runs agents on this repository; no REQUEST: doctor
run: $(STAMP)
	@if [ -n "$(REQUEST)" ]; then $(BIN)/orchard run "$(REQUEST)" $(ARGS); else $(BIN)/orchard doctor; fi

# The Neovim plugin's :help tags, generated from doc/orchard.txt by Neovim itself (never hand-kept;
# tests/clients/test_neovim_docs.py fails when doc/tags is stale). Neovim's own state goes to a temp dir.
nvim-doc: $(STAMP)
	tmp=$$(mktemp -d) && HOME=$$tmp XDG_STATE_HOME=$$tmp XDG_DATA_HOME=$$tmp XDG_CONFIG_HOME=$$tmp \
	  $(BIN)/nvim --headless -n -i NONE -u NONE -c "helptags clients/neovim/doc" -c q; \
	  status=$$?; rm -rf $$tmp; exit $$status

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
