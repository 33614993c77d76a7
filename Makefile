# One command per job; `make help` lists them. The first run creates .venv from pyproject.toml.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
QUARTER ?=
JOBS ?= 2
RUN_ARGS ?=

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

.PHONY: install
install: $(STAMP) ## Create or update .venv from pyproject.toml

.PHONY: demo-data
demo-data: $(STAMP) ## (Re)create the synthetic demo data in data/raw/
	$(BIN)/analysis demo-data --out data/raw

.PHONY: inputs
inputs: $(STAMP)
	@if [ -z "$$(ls data/raw 2>/dev/null | grep -v README)" ]; then $(BIN)/analysis demo-data --out data/raw; fi

.PHONY: report
report: inputs ## Run the whole pipeline for the latest complete quarter (or QUARTER=2015-16-Q1) and print the report's path
	$(BIN)/analysis run --jobs $(JOBS) $(if $(QUARTER),--quarter $(QUARTER)) $(RUN_ARGS)

.PHONY: quarto-pre-render
quarto-pre-render: inputs ## What `quarto render` runs first: the pipeline without rendering
	$(BIN)/analysis run --jobs $(JOBS) --renderer none $(if $(QUARTER),--quarter $(QUARTER))

.PHONY: browser
browser: ## Install Debian's chromium for the browser test, if missing and possible
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser test"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: the browser test will skip"; \
	  else echo "chromium is not installed: the browser test will skip"; fi; }

.PHONY: test
test: $(STAMP) browser ## Run the whole test suite
	$(BIN)/python -m pytest

.PHONY: lint
lint: $(STAMP) ## Check formatting and lint with ruff
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks

.PHONY: format
format: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks notebooks

.PHONY: bench
bench: $(STAMP) ## Print speed and memory figures (benchmarks/)
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/dashboard.py

.PHONY: clean
clean: ## Delete processed data and reports (raw data and .venv stay)
	rm -rf data/processed/* reports/*/ reports/.staging* data/.processed*
	@echo "Removed processed data and reports; 'make report' rebuilds them."
