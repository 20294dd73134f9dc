# Each target sets up its own virtual environment from nothing (.venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

OLDEST := .venv-oldest
OLDEST_STAMP := $(OLDEST)/.installed

# The other Pythons pyproject.toml declares: the floor and the newest, each in
# an environment of its own (PYENV_VERSION picks the interpreter where pyenv
# provides it, and is ignored elsewhere).
PYTHON310 ?= PYENV_VERSION=3.10 python3.10
PYTHON313 ?= PYENV_VERSION=3.13 python3.13
PY310 := .venv-py310
PY310_STAMP := $(PY310)/.installed
PY313 := .venv-py313
PY313_STAMP := $(PY313)/.installed

# aiobotocore pins its own botocore, so async clients are tested in
# environments of their own: the newest aiobotocore, and aioboto3 with the
# aiobotocore it pins. The oldest environment has the lowest aiobotocore.
AIO := .venv-aio
AIO_STAMP := $(AIO)/.installed
AIOBOTO3 := .venv-aioboto3
AIOBOTO3_STAMP := $(AIOBOTO3)/.installed
AIO_TESTS := tests/aio "tests/test_docs.py::test_examples_run[aio.md]"

# The recipes (docs/recipes.md) drive the client libraries people use, in
# environments of their own: the sagemaker SDK v2 and v3 cannot share one, and
# llama-index's SageMaker LLM needs llama-cpp-python, which compiles for
# minutes. CI runs the light ones (make test-clients-light); make test runs the
# langchain-aws recipes in the main environment.
CLIENTS := .venv-clients
CLIENTS_STAMP := $(CLIENTS)/.installed
CLIENT_LIBRARIES := langchain-aws langchain-community 'sagemaker-core>=2' \
	amazon-sagemaker-haystack 'strands-agents[sagemaker]'
SDK2 := .venv-sdk2
SDK2_STAMP := $(SDK2)/.installed
# litellm pins importlib-metadata above what sagemaker-core accepts.
LITELLM := .venv-litellm
LITELLM_STAMP := $(LITELLM)/.installed
LLAMA := .venv-llama-index
LLAMA_STAMP := $(LLAMA)/.installed
LLAMA_LIBRARIES := llama-index-llms-sagemaker-endpoint \
	llama-index-embeddings-sagemaker-endpoint

.PHONY: demo environments test tests tests-aio typecheck lint docs test-oldest test-pythons test-clients test-clients-light bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint,docs,clients]'
	touch $(STAMP)

$(OLDEST_STAMP): pyproject.toml constraints-oldest.txt
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST)/bin/python -m pip install --quiet -c constraints-oldest.txt -e '.[test,test-aio,aio]'
	touch $(OLDEST_STAMP)

# .venv-py310 from $(PYTHON310), .venv-py313 from $(PYTHON313).
.venv-py%/.installed: pyproject.toml
	$(PYTHON$*) -m venv .venv-py$*
	.venv-py$*/bin/python -m pip install --quiet --upgrade pip
	.venv-py$*/bin/python -m pip install --quiet -e '.[test,clients]'
	touch $@

