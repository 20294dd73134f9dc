# Each target sets up its own virtual environment from nothing (.venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

OLDEST := .venv-oldest
OLDEST_STAMP := $(OLDEST)/.installed

.PHONY: demo test tests typecheck lint docs test-oldest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint,docs,clients]'
	touch $(STAMP)

$(OLDEST_STAMP): pyproject.toml constraints-oldest.txt
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST)/bin/python -m pip install --quiet -c constraints-oldest.txt -e '.[test]'
	touch $(OLDEST_STAMP)

## demo: run the quickstart example end to end
demo: $(STAMP)
	$(BIN)/python examples/quickstart.py

## test: the whole suite with coverage, then type check, lint and docs build
test: tests typecheck lint docs

tests: $(STAMP)
	$(BIN)/python -m coverage run -m pytest
	$(BIN)/python -m coverage report --fail-under=100

typecheck: $(STAMP)
	$(BIN)/python -m mypy

lint: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

docs: $(STAMP)
	$(BIN)/python -m sphinx -n -W --keep-going -q -b html docs docs/_build/html

## bench: print the benchmark ratios (BENCH_ARGS=--write updates docs/benchmarks.md)
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

## test-oldest: the suite against the lowest dependency versions declared
test-oldest: $(OLDEST_STAMP)
	$(OLDEST)/bin/python -m pip freeze | grep -iE '^(attrs|boto3|botocore|typing.extensions)=='
	SAGEMAKER_STUB_OLDEST=1 $(OLDEST)/bin/python -m pytest -q -p no:cacheprovider

clean:
	rm -rf $(VENV) $(OLDEST) docs/_build .coverage .pytest_cache .mypy_cache .ruff_cache .hypothesis
