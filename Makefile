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

# The steps of `make test`, in order. `make test-fast` leaves out pytest's slow modules (marked
# `slow`: other engines, the browser, backfills, the demo shop, CDNOW); `make test-slim` is the
# pull-request CI: dbt builds only what changed against the main branch's state ($(STATE)).
TEST_STEPS := lint-python lint-sql dbt-test pytest
FAST_STEPS := lint-python lint-sql dbt-test pytest-fast
SLIM_STEPS := lint-python lint-sql dbt-slim pytest-fast

# The main branch's state for `make test-slim`: manifest.json and the built demo warehouse
# personas.duckdb (`make slim-state` writes them; the GitHub workflow keeps main's as an artifact).
STATE ?= state

.PHONY: help setup demo test test-fast test-slim $(sort $(TEST_STEPS) $(FAST_STEPS) $(SLIM_STEPS)) slim-state lint clean contract bench docs publish export metrics backfill dashboard serve-dashboard

help:
	@echo "make setup        create $(VENV) and install requirements.txt"
	@echo "make demo         load the demo seeds and build everything into $(DEMO_DB)"
	@echo "make test         the test suite, in order: $(TEST_STEPS)"
	@echo "make test-fast    the same without pytest's slow modules: $(FAST_STEPS) (4½ minutes on 2 idle cores)"
	@echo "make test-slim STATE=dir  the pull-request CI: $(SLIM_STEPS), where dbt-slim builds and tests"
	@echo "                  only what changed against the main branch's state in dir (make slim-state);"
	@echo "                  no state there: the whole demo build (dbt-test)"
	@echo "make slim-state STATE=dir  that state from this checkout: dir/manifest.json, dir/personas.duckdb"
	@echo "make lint         lint-python and lint-sql only"
	@echo "make lint-python  ruff check scripts tests plugins"
	@echo "make lint-sql     sqlfluff lint models analyses (compiles every model: about half a minute)"
	@echo "make dbt-test     dbt build of the demo (every data test and unit test) into a throw-away DuckDB"
	@echo "                  (ENGINE=postgres or ENGINE=spark: on that target instead)"
	@echo "make pytest       pytest tests/python (builds its own fixtures)"
	@echo "make pytest-fast  pytest tests/python -m 'not slow'"
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
	@echo "make contract     regenerate the unit tests' copy of the raw data contract (after editing"
	@echo "                  models/staging/_raw__sources.yml)"
	@echo "make clean        remove dbt's target/ and logs/"

setup: $(VENV)/bin/dbt

# The raw data contract is declared in models/staging/_raw__sources.yml; dbt compiles unit
# tests without the sources, so they read a generated copy (tests/python/test_raw_contract.py
# fails while it is stale).
contract:
	$(BIN)python scripts/raw_contract.py

# The venv is made (or brought up to date) whenever requirements.txt is newer than it, so
# `make demo` and `make test` work on a fresh machine with nothing else run first.
$(VENV)/bin/dbt: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

demo: $(VENV)/bin/dbt
	PERSONAS_DUCKDB_PATH=$(DEMO_DB) $(DBT) seed --full-refresh
	PERSONAS_DUCKDB_PATH=$(DEMO_DB) $(DBT) build --exclude resource_type:seed

# $(call run-steps,NAME,STEPS): make each step; every step runs even when an earlier one
# failed, so that one run reports everything; the timings and a summary close the output, and
# the exit status is non-zero if any step failed.
define run-steps
@failed=0; summary=""; \
for step in $(2); do \
	echo ""; echo "==> make $$step"; \
	start=$$(date +%s); \
	if $(MAKE) --no-print-directory $$step; then status=passed; else status=FAILED; failed=$$((failed + 1)); fi; \
	seconds=$$(( $$(date +%s) - start )); \
	echo "<== make $$step: $$status in $${seconds}s"; \
	summary+=$$(printf '  %-12s %-7s %5ss' "$$step" "$$status" "$$seconds")$$'\n'; \
done; \
echo ""; echo "make $(1): every step"; printf '%s' "$$summary"; \
test $$failed -eq 0
endef

test: $(VENV)/bin/dbt
	+$(call run-steps,test,$(TEST_STEPS))

