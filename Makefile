# Every target bootstraps .venv from pyproject.toml itself (re-installed when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: run test lint eval bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

## make run: extract and draft the bundled example sessions and print the results
run: $(STAMP)
	$(BIN)/notewell extract examples/*.yaml
	@for f in examples/*.yaml; do $(BIN)/notewell draft --format auto $$f || exit $$?; done

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

## make bench: extraction and drafting speed on synthetic transcripts (median of several runs)
bench: $(STAMP)
	$(BIN)/python bench/bench_extraction.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
