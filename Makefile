# Two commands on a fresh machine: `make run` and `make test`.  Each creates .venv if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install build run test lint typecheck pytest pytest-remote system-deps bench bench-remote clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/evkg build

run: build
	$(BIN)/evkg serve --host $(HOST) --port $(PORT)

# System tools that the tests use as independent checkers (raptor's rapper).
system-deps:
	@bash scripts/ensure-system-deps

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy

pytest: install system-deps
	$(BIN)/pytest

# The query and web suites again, against real SPARQL servers (EVKG_STORE): Virtuoso and the
# Oxigraph server, each started by the tests on 127.0.0.1 with a throwaway database.
REMOTE_SUITES := tests/test_remote_store.py tests/test_answers.py tests/test_gapmap_network.py \
	tests/test_references_format.py tests/test_export.py tests/test_sparql.py tests/test_api.py \
	tests/test_web.py tests/test_web_pages.py tests/test_web_exports.py tests/test_browser.py \
	tests/test_check_seed.py tests/test_sparql_protocol.py

pytest-remote: install system-deps
	EVKG_TEST_SERVER=virtuoso $(BIN)/pytest -m "not embedded_only" $(REMOTE_SUITES)
	EVKG_TEST_SERVER=oxigraph $(BIN)/pytest -m "not embedded_only" $(REMOTE_SUITES)

test: lint typecheck pytest pytest-remote

bench: install
	$(BIN)/python -m bench.scale --size $(or $(SIZE),10k)

bench-remote: install system-deps
	$(BIN)/python -m bench.remote --size $(or $(SIZE),10k) --server $(or $(SERVER),oxigraph)

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
