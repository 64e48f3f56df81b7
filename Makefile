# Every target bootstraps .venv from pyproject.toml itself (re-installed when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared
# `make run HOST=0.0.0.0 PORT=8080` overrides these; `:=`, not `?=`, so a shell's own $HOST (zsh sets
# it to the machine's name) never decides which address the app listens on.
HOST := 127.0.0.1
PORT := 8000

.PHONY: run test lint eval bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

## make run: create the demo practice (once; passwords printed then) and serve the web app on
## http://$(HOST):$(PORT) (make run HOST=0.0.0.0 PORT=8080); the data folder is NOTEWELL_DATA_DIR or ./data
run: $(STAMP)
	$(BIN)/notewell demo
	@echo "serving the demo on http://$(HOST):$(PORT) (Ctrl-C to stop)"
	$(BIN)/notewell serve --host $(HOST) --port $(PORT)

## make test: lint, type-check, architecture contracts, then the test suite
test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy src
	$(BIN)/lint-imports

## make eval: score the dev set and fail below the floors in eval-floors.yaml (a ratchet)
eval: $(STAMP)
	$(BIN)/python scripts/eval_gate.py --shared $(SHARED) --floors eval-floors.yaml

## make bench: extraction and drafting speed on synthetic transcripts (median of several runs), then
## the web load run (uvicorn, two workers, 20 concurrent users) on SQLite and on PostgreSQL
bench: $(STAMP)
	$(BIN)/python bench/bench_extraction.py
	$(BIN)/python bench/bench_web.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