test-fast: $(VENV)/bin/dbt
	+$(call run-steps,test-fast,$(FAST_STEPS))

test-slim: $(VENV)/bin/dbt
	+$(call run-steps,test-slim,$(SLIM_STEPS))

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

pytest-fast:
	$(PYTEST) tests/python -q -m "not slow"

# The main branch's state for slim CI, from this checkout: the demo's seeds and models (no
# tests: they only check) in $(STATE)/personas.duckdb, the manifest.json of that build, and
# the checksums of what dbt's state comparison does not see (SLIM_INPUTS; the seeds' files).
SLIM_INPUTS := dbt_project.yml profiles.yml requirements.txt
slim-state: $(VENV)/bin/dbt
	@mkdir -p "$(STATE)"; rm -f "$(STATE)"/{personas.duckdb,manifest.json,inputs.sha256,seeds.sha256}; \
	tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/personas-state.XXXXXX"); \
	trap 'rm -rf "$$tmp"' EXIT; \
	PERSONAS_DUCKDB_PATH="$(STATE)/personas.duckdb" PERSONAS_PUBLISH_DIR="$$tmp/published" \
		$(DBT) build --exclude-resource-type test --exclude-resource-type unit_test \
		--target-path "$$tmp/target" --log-path "$$tmp/logs" && \
	sha256sum $(SLIM_INPUTS) > "$(STATE)/inputs.sha256" && \
	sha256sum seeds/*.csv > "$(STATE)/seeds.sha256" && \
	cp "$$tmp/target/manifest.json" "$(STATE)/manifest.json"

# Slim CI: only the nodes that differ from the main branch's state ($(STATE)/manifest.json)
# and everything downstream of them (state:modified+: models, seeds, their data and unit
# tests), rebuilt from scratch in a copy of main's warehouse ($(STATE)/personas.duckdb), which
# holds every unchanged parent: --defer resolves a parent that was not selected to main's
# relation, and that relation is in the copy (same database file name, same schemas). A
# throw-away empty DuckDB would not do: a child of the change that also reads an unchanged
# model would find no table. What dbt does not compare is handled here: a seed over 1 MB
# (dbt compares its path only) whose file changed is selected with its descendants, and a
# change to dbt_project.yml (vars: every threshold), profiles.yml or requirements.txt, or no
# state in $(STATE)/, builds the whole demo instead (dbt-test).
dbt-slim:
	@for file in manifest.json personas.duckdb inputs.sha256 seeds.sha256; do \
		if [ ! -f "$(STATE)/$$file" ]; then \
			echo "dbt-slim: no main-branch state in $(STATE)/ (make slim-state): the whole demo build instead"; \
			exec $(MAKE) --no-print-directory dbt-test; \
		fi; \
	done; \
	inputs=$$(sha256sum --check --quiet "$(STATE)/inputs.sha256" 2>/dev/null | sed -n 's/: FAILED.*//p' | tr '\n' ' '); \
	if [ -n "$$inputs" ]; then \
		echo "dbt-slim: $${inputs}changed (state:modified does not compare vars and settings): the whole demo build instead"; \
		exec $(MAKE) --no-print-directory dbt-test; \
	fi; \
	seeds=$$(sha256sum --check --quiet "$(STATE)/seeds.sha256" 2>/dev/null \
		| sed -n 's|^seeds/\(.*\)\.csv: FAILED$$|\1+|p' | tr '\n' ' '); \
	tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/personas-slim.XXXXXX"); \
	trap 'rm -rf "$$tmp"' EXIT; \
	cp "$(STATE)/personas.duckdb" "$$tmp/personas.duckdb"; \
	echo "dbt build --select state:modified+ $$seeds--defer --state $(STATE) (work folder $$tmp)"; \
	PERSONAS_DUCKDB_PATH="$$tmp/personas.duckdb" PERSONAS_PUBLISH_DIR="$$tmp/published" \
		$(DBT) build --select state:modified+ $$seeds --defer --state "$(STATE)" --full-refresh \
		--warn-error-options '{"silence": ["SeedExceedsLimitSamePath"]}' \
		--target-path "$$tmp/target" --log-path "$$tmp/logs"

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
