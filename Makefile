# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Models live where every framelens command looks: FRAMELENS_MODEL_DIR if set, else a per-user
# data directory (`framelens models list` prints it). MODELS=DIR points make at another registry.
ifdef MODELS
export FRAMELENS_MODEL_DIR := $(abspath $(MODELS))
endif

.PHONY: run test test-fast lint model wheel-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

# Train the shipped default model only if the registry holds none.
model: $(VENV)/.installed
	@$(BIN)/framelens models current >/dev/null 2>&1 || $(BIN)/framelens train --default

run: model
	$(BIN)/framelens serve --host $(HOST) --port $(PORT)

# The linters first: a lint failure stops the run before the tests.
test: lint
	$(BIN)/python -m pytest

test-fast: lint
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Build the wheel, install it with its runtime dependencies only into a fresh environment and
# use it from outside the checkout: train the default model, annotate, serve, fetch the page.
wheel-check: $(VENV)/.installed-dev
	tests/wheel_check.sh

clean:
	rm -rf $(VENV) var .pytest_cache build dist *.egg-info
