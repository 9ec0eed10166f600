# make run: set up .venv and start the combined site on http://127.0.0.1:5000
# make test: set up .venv, lint, and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: run test lint deliver routes trace bench screenshots clean

run: $(STAMP)
	$(BIN)/python dispatcher.py serve

# Three processes, each taking whole test files (module fixtures start once),
# the slowest files first (tests/conftest.py), not the files with most tests.
PYTEST_WORKERS ?= -n 3 --dist loadfile --no-loadscope-reorder

# The hundred or so Python processes the tests start (servers, deliverers,
# commands) compile the project's modules once, not each at its start, even
# where the shell sets PYTHONDONTWRITEBYTECODE (0.3 s of CPU a process).
test: lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Mail delivery and the periodic jobs in a process of their own, beside web
# servers run with FRONTEND_MAIL_DELIVERY=false (docs/deployment.md).
deliver: $(STAMP)
	$(BIN)/python dispatcher.py deliver

routes: $(STAMP)
	$(BIN)/python dispatcher.py routes

trace: $(STAMP)
	$(BIN)/python dispatcher.py trace

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

# The README's screenshots, made by the browser tests (Chromium needed).
screenshots: $(STAMP)
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest tests/e2e/test_browser.py

# uv, put in the venv by Python's own pip, installs the pinned requirements:
# 20 s on a fresh machine instead of pip's 36. Compiled as pip compiles them
# (where PYTHONDONTWRITEBYTECODE is set, nothing would compile them later).
# The venv gets no pip of its own (ensurepip took 5 s): uv installs the one
# requirements-dev.txt pins, for the test that installs flask-lens as its
# users do.
UV := $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python

$(STAMP): requirements.txt requirements-dev.txt lens/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	test -x $(BIN)/uv || $(PYTHON) -m pip --python $(BIN)/python install --quiet uv==0.13.9
	$(UV) -r requirements-dev.txt
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(UV) -r requirements-bench.txt
	touch $(BENCH_STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
