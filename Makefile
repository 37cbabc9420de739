# Two commands on a fresh machine: `make run` and `make test`.  Each creates .venv if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install build run test lint typecheck pytest system-deps bench clean

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

typecheck: install
	$(BIN)/mypy

pytest: install system-deps
	$(BIN)/pytest

test: lint typecheck pytest

bench: install
	$(BIN)/python -m bench.scale --size $(or $(SIZE),10k)

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
