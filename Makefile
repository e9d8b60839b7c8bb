# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_WORKERS ?= auto

.PHONY: run test bench load load-pages lint typecheck format install install-dev browser worker beat check-deploy clean messages i18n-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip "setuptools<81" wheel

# Installs are stamped so that `make run` twice does not reinstall.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --no-build-isolation -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt loadtest/requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --no-build-isolation -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: set up and serve the site on the embedded defaults (SQLite, in-process tasks, console email)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  Mentorship is running at http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	@echo ""
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: set up and run the whole suite, browser tests included (PostgreSQL when DATABASE_URL is set)
# One pytest-xdist worker per core, each on its own test database; `TEST_WORKERS=0`
# runs in one process. loadgroup hands out tests one by one but keeps each
# `xdist_group` on a single worker.
test: install-dev browser node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

## browser: make sure Debian's chromium is there for the browser tests (never downloads a browser build)
browser:
	@command -v chromium >/dev/null 2>&1 || [ -n "$$CHROMIUM_PATH" ] || ./scripts/install-chromium.sh

# axe-core, which the accessibility browser tests inject into each page, and oidc-provider, the
# OpenID Connect provider the single sign-on tests start; pinned in package-lock.json. A change
# to either file reinstalls both.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || ./scripts/install-npm.sh
	npm ci --no-audit --no-fund
	touch $@

## bench: time the matching engine on seeded synthetic cohorts (table in benchmarks/results.md)
bench: install-dev
	$(BIN)/python -m benchmarks.run

## load: open loop, LOAD_RATE pages/s (50) for LOAD_SECONDS (60) on gunicorn, Celery, PostgreSQL, Redis; bar p95 <= 150 ms
load: install
	./loadtest/run.sh

## load-pages: each busiest page in-process on the load database; bar median <= 20 ms and <= 12 queries
load-pages: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python loadtest/pages.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## typecheck: mypy with django-stubs over every app (settings in pyproject.toml)
typecheck: install-dev
	$(BIN)/mypy

## messages: gather the words marked for translation into locale/*/django.po and compile the .mo files
messages: install-dev
	$(BIN)/python scripts/messages.py extract
	$(BIN)/python scripts/messages.py fill

## i18n-check: fail on words for people left unmarked, on untranslated or fuzzy entries, on stale .mo files
i18n-check: install-dev
	$(BIN)/python scripts/check_i18n.py
	$(BIN)/python scripts/messages.py check

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A mentorship worker --loglevel=INFO

beat: install
	$(BIN)/celery -A mentorship beat --loglevel=INFO

## check-deploy: Django's deployment checklist against production-like settings
check-deploy: install
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-but-long-enough-for-the-check \
	SECURE_SSL_REDIRECT=1 SECURE_HSTS_SECONDS=31536000 SECURE_HSTS_INCLUDE_SUBDOMAINS=1 \
	SECURE_HSTS_PRELOAD=1 SESSION_COOKIE_SECURE=1 CSRF_COOKIE_SECURE=1 BEHIND_TLS_PROXY=1 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache .ruff_cache .mypy_cache
