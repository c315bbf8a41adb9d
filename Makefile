# The words people expect: site, test, check, serve, bench, clean.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: site test check serve lint bench screenshots clean help

help:
	@echo "make site    install into $(VENV) and build the example site into output/"
	@echo "make test    lint, type-check and run the whole test suite"
	@echo "make check   report content problems and curation hints for the example site (nothing written)"
	@echo "make serve   preview the example site on http://127.0.0.1:8000/, reloading on every change"
	@echo "make bench   benchmark builds of generated sites (1,000 and 10,000 briefings)"
	@echo "make screenshots  save screenshots of every page kind at 360, 800 and 1280 px into screenshots/"
	@echo "make clean   remove output/, the build cache and the virtual environment"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

site: $(STAMP)
	$(BIN)/briefing build --strict

test: $(STAMP)
	$(BIN)/ruff check briefing tests bench tools
	$(BIN)/ruff format --check briefing tests bench tools
	$(BIN)/mypy
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/briefing check

serve: $(STAMP)
	$(BIN)/briefing serve

bench: $(STAMP)
	$(BIN)/python bench/run.py --targets

screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

clean:
	rm -rf output .briefing-cache $(VENV) .pytest_cache .mypy_cache .ruff_cache
