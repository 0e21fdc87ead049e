# Two commands: `make run` (serve the demo clinic) and `make test`. Both set up .venv first.
# `make typecheck`: mypy over every package but tests/ ([tool.mypy] in pyproject.toml).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install system-deps lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# espeak-ng voices for the synthetic-dictation tests and Chromium for the browser tests
# (Debian packages; installed when we can).
system-deps:
	@command -v espeak-ng >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -qq espeak-ng >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq espeak-ng >/dev/null 2>&1)) || \
	    echo "note: could not install espeak-ng; its voice tests will be skipped"; \
	  else echo "note: espeak-ng not installed; its voice tests will be skipped"; fi; }
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)) || \
	    echo "note: could not install chromium; the browser tests will be skipped"; \
	  else echo "note: chromium not installed; the browser tests will be skipped"; fi; }

run: install
	$(BIN)/dentalagent db upgrade
	$(BIN)/dentalagent db seed
	$(BIN)/dentalagent serve

# Extra pytest arguments: `make test PYTEST_ARGS='-p randomly --randomly-seed=1234'` (a random order).
PYTEST_ARGS ?=

test: install system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/python -m ruff check .

typecheck: install
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache build *.egg-info
