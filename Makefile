# Personas: the everyday commands. `make demo` to build and look at the marts,
# `make test` before every push (CI runs exactly that, through .ci/run).

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
# Tools come from the project's venv, which `make demo`, `make test` and `make setup` create
# when it is missing. Evaluated when a recipe runs, after the venv exists.
BIN = $(if $(wildcard $(VENV)/bin/dbt),$(VENV)/bin/,)
DBT = $(BIN)dbt
SQLFLUFF = $(BIN)sqlfluff
RUFF = $(BIN)ruff
PYTEST = $(BIN)pytest

# The demo warehouse (`make demo`). BI tools never read it: every successful `dbt build`
# publishes the marts to $(PUBLISH_DIR) (README, "Reading the marts").
DEMO_DB ?= personas.duckdb
PUBLISH_DIR ?= published
export PERSONAS_PUBLISH_DIR ?= $(PUBLISH_DIR)
# `make docs` serves the docs site here (127.0.0.1 only).
DOCS_PORT ?= 8080
# `make serve-dashboard` serves the dashboard (reports/build/) here (127.0.0.1 only).
DASHBOARD_PORT ?= 8400

# The engine of `make dbt-test` (a target of profiles.yml): duckdb, postgres or spark.
# postgres needs a server (PERSONAS_POSTGRES_*; .ci/postgres starts one), spark Java 17 and
# requirements-engines.txt. `make test` checks DuckDB; .ci/run checks all three.
ENGINE ?= duckdb

# The steps of `make test`, in order.
TEST_STEPS := lint-python lint-sql dbt-test pytest

.PHONY: help setup demo test $(TEST_STEPS) lint clean bench docs publish export metrics backfill dashboard serve-dashboard

help:
	@echo "make setup        create $(VENV) and install requirements.txt"
	@echo "make demo         load the demo seeds and build everything into $(DEMO_DB)"
	@echo "make test         the test suite, in order: $(TEST_STEPS)"
	@echo "make lint         lint-python and lint-sql only"
	@echo "make lint-python  ruff check scripts tests plugins"
	@echo "make lint-sql     sqlfluff lint models analyses (compiles every model: about half a minute)"
	@echo "make dbt-test     dbt build of the demo (every data test and unit test) into a throw-away DuckDB"
	@echo "                  (ENGINE=postgres or ENGINE=spark: on that target instead)"
	@echo "make pytest       pytest tests/python (builds its own fixtures)"
	@echo "make publish      publish the marts of $(DEMO_DB) to $(PUBLISH_DIR)/ again (every dbt build does)"
	@echo "make export       segment upload files (Klaviyo CSV) from $(PUBLISH_DIR)/ into exports/<build_id>/"
	@echo "                  (SEGMENT=biggest_fans for one, default all; FORMAT=csv)"
	@echo "make dashboard    build the marketers' dashboard (reports/build/) from $(PUBLISH_DIR)/"
	@echo "make serve-dashboard  build it and serve it on http://127.0.0.1:$(DASHBOARD_PORT)"
	@echo "make docs         generate the dbt docs of $(DEMO_DB) and serve them on http://127.0.0.1:$(DOCS_PORT)"
	@echo "make metrics      the semantic layer's main metrics per segment, from $(DEMO_DB) (mf query; docs/metrics.md)"
	@echo "make bench SCALE=N  generate N profiles, time a full build and an incremental day"
	@echo "make backfill FROM=YYYY-MM-DD TO=YYYY-MM-DD [STEP=7] [RESET=1]"
	@echo "                  record the segment history of $(DEMO_DB) for past days, every STEP days"
	@echo "make clean        remove dbt's target/ and logs/"

setup: $(VENV)/bin/dbt

# The venv is made (or brought up to date) whenever requirements.txt is newer than it, so
# `make demo` and `make test` work on a fresh machine with nothing else run first.
$(VENV)/bin/dbt: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

demo: $(VENV)/bin/dbt
	PERSONAS_DUCKDB_PATH=$(DEMO_DB) $(DBT) seed --full-refresh
	PERSONAS_DUCKDB_PATH=$(DEMO_DB) $(DBT) build --exclude resource_type:seed

# Every step runs even when an earlier one failed, so that one run reports everything; the
# timings and a summary close the output, and the exit status is non-zero if any step failed.
test: $(VENV)/bin/dbt
	@failed=0; summary=""; \
	for step in $(TEST_STEPS); do \
		echo ""; echo "==> make $$step"; \
		start=$$(date +%s); \
		if $(MAKE) --no-print-directory $$step; then status=passed; else status=FAILED; failed=$$((failed + 1)); fi; \
		seconds=$$(( $$(date +%s) - start )); \
		echo "<== make $$step: $$status in $${seconds}s"; \
		summary+=$$(printf '  %-12s %-7s %5ss' "$$step" "$$status" "$$seconds")$$'\n'; \
	done; \
	echo ""; echo "make test: every step"; printf '%s' "$$summary"; \
	test $$failed -eq 0

# Publish again by hand (the on-run-end hook of every successful `dbt build` does it).
publish: $(VENV)/bin/dbt
	PERSONAS_DUCKDB_PATH=$(DEMO_DB) $(DBT) run-operation publish_marts

