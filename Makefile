# Two commands: `make run` (demo on SQLite) and `make test` (the whole suite).
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo uv)
PY := uv run --frozen python
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: run serve setup setup-test test test-fast lint bench openapi check-openapi clean

setup:
	@scripts/ensure-system-deps
	@uv sync --frozen --quiet

setup-test:
	@scripts/ensure-system-deps --with-browser
	@uv sync --frozen --quiet

run: setup
	$(PY) -m vangnet migrate --noinput -v0
	$(PY) -m vangnet demo --url http://127.0.0.1:$(PORT)
	@# Compile the waiting-list engine now, not on the first dashboard request.
	$(PY) -m vangnet waitlists warm
	@echo "Vangnet draait op http://127.0.0.1:$(PORT) (stoppen met Ctrl-C)"
	$(PY) -m vangnet runserver 127.0.0.1:$(PORT) --noreload

# As in production: gunicorn (workers sized to the cores, scripts/gunicorn.conf.py), static
# files by WhiteNoise, PostgreSQL. Needs DATABASE_URL=postgres://... and VANGNET_SECRET_KEY;
# VANGNET_SSL_REDIRECT=0 when no TLS proxy is in front (local tests and the load benchmark).
SERVE_SETTINGS ?= vangnet.settings.production
serve: setup
	@test -n "$$DATABASE_URL" || { echo "make serve: zet DATABASE_URL=postgres://..."; exit 1; }
	DJANGO_SETTINGS_MODULE=$(SERVE_SETTINGS) $(PY) -m vangnet migrate --noinput -v0
	DJANGO_SETTINGS_MODULE=$(SERVE_SETTINGS) $(PY) -m vangnet collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=$(SERVE_SETTINGS) $(PY) -m vangnet waitlists warm
	DJANGO_SETTINGS_MODULE=$(SERVE_SETTINGS) exec uv run --frozen gunicorn --config scripts/gunicorn.conf.py

# The whole suite: unit, service, API, access-log, property and browser tests.
# DATABASE_URL chooses the database (default: SQLite in memory).
test: setup-test
	uv run --frozen pytest $(PYTEST_ARGS)

lint: setup
	uv run --frozen ruff check src bench
	uv run --frozen ruff format --check src bench
	uv run --frozen mypy
	uv run --frozen lint-imports
	DJANGO_SETTINGS_MODULE=vangnet.settings.test $(PY) -m vangnet makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-openapi

openapi: setup
	DJANGO_SETTINGS_MODULE=vangnet.settings.test $(PY) -m vangnet export_openapi docs/openapi.json

check-openapi:
	DJANGO_SETTINGS_MODULE=vangnet.settings.test $(PY) -m vangnet export_openapi --check docs/openapi.json

bench: setup
	uv run --frozen python bench/waitcount.py
	uv run --frozen python bench/matching.py
	uv run --frozen python bench/simulation.py
	uv run --frozen python bench/sociale_kaart.py
	uv run --frozen python bench/import.py
	uv run --frozen python bench/web.py
	uv run --frozen python bench/monitor_pdf.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
