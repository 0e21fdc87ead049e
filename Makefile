# Two commands: `make run` (serve the demo clinic) and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/dentalagent db upgrade
	$(BIN)/dentalagent db seed
	$(BIN)/dentalagent serve

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/python -m ruff check .

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