$(AIO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(AIO)
	$(AIO)/bin/python -m pip install --quiet --upgrade pip
	$(AIO)/bin/python -m pip install --quiet -e '.[test,test-aio,aio]'
	touch $(AIO_STAMP)

$(AIOBOTO3_STAMP): pyproject.toml
	$(PYTHON) -m venv $(AIOBOTO3)
	$(AIOBOTO3)/bin/python -m pip install --quiet --upgrade pip
	$(AIOBOTO3)/bin/python -m pip install --quiet -e '.[test,test-aio,aio]' aioboto3
	touch $(AIOBOTO3_STAMP)

$(CLIENTS_STAMP): pyproject.toml
	$(PYTHON) -m venv $(CLIENTS)
	$(CLIENTS)/bin/python -m pip install --quiet --upgrade pip
	$(CLIENTS)/bin/python -m pip install --quiet -e '.[test]' $(CLIENT_LIBRARIES)
	touch $(CLIENTS_STAMP)

$(SDK2_STAMP): pyproject.toml
	$(PYTHON) -m venv $(SDK2)
	$(SDK2)/bin/python -m pip install --quiet --upgrade pip
	$(SDK2)/bin/python -m pip install --quiet -e '.[test]' 'sagemaker>=2.200,<3'
	touch $(SDK2_STAMP)

$(LITELLM_STAMP): pyproject.toml
	$(PYTHON) -m venv $(LITELLM)
	$(LITELLM)/bin/python -m pip install --quiet --upgrade pip
	$(LITELLM)/bin/python -m pip install --quiet -e '.[test]' litellm
	touch $(LITELLM_STAMP)

$(LLAMA_STAMP): pyproject.toml
	$(PYTHON) -m venv $(LLAMA)
	$(LLAMA)/bin/python -m pip install --quiet --upgrade pip
	$(LLAMA)/bin/python -m pip install --quiet -e '.[test]' $(LLAMA_LIBRARIES)
	touch $(LLAMA_STAMP)

## environments: every virtual environment the CI run uses (make -j2 builds two at a time)
environments: $(STAMP) $(AIO_STAMP) $(AIOBOTO3_STAMP) $(OLDEST_STAMP) $(PY310_STAMP) $(PY313_STAMP) $(CLIENTS_STAMP) $(SDK2_STAMP) $(LITELLM_STAMP)

## demo: run the quickstart example end to end
demo: $(STAMP)
	$(BIN)/python examples/quickstart.py

## test: the whole suite with coverage, then type check, lint and docs build
test: tests typecheck lint docs

# The suites run under pytest-xdist, a worker per core (WORKERS=0 runs them in
# one process). Coverage is combined over the sync suite and the async-client
# suites, workers included (coverage measures the processes pytest starts).
WORKERS ?= auto
XDIST = -n $(WORKERS)

tests: $(STAMP) $(AIO_STAMP) $(AIOBOTO3_STAMP)
	rm -f .coverage .coverage.*
	$(BIN)/python -m coverage run -p -m pytest $(XDIST)
	$(MAKE) --no-print-directory tests-aio COVERAGE='-m coverage run -p'
	$(BIN)/python -m coverage combine -q
	$(BIN)/python -m coverage report --fail-under=100

## tests-aio: the async-client tests, under the newest aiobotocore and under aioboto3
tests-aio: $(AIO_STAMP) $(AIOBOTO3_STAMP)
	$(AIO)/bin/python -m pip freeze | grep -iE '^(aiobotocore|botocore)=='
	$(AIO)/bin/python $(COVERAGE) -m pytest -q $(XDIST) $(AIO_TESTS)
	$(AIOBOTO3)/bin/python -m pip freeze | grep -iE '^(aioboto3|aiobotocore|botocore)=='
	$(AIOBOTO3)/bin/python $(COVERAGE) -m pytest -q $(XDIST) $(AIO_TESTS)

typecheck: $(STAMP)
	$(BIN)/python -m mypy

lint: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

docs: $(STAMP)
	$(BIN)/python -m sphinx -n -W --keep-going -q -b html docs docs/_build/html

## bench: print the benchmark ratios (BENCH_ARGS=--write updates docs/benchmarks.md)
bench: $(STAMP) $(AIO_STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)
	$(AIO)/bin/python -m benchmarks.aio $(BENCH_ARGS)

## test-oldest: the suite against the lowest dependency versions declared
test-oldest: $(OLDEST_STAMP)
	$(OLDEST)/bin/python -m pip freeze | grep -iE '^(aiobotocore|attrs|boto3|botocore|typing.extensions)=='
	SAGEMAKER_STUB_OLDEST=1 $(OLDEST)/bin/python -m pytest -q -p no:cacheprovider $(XDIST)

## test-pythons: the suite on Python 3.10 (the floor) and 3.13, the newest versions of everything
test-pythons: $(PY310_STAMP) $(PY313_STAMP)
	$(PY310)/bin/python --version
	$(PY310)/bin/python -m pytest -q -p no:cacheprovider $(XDIST)
	$(PY313)/bin/python --version
	$(PY313)/bin/python -m pytest -q -p no:cacheprovider $(XDIST)

## test-clients: every recipe: langchain-aws, langchain-community, the sagemaker SDK v2 and v3, haystack, llama-index, strands, and litellm through the local server
test-clients: test-clients-light $(LLAMA_STAMP)
	$(LLAMA)/bin/python -m pip freeze | grep -iE '^llama-index-(llms|embeddings)-sagemaker-endpoint=='
	SAGEMAKER_STUB_RECIPES='llama-index-llms-sagemaker-endpoint,llama-index-embeddings-sagemaker-endpoint' \
		$(LLAMA)/bin/python -m pytest -q -p no:cacheprovider tests/test_recipes.py

## test-clients-light: the recipes whose libraries install in about a minute (all but llama-index)
test-clients-light: $(CLIENTS_STAMP) $(SDK2_STAMP) $(LITELLM_STAMP)
	$(CLIENTS)/bin/python -m pip freeze | grep -iE '^(langchain-aws|langchain-community|sagemaker-core|amazon-sagemaker-haystack|strands-agents)=='
	SAGEMAKER_STUB_RECIPES='langchain-aws,langchain-community,sagemaker-core>=2,amazon-sagemaker-haystack,strands-agents' \
		$(CLIENTS)/bin/python -m pytest -q -p no:cacheprovider tests/test_recipes.py
	$(SDK2)/bin/python -m pip freeze | grep -iE '^sagemaker=='
	SAGEMAKER_STUB_RECIPES='sagemaker<3' $(SDK2)/bin/python -m pytest -q -p no:cacheprovider tests/test_recipes.py
	$(LITELLM)/bin/python -m pip freeze | grep -iE '^litellm=='
	SAGEMAKER_STUB_RECIPES=litellm $(LITELLM)/bin/python -m pytest -q -p no:cacheprovider tests/test_recipes.py

clean:
	rm -rf $(VENV) $(OLDEST) $(PY310) $(PY313) $(AIO) $(AIOBOTO3) $(CLIENTS) $(SDK2) $(LITELLM) $(LLAMA) docs/_build .coverage .pytest_cache .mypy_cache .ruff_cache .hypothesis
