# One command per job; `make help` lists them. The first run creates .venv from pyproject.toml.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
QUARTER ?=
JOBS ?= 2
# Test worker processes (pytest-xdist): one per core; each test file runs whole on one worker.
TEST_WORKERS ?= auto
RUN_ARGS ?=
# Quarto for the tests: the one on PATH; else the offline Quarto in ../shared/tools/quarto, installed once into a
# cache folder outside the repository (its README: `install.sh DIR`, then DIR/bin on PATH).
QUARTO_INSTALLER := ../shared/tools/quarto/install.sh
QUARTO_CACHE ?= $(HOME)/.cache/childrens-services-reports/quarto
QUARTO_ON_PATH := $(shell command -v quarto 2>/dev/null)
TEST_PATH := $(if $(QUARTO_ON_PATH),$(PATH),$(QUARTO_CACHE)/bin:$(PATH))

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
	$(BIN)/demo-data --out data/raw

.PHONY: inputs
inputs: $(STAMP)
	@if [ -z "$$(ls data/raw 2>/dev/null | grep -v README)" ]; then $(BIN)/demo-data --out data/raw; fi

.PHONY: report
report: inputs ## Run the whole pipeline for the latest complete quarter (or QUARTER=2015-16-Q1) and print the report's path
	$(BIN)/analysis run --jobs $(JOBS) $(if $(QUARTER),--quarter $(QUARTER)) $(RUN_ARGS)

.PHONY: dashboards
dashboards: inputs ## Make the monthly Board dashboards and safeguarding board views: MONTHS=2015-06 or MONTHS=2014-04:2015-06
	@test -n "$(MONTHS)" || { echo "Say which months: make dashboards MONTHS=2015-06 (or a range, MONTHS=2014-04:2015-06)" >&2; exit 2; }
	$(BIN)/analysis run --jobs $(JOBS) --months $(MONTHS) $(RUN_ARGS)

.PHONY: quarto-pre-render
quarto-pre-render: inputs ## What `quarto render` runs first: the pipeline without rendering
	$(if $(RENDER_PID),ANALYSIS_HOLD_LOCK_WHILE=$(RENDER_PID)) $(BIN)/analysis run --jobs $(JOBS) --renderer none $(if $(QUARTER),--quarter $(QUARTER))

.PHONY: quarto-post-render
quarto-post-render: ## What `quarto render` runs last: Quarto's pages printed to PDF, then the project's lock released
	$(BIN)/python -m analysis.run.quarto_project pdfs; status=$$?; \
	  $(BIN)/python -m analysis.run.render_lock release && exit $$status

.PHONY: browser
browser: ## Install Debian's chromium for the browser test, if missing and possible
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser test"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: the browser test will skip"; \
	  else echo "chromium is not installed: the browser test will skip"; fi; }

.PHONY: quarto
quarto: ## Install the offline Quarto of ../shared/tools/quarto for the tests, if quarto is not on PATH
	@if [ -n "$(QUARTO_ON_PATH)" ]; then :; \
	elif [ -x "$(QUARTO_INSTALLER)" ]; then \
	  echo "Quarto for the tests: $(QUARTO_CACHE) (installed from $(QUARTO_INSTALLER) if not there yet)"; \
	  "$(QUARTO_INSTALLER)" --no-typst "$(QUARTO_CACHE)" >/dev/null \
	    || echo "Quarto could not be installed (see $(QUARTO_CACHE)/.install/logs): the Quarto tests will skip"; \
	else echo "quarto is not on PATH and $(QUARTO_INSTALLER) is missing: the Quarto tests will skip"; fi

.PHONY: test
test: $(STAMP) browser quarto ## Run the whole test suite on every core (with Quarto on PATH, and QUARTO_PYTHON set to .venv's)
	PATH="$(TEST_PATH)" QUARTO_PYTHON="$(abspath $(BIN))/python" $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

.PHONY: lint
lint: $(STAMP) ## Check formatting and lint with ruff, and types with mypy (strict on analysis.methods)
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

.PHONY: format
format: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks notebooks

.PHONY: bench
bench: $(STAMP) browser quarto ## Print every speed and memory figure and write them to benchmarks/results/ (BENCH_ARGS="--rows 0 --no-tests" for the quick ones)
	PATH="$(TEST_PATH)" QUARTO_PYTHON="$(abspath $(BIN))/python" $(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

.PHONY: clean
clean: ## Delete processed data and reports (raw data and .venv stay)
	find data/processed -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
	rm -rf reports/*/ reports/.staging* reports/quarto-render.yml data/.processed*
	@echo "Removed processed data and reports; 'make report' rebuilds them."
