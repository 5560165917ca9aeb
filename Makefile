# The README's commands. Everything installs into .venv from the project's own files.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The store's public address in development: the Site's domain and every link in an email follow
# it. Passed to the commands of `make run` only (the tests and prod-local set their own).
SITE_URL ?= http://$(HOST):$(PORT)
PORT_PROD ?= 8001
PYTEST_ARGS ?=

.PHONY: run test install install-dev migrate seed staff lint check clean prod-local bench soak soak-faults lighthouse

run: install migrate seed ## Serve the store with demo data on SQLite, and the email worker beside it
	SITE_URL=$(SITE_URL) $(BIN)/python scripts/run_dev.py $(HOST):$(PORT)

test: install-dev node_modules/.installed ## Run the whole test suite
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# axe-core (and Lighthouse) for the browser tests. Without npm the browser tests are skipped
# (with the reason shown); CI has npm and Chromium and runs them.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the browser tests will be skipped"; \
	fi

migrate: install
	$(MANAGE) migrate --noinput

# seed_demo runs setup_store first, which points the Site at SITE_URL: an existing database follows PORT.
seed: install
	SITE_URL=$(SITE_URL) $(MANAGE) seed_demo

staff: install migrate ## Create a staff login for the dashboard (asks for a password)
	$(MANAGE) createsuperuser

# The local PostgreSQL and Redis; the database is created when missing.
PROD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/qlclaw_prod
PROD_REDIS_URL ?= redis://127.0.0.1:6379/1

prod-local: install ## The production profile (gunicorn, PostgreSQL, Redis) on 127.0.0.1:$(PORT_PROD)
	PORT=$(PORT_PROD) DATABASE_URL=$(PROD_DATABASE_URL) REDIS_URL=$(PROD_REDIS_URL) \
		$(BIN)/python scripts/serve_production.py

# The store, stock Oscar 4.2 (scripts/stock_oscar/) and a static file side by side in one run, plus
# orders arriving 5 times a second while shoppers browse. docs/deploy.md, "Benchmark".
bench: install-dev ## Load benchmark (wrk): ours vs stock Oscar vs static, cached and uncached, req/s and latency
	$(BIN)/python scripts/bench.py

# FAULTS=1 (or make soak-faults): gunicorn workers killed, a Redis outage, then the sweep and the books
# against localstripe. NODES=2: two app servers behind HAProxy, one killed for a while mid-soak.
# Combinable. SOAK_SECONDS=120 for a shorter run (default 300). docs/deploy.md, "Soak".
soak: install-dev ## The benchmark's soak mode: minutes of browsing and buying (localstripe), then the books
	$(if $(FAULTS),SOAK_FAULTS=1 )$(if $(NODES),SOAK_NODES=$(NODES) )$(BIN)/python scripts/soak.py

soak-faults: ## make soak with faults: workers killed, Redis stopped, then the sweep and the books
	$(MAKE) soak FAULTS=1

# SUBSCRIBERS=20000 for a shorter run; DATABASE_URL=postgres://... to measure on PostgreSQL. docs/newsletter.md.
.PHONY: bench-newsletter
bench-newsletter: install ## Send one campaign to 100,000 subscribers (locmem email): time and peak memory
	$(BIN)/python scripts/bench_newsletter.py $(if $(SUBSCRIBERS),--subscribers $(SUBSCRIBERS))

lighthouse: install-dev node_modules/.installed ## Lighthouse budgets: home, product, article, cart, checkout, order status
	$(BIN)/python scripts/lighthouse.py

lint: install-dev
	$(BIN)/ruff check .

check: install-dev
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var db.sqlite3
