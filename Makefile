# Cédula — the two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Dependencies are installed from the lock files (exact versions and hashes), never resolved
# afresh: `make lock` refreshes them on purpose.
RUN_LOCK  := requirements/main.txt
TEST_LOCK := requirements/test.txt
RUN_STAMP  := $(VENV)/.run-stamp
TEST_STAMP := $(VENV)/.test-stamp
NODE_STAMP := node_modules/.installed-stamp
PIP := $(BIN)/python -m pip --disable-pip-version-check
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: run test bench cluster loadtest lint typecheck audit lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): $(RUN_LOCK) pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --require-hashes --no-deps -r $(RUN_LOCK)
	$(PIP) install --quiet --no-deps -e .
	@touch $@

$(TEST_STAMP): $(TEST_LOCK) pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --require-hashes --no-deps -r $(TEST_LOCK)
	$(PIP) install --quiet --no-deps -e .
	@touch $@ $(RUN_STAMP)

# Node packages used by the tests (axe-core, openid-client); skipped when npm is absent.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else echo "npm not found: browser accessibility and interoperability tests will be skipped"; fi

## Serve the provider at http://localhost:8000 with the embedded default (SQLite, in-process
## store, software key store under ./instance).
run: $(RUN_STAMP)
	@$(BIN)/cedula db upgrade
	@$(BIN)/cedula keys init
	@$(BIN)/cedula pki init
	@$(BIN)/cedula demo

## The whole test suite.
test: $(TEST_STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmarks (never part of `make test`).
bench: $(TEST_STAMP) $(NODE_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

## Two `cedula serve --workers 2` nodes behind HAProxy, over their own PostgreSQL and Redis, on
## free loopback ports (prints the addresses; stops after CLUSTER_MINUTES, default 60, or Ctrl-C).
cluster: $(TEST_STAMP)
	$(BIN)/python -m tests.cluster.topology --minutes $(or $(CLUSTER_MINUTES),60)

## The load test (Locust, headless, bounded): one and two nodes, SQLite and PostgreSQL + Redis.
loadtest: $(TEST_STAMP)
	$(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

## Static checks CI runs before the tests.
lint: $(TEST_STAMP)
	$(BIN)/ruff check .

## Static types (mypy, strict where pyproject.toml says).
typecheck: $(TEST_STAMP)
	$(BIN)/mypy

## Known vulnerabilities in the locked dependencies (PyPI advisory database).
audit: $(TEST_STAMP)
	$(BIN)/python .ci/audit.py $(BIN)/pip-audit $(TEST_LOCK)

## Refresh the lock files from pyproject.toml (on purpose: review the diff, then commit it).
lock: $(TEST_STAMP)
	cd requirements && ../$(BIN)/pip-compile $(LOCK_FLAGS) --upgrade -o main.txt ../pyproject.toml
	cd requirements && ../$(BIN)/pip-compile $(LOCK_FLAGS) --upgrade --extra test --extra dev -c main.txt -o test.txt ../pyproject.toml

clean:
	rm -rf $(VENV) node_modules .pytest_cache
