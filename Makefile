# Empathy Warehouse. Quick start: `make run`, then `make test`.
SHELL := /bin/bash
PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export GX_ANALYTICS_ENABLED := False
export DO_NOT_TRACK := 1
export DAGSTER_HOME := $(CURDIR)/dagster_home

UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast setup demo manifest pipeline test-deps lint dev sources bench report-pdf formats sql clean postgres test-spark

## run: install, generate the demo business, refresh once through Dagster, publish the report
run: demo manifest
	$(BIN)/python -m dagster_project.run

## test: the test suite on two processes (installs Debian chromium for the browser tests if
##       missing); a test file runs whole on one of them. PYTEST_WORKERS=0: one process
PYTEST_WORKERS ?= 2
test: setup test-deps manifest
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=25 -m "not spark"

## test-spark: the dbt project on Spark (dbt-spark, session mode, local pyspark; Java 17): every
##             model dbt-spark builds from the demo's sources must hold DuckDB's rows (not in
##             make test: installs the `spark` dependency group, about 10 minutes on 2 cores)
##             pyspark is removed again after it: with it installed, Great Expectations'
##             import of pyspark.sql.connect exits the test collection of make test
test-spark: setup manifest
	$(UV) sync --frozen --python $(PYTHON) --group spark
	$(BIN)/pytest -m spark --durations=5 tests/spark; rc=$$?; \
	  $(UV) sync --frozen --python $(PYTHON); exit $$rc

## test-fast: the unit tests: no project home, no browser, no local server (under a minute)
test-fast: setup manifest
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile -m unit

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

setup: $(VENV)/.synced

demo: setup
	$(BIN)/python -m dagster_project.demo.generator

manifest: setup
	cd dbt && ../$(BIN)/dbt parse --profiles-dir . --project-dir . --quiet

test-deps:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  (echo "installing Debian chromium for the browser tests"; \
	   apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
	  (echo "installing Debian postgresql for the many-businesses test (Dagster storage)"; \
	   apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)

## postgres: start (creating on first use) a local PostgreSQL in .postgres/ for Dagster's storage
##           with many businesses (deploy/tenants/dagster.yaml); its URL is in .postgres/url
PG_PORT ?= 5433
postgres: setup
	$(BIN)/python -m dagster_project.local_postgres start $(CURDIR)/.postgres --port $(PG_PORT)

## dev: the Dagster UI (lineage, runs, checks, schedule, sensors) on http://127.0.0.1:3000
##      (DAGSTER_PORT=...); Ctrl-C stops it within about 20 s
dev: setup manifest
	$(BIN)/python -m dagster_project.dev

## bench: benchmarks (not in CI): refresh at a scale tier (TIER=S|M|L) against DuckDB's lower
##        bound; CLV fit vs lifetimes and SQL scoring of 1M customers and text scoring speed (BENCH=refresh|clv|text|all)
TIER ?= S
BENCH ?= all
bench: setup manifest
	$(UV) sync --frozen --python $(PYTHON) --group bench
	@if [ "$(BENCH)" = all ] || [ "$(BENCH)" = refresh ]; then $(BIN)/python -m benchmarks.bench_refresh --tier $(TIER); fi
	@if [ "$(BENCH)" = all ] || [ "$(BENCH)" = clv ]; then $(BIN)/python -m benchmarks.bench_clv; fi
	@if [ "$(BENCH)" = all ] || [ "$(BENCH)" = text ]; then $(BIN)/python -m benchmarks.bench_text; fi

## report-pdf: print every page of the published report to PDF (one file per page) with headless
##             Chromium, into report-pdf/ beside the site (never into the live build)
SITE ?= site
PDF_DIR ?= $(dir $(abspath $(SITE)))report-pdf
REPORT_PAGES := index customers voice journey support team quality
report-pdf: test-deps
	@test -f $(SITE)/index.html || { echo "no published report in $(SITE): run make run first"; exit 1; }
	@mkdir -p $(PDF_DIR)
	@for page in $(REPORT_PAGES); do \
	  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	    --disable-component-update --disable-sync --no-first-run --user-data-dir=$$(mktemp -d) \
	    --virtual-time-budget=10000 --no-pdf-header-footer \
	    --print-to-pdf=$(PDF_DIR)/$$page.pdf file://$(abspath $(SITE))/$$page.html 2>/dev/null || exit 1; \
	done
	@echo "report printed to $(PDF_DIR)/ (one PDF per page)"

## formats: which export format each file is in (or the closest known ones) and what a refresh
##          would load and reject from it, row, column and rule (FILES=export.csv ...)
FILES ?= $(wildcard landing/*.csv landing/*/*.csv)
formats: setup
	$(BIN)/python -m dagster_project.ingest.check_file $(FILES)

## sql: the DuckDB CLI on the analyst copy, read-only (DB=another file); no extension is
##      downloaded (autoinstall off)
DB ?= $(or $(EMPATHY_ANALYTICS),warehouse/analytics.duckdb)
sql: setup
	@test -f "$(DB)" || { echo "no analyst copy at $(DB): run make run first"; exit 1; }
	$(BIN)/duckdb -readonly -cmd "SET autoinstall_known_extensions = false" "$(DB)"

## sources: regenerate dbt's source files from data_contracts/ and dagster_project/warehouse_tables.yaml
sources: setup
	$(BIN)/python -m dagster_project.contracts
	$(BIN)/python -m dagster_project.tables

lint: setup
	$(UV) run --frozen ruff check .

clean:
	rm -rf warehouse site .site-builds landing dbt/target dbt/logs
	find dagster_home -mindepth 1 ! -name dagster.yaml -exec rm -rf {} +
