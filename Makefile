# Cédula — the two commands a new user needs: `make run` and `make test`.
# The interpreter of .venv: PYTHON if given (`make run PYTHON=python3.12`), else the first of
# PYTHON_CANDIDATES that is Python 3.11 or newer and can make a virtual environment (ensurepip;
# Debian's python3-venv). The distribution's own python3 comes first: Debian's and Ubuntu's are
# built with profile-guided and link-time optimisation, libpython linked in; a default pyenv or
# source build (`./configure` without --enable-optimizations, often first on PATH) is neither, and
# serves Cédula's requests 10-30% slower per CPU-second (bench/README.md, "The interpreter").
PYTHON_CANDIDATES ?= /usr/bin/python3 python3
PYTHON ?= $(or $(shell for p in $(PYTHON_CANDIDATES); do \
  $$p -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done),python3)
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

# Install output goes to this log, not the terminal; a failed step prints where it is and its tail.
INSTALL_LOG := $(VENV)/install.log
# $(call quietly,what,command): one line on the terminal, the command's output in INSTALL_LOG.
quietly = echo "$(1) (output in $(INSTALL_LOG))"; \
	if ! ( $(2) ) >>$(INSTALL_LOG) 2>&1; then \
	  echo "$(1) failed; the last lines of $(INSTALL_LOG):" >&2; tail -n 25 $(INSTALL_LOG) >&2; exit 1; fi
# What `make run` prints: Cédula's own lines, warnings and errors (not every request); set
# CEDULA_LOGGING_LEVEL=INFO for the request log.
RUN_ENV := CEDULA_LOGGING_LEVEL=$${CEDULA_LOGGING_LEVEL:-WARNING} CEDULA_LOGGING_FORMAT=$${CEDULA_LOGGING_FORMAT:-text}

.PHONY: run test bench cluster loadtest lint typecheck audit lock clean

$(BIN)/python:
	@echo "creating the virtual environment $(VENV) with $(PYTHON) ($$($(PYTHON) -c 'import sys; print(sys.version.split()[0])' 2>/dev/null))"
	@$(PYTHON) -m venv $(VENV)

# The stamps keep a warm checkout from installing again: only a newer lock file or
# pyproject.toml runs these steps.
$(RUN_STAMP): $(RUN_LOCK) pyproject.toml | $(BIN)/python
	@$(call quietly,installing the locked Python packages,$(PIP) install --require-hashes --no-deps -r $(RUN_LOCK) && $(PIP) install --no-deps -e .)
	@touch $@

$(TEST_STAMP): $(TEST_LOCK) pyproject.toml | $(BIN)/python
	@$(call quietly,installing the locked Python packages for the tests,$(PIP) install --require-hashes --no-deps -r $(TEST_LOCK) && $(PIP) install --no-deps -e .)
	@touch $@ $(RUN_STAMP)

# Node packages used by the tests (axe-core, openid-client); skipped when npm is absent.
$(NODE_STAMP): package.json package-lock.json | $(BIN)/python
	@if command -v npm >/dev/null 2>&1; then \
	  $(call quietly,installing the locked Node packages,npm ci --no-audit --no-fund --loglevel=error) && touch $(NODE_STAMP); \
	else echo "npm not found: browser accessibility and interoperability tests will be skipped"; fi

## Serve the provider at http://localhost:8000 with the embedded default (SQLite, in-process
## store, software key store under ./instance). `cedula demo` prepares the database, signing
## keys and document PKI in its own process (as `cedula db upgrade`, `keys init` and `pki init`
## would), quick when they exist, then starts the provider and the two demo portals.
run: $(RUN_STAMP)
	@$(RUN_ENV) $(BIN)/cedula demo

## The whole test suite, on every core (pytest-xdist; TEST_WORKERS=0 runs it in one process).
TEST_WORKERS ?= auto
test: $(TEST_STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

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
