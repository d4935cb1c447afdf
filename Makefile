# Two commands on a fresh machine: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export FLASK_APP := wsgi
# PostgreSQL for the test run: a superuser connection, used only to create the test roles and database.
PORTAL_TEST_PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export PORTAL_TEST_PG_ADMIN_URL

BUILD := portal/static/build
# Test processes per pass (pytest-xdist; each has its own database).
TEST_WORKERS ?= 2
# The portal's clock in each pass (PORTAL_TEST_CLOCK, see tests/moments.py): `real`, `daily` (an
# awkward moment a day, in turn), `daily:N`, a moment's name or an ISO 8601 moment. The tests of dates
# and times run at every awkward moment in every pass whatever this says.
SQLITE_CLOCK ?= daily
POSTGRES_CLOCK ?= real
E2E_CLOCK ?= daily:3

.PHONY: help run test lint lock test-sqlite test-postgres test-e2e bench deps python-deps assets chromium java services-check clean

help:
	@echo "make run   - install, migrate, load demo data and serve on http://127.0.0.1:5000"
	@echo "make test  - install and run every test (SQLite, PostgreSQL, end-to-end)"
	@echo "make lint  - ruff, import contracts, mypy (also run by make test)"
	@echo "make bench - benchmarks"

# Exactly the packages CI tested: requirements.lock pins every package, dependencies of dependencies
# included, with their hashes (made from pyproject.toml by `make lock`). The portal itself is installed
# on top, with nothing more.
$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

python-deps: $(BIN)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BUILD)/.built: node_modules/.installed portal/assets/portal.scss
	mkdir -p $(BUILD)/govuk
	npm run --silent build
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(BUILD)/govuk/
	rm -rf $(BUILD)/govuk/assets && cp -r node_modules/govuk-frontend/dist/govuk/assets $(BUILD)/govuk/assets
	touch $@

assets: $(BUILD)/.built

deps: python-deps assets

run: deps
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed
	$(BIN)/flask demo users
	@echo
	@echo "Serving on http://127.0.0.1:5000 (SQLite, jobs in process, emails written to instance/mail)"
	JOBS_RUN_SCHEDULER_IN_PROCESS=1 $(BIN)/flask run --host 127.0.0.1 --port 5000

# Debian's chromium for the end-to-end journeys (Playwright's own browser download cannot work here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium (apt-get)..."; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium >/dev/null

# Java runs the Nu HTML Checker (npm's vnu-jar) over the pages the journeys save.
java:
	@command -v java >/dev/null 2>&1 || { \
		echo "Installing Debian's Java runtime (apt-get)..."; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq default-jre-headless >/dev/null; }
	@command -v java >/dev/null

# Lint and format (ruff), import contracts and cycles, types on the infrastructure packages.
lint: python-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=. $(BIN)/lint-imports
	$(BIN)/mypy

# Make requirements.lock again from pyproject.toml (after changing a pin there).
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --disable-pip-version-check pip-tools==7.7.0
	PIP_FIND_LINKS= PIP_EXTRA_INDEX_URL= .venv-lock/bin/pip-compile --quiet --generate-hashes --allow-unsafe --extra dev \
		--strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml
	rm -rf .venv-lock

services-check: python-deps
	$(BIN)/python -m tests.services

test: deps chromium lint services-check test-sqlite test-postgres test-e2e

test-sqlite: deps
	PORTAL_TEST_CLOCK=$(SQLITE_CLOCK) PORTAL_TEST_DATABASE=sqlite $(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) tests

test-postgres: deps
	PORTAL_TEST_CLOCK=$(POSTGRES_CLOCK) PORTAL_TEST_DATABASE=postgresql $(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) tests

test-e2e: deps chromium java
	PORTAL_TEST_CLOCK=$(E2E_CLOCK) $(BIN)/pytest -q -p no:cacheprovider e2e

bench: deps
	$(BIN)/pytest -q -p no:cacheprovider benchmarks --benchmark-only
	$(BIN)/python -m benchmarks.large_authority
	$(BIN)/python -m benchmarks.cpu_per_request --both --repeat 60
	$(BIN)/python -m benchmarks.summary

clean:
	rm -rf $(VENV) node_modules $(BUILD) test-output
