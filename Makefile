# Cédula — the two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp

.PHONY: run test bench lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Node packages used by the tests (axe-core, openid-client); skipped when npm is absent.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else echo "npm not found: browser accessibility and interoperability tests will be skipped"; fi

## Serve the provider at http://localhost:8000 with the embedded default (SQLite, in-process
## store, software key store under ./instance).
run: $(STAMP)
	$(BIN)/cedula db upgrade
	$(BIN)/cedula keys init
	$(BIN)/cedula pki init
	$(BIN)/cedula demo

## The whole test suite.
test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmarks (never part of `make test`).
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules .pytest_cache
