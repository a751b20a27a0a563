# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODELS ?= var/models
HOST ?= 127.0.0.1
PORT ?= 8000
export FRAMELENS_MODEL_DIR ?= $(abspath $(MODELS))

.PHONY: run test lint model bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

# Train the default model only if the registry holds none.
model: $(VENV)/.installed
	@$(BIN)/framelens models current >/dev/null 2>&1 || \
		$(BIN)/framelens train labels/corpus/sahel/*.csv --scheme sahel

run: model
	$(BIN)/framelens serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var .pytest_cache build *.egg-info