# Upload files for an email tool, read from the published copy (never the warehouse):
# exports/<build_id>/<segment>.csv and a manifest.json. SEGMENT=all (the default) or one name.
SEGMENT ?= all
FORMAT ?= csv
export: $(VENV)/bin/dbt
	$(BIN)python scripts/export_segments.py --segment "$(SEGMENT)" --format "$(FORMAT)" --publish-dir "$(PERSONAS_PUBLISH_DIR)"

# The marketers' dashboard (reports/README.md): static pages made from the published copy of the
# marts ($(PUBLISH_DIR)/, never the warehouse). A missing or incomplete copy stops it in one line.
dashboard: $(VENV)/bin/dbt
	$(BIN)python reports/build_dashboard.py --publish-dir "$(PERSONAS_PUBLISH_DIR)" --warehouse "$(DEMO_DB)"

serve-dashboard: dashboard
	@echo "dashboard: http://127.0.0.1:$(DASHBOARD_PORT)/ (Ctrl-C stops it)"
	$(BIN)python -m http.server $(DASHBOARD_PORT) --bind 127.0.0.1 --directory reports/build

# The docs site, with the catalog of the demo warehouse: models, columns, tests, the exposures
# (dashboard pages, exports) and the lineage from the raw sources to them.
docs: $(VENV)/bin/dbt
	@test -f "$(DEMO_DB)" || { echo "docs: no warehouse at $(DEMO_DB): run \`make demo\` first"; exit 1; }
	PERSONAS_DUCKDB_PATH=$(DEMO_DB) $(DBT) docs generate
	$(DBT) docs serve --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

lint: lint-python lint-sql

lint-python:
	$(RUFF) check scripts tests plugins reports

# Run from the project root: .sqlfluff's dbt templater and its raw_data_path are relative to it.
# sqlfluff only warns about (and exits 0 on) a model that dbt cannot compile: that fails here.
lint-sql:
	@log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	echo "$(SQLFLUFF) lint models analyses"; \
	$(SQLFLUFF) lint models analyses 2>&1 | tee "$$log"; status=$${PIPESTATUS[0]}; \
	if grep -q "dbt raised a fatal exception" "$$log"; then \
		echo "lint-sql: a model did not compile, so it was not linted (see 'Skipped file' above)"; status=1; \
	fi; \
	exit $$status

# The demo seeds, every model, data test and unit test, in a DuckDB file that is thrown away:
# independent of `make demo` and of whatever personas.duckdb holds. With ENGINE=postgres or
# spark, on that target (PostgreSQL: the schemas raw, staging, ... of PERSONAS_POSTGRES_DATABASE
# are replaced; Spark: a throw-away catalog and warehouse under the temp folder). Var
# load_demo_data asks for the demo seeds, which PostgreSQL and Spark never load by default.
dbt-test:
	@tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/personas-test.XXXXXX"); \
	trap 'rm -rf "$$tmp"' EXIT; \
	echo "dbt build on $(ENGINE) (work folder $$tmp)"; \
	PERSONAS_TARGET=$(ENGINE) PERSONAS_SPARK_DIR="$$tmp/spark" \
	PERSONAS_DUCKDB_PATH="$$tmp/personas.duckdb" PERSONAS_PUBLISH_DIR="$$tmp/published" \
		$(DBT) build --vars '{load_demo_data: true}' --target-path "$$tmp/target" --log-path "$$tmp/logs"

pytest:
	$(PYTEST) tests/python -q

clean:
	rm -rf target logs

# Members, share of the consented list, email rates and revenue per segment, by name, from
# the demo warehouse (after `make demo`, whose build writes target/semantic_manifest.json).
# Any other question: .venv/bin/mf query --metrics ... --group-by segment__segment_name.
METRICS ?= segment_members,share_of_consented_profiles,open_rate,click_rate,unsubscribe_rate,spam_rate,attributed_revenue,average_order_value
metrics: $(VENV)/bin/dbt
	PERSONAS_DUCKDB_PATH=$(DEMO_DB) $(BIN)mf query --metrics $(METRICS) \
		--group-by segment__segment_name --order segment__segment_name

# The segment history (marts.segment_membership_history) for past days: one `dbt run` as of
# FROM, FROM+STEP, ... and TO (var as_of_date, no publish), then trends, transitions, their
# tests and one publish. Days already recorded are skipped (an interrupted backfill resumes);
# a day before the latest recorded one stops it, unless RESET=1 (drops the history first).
# README, "Segments over time".
STEP ?= 7
backfill: $(VENV)/bin/dbt
	@test -n "$(FROM)" && test -n "$(TO)" || { echo "usage: make backfill FROM=YYYY-MM-DD TO=YYYY-MM-DD [STEP=7] [RESET=1]"; exit 2; }
	PERSONAS_DUCKDB_PATH=$(DEMO_DB) $(BIN)python scripts/backfill.py --from "$(FROM)" --to "$(TO)" --step "$(STEP)" $(if $(RESET),--reset,)

# Generate a shop of SCALE profiles (kept under bench/data/), time a full build and one
# incremental day, print wall time, peak memory and rows per second per layer, and write
# them to bench/out/bench-SCALE.md. Example: make bench SCALE=1000000
SCALE ?= 100000
bench: $(VENV)/bin/dbt
	$(BIN)python scripts/bench.py --profiles $(SCALE)
