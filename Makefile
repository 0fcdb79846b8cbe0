# Gemba Walk — `make run` serves the demo, `make test` runs every test. Both install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
HTTPS ?=
# What QR labels encode: the address `make run` serves, unless set (labels warn when it differs).
PUBLIC_BASE_URL ?= $(if $(HTTPS),https,http)://$(HOST):$(PORT)
export FLASK_APP := gemba_walk
export PUBLIC_BASE_URL

.PHONY: help install lock assets api-types catalogs messages db run test test-fast test-sqlite \
	test-postgres browser webkit bench-smoke hooks lint lint-js format clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# Every Python package, transitive ones included, comes from requirements.lock (made by `make lock`
# from pyproject.toml), so a fresh machine installs what CI tested; then the app itself, alone.
$(BIN)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet $(PIP) $(SETUPTOOLS)
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/dist/manifest.json: node_modules/.installed static/build.mjs $(shell find static/js static/css static/img -type f 2>/dev/null) \
		templates/_head.html templates/capture/shell.html templates/offline.html gemba_walk/web/pwa.py
	npm run --silent build

install: $(BIN)/.installed node_modules/.installed ## Install Python and npm dependencies

PIP_TOOLS := pip-tools==7.6.2
# The installers are pinned as well; the app is built with this setuptools (no build isolation,
# which would fetch whatever setuptools is newest that day).
PIP := pip==26.3
SETUPTOOLS := setuptools==84.2.1

lock: ## Resolve requirements.lock again from pyproject.toml (run after changing a pin there)
	@test -x $(VENV)-lock/bin/pip-compile || { $(PYTHON) -m venv $(VENV)-lock \
		&& $(VENV)-lock/bin/pip install --quiet $(PIP_TOOLS); }
	$(VENV)-lock/bin/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml

assets: static/dist/manifest.json catalogs ## Build the front-end assets and compile the translations

# The phone's API types, generated from the OpenAPI document (tests/test_api_types.py fails when
# the committed file is not what the models give): run after changing a model of the API.
api-types: install ## Regenerate static/js/shared/api-types.d.ts from /api/v1/openapi.json
	npm run --silent api-types

# Translations (docs/I18N.md): the .po catalogs are committed, the compiled .mo files are built
# here (git-ignored), so a fresh clone speaks every language after `make assets`.
TRANSLATIONS := gemba_walk/translations
LANGUAGES := de es ja
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(TRANSLATIONS)/%.mo: $(TRANSLATIONS)/%.po $(BIN)/.installed
	@$(BIN)/pybabel compile --statistics -i $< -o $@

catalogs: $(MO_FILES) ## Compile the translation catalogs (pybabel compile)

# One sorted catalog per domain, without source locations: merges of parallel work stay small.
# The .po files keep their header (an update without one makes pybabel compile skip the
# catalog as fuzzy, silently).
EXTRACT := $(BIN)/pybabel extract --no-location --sort-output --omit-header
messages: install ## Extract every marked string and merge it into each language's catalogs
	@mkdir -p $(TRANSLATIONS)
	$(EXTRACT) -F babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot .
	$(EXTRACT) -F babel-js.cfg --no-default-keywords -k t -k N_ -o $(TRANSLATIONS)/js.pot .
	@for domain in messages js; do for lang in $(LANGUAGES); do \
		if [ -f $(TRANSLATIONS)/$$lang/LC_MESSAGES/$$domain.po ]; then \
			$(BIN)/pybabel update --no-fuzzy-matching --width 100 -D $$domain -l $$lang \
				-i $(TRANSLATIONS)/$$domain.pot -d $(TRANSLATIONS); \
		else $(BIN)/pybabel init -D $$domain -l $$lang -i $(TRANSLATIONS)/$$domain.pot -d $(TRANSLATIONS); fi; \
	done; done

db: install ## Create or upgrade the database; load the demo only into an empty one
	$(BIN)/flask init-db
	$(BIN)/flask seed-demo --if-empty

run: install assets db ## Serve the app and run its job consumer (HOST, PORT; HTTPS=1 for a self-signed certificate)
ifeq ($(HTTPS),)
	@echo "Serving on http://$(HOST):$(PORT) with the job consumer  (Ctrl-C stops both)"
	BIN=$(BIN) WORKERS=$(WORKERS) HOST=$(HOST) PORT=$(PORT) GUNICORN_TLS= $(BIN)/honcho start -f Procfile
else
	$(BIN)/flask make-cert
	@echo "Serving on https://$(HOST):$(PORT) with the job consumer  (self-signed: accept the warning once per device)"
	SESSION_COOKIE_SECURE=1 BIN=$(BIN) WORKERS=$(WORKERS) HOST=$(HOST) PORT=$(PORT) \
		GUNICORN_TLS="--certfile instance/tls/cert.pem --keyfile instance/tls/key.pem" \
		$(BIN)/honcho start -f Procfile
endif

browser: ## Make sure a Chromium for the browser tests exists, and a font for Japanese pages
	@if [ -n "$$CHROMIUM_PATH" ] || command -v chromium >/dev/null || [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else $(BIN)/playwright install chromium; fi
	@# Japanese renders as empty boxes without a CJK font; a phone has one, a server
	@# image often not. Installed here as root with apt-get; elsewhere install Noto CJK yourself.
	@if [ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto | grep -q CJK; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null; fi
	@# Printed pages are also rendered to PNG (poppler's pdftoppm) for a person to look at.
	@if command -v pdftoppm >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get install -y -qq poppler-utils >/dev/null || true; fi

# WebKit (tests marked webkit): WebKitGTK's WebDriver, Xvfb, and WebKitGTK for Debian's Python.
WEBKIT_DEBS := webkit2gtk-driver xvfb gir1.2-webkit2-4.1 python3-gi

webkit: ## Install WebKitGTK for the WebKit tests (as root with apt-get; otherwise they skip)
	@if [ -x /usr/bin/WebKitWebDriver ] && command -v Xvfb >/dev/null \
		&& /usr/bin/python3 -c "import gi; gi.require_version('WebKit2', '4.1')" 2>/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq $(WEBKIT_DEBS) >/dev/null; \
	else echo "WebKit not installed (needs root and apt-get: $(WEBKIT_DEBS)); the WebKit tests skip."; fi

# Two pytest-xdist workers: the browser stories run one after another on one of them (their
# xdist_group, tests/conftest.py), the other tests beside them. PYTEST_WORKERS=0 runs one process.
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadgroup)

test: install assets browser webkit ## Run the whole suite on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set
	$(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== The same suite on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		GEMBA_TEST_DB=postgresql $(PYTEST); \
	fi
	@$(MAKE) --no-print-directory bench-smoke

# Every bench in bench/ in its quick mode (bench/smoke.sh), on temporary SQLite files, after the
# browser tests (the capture bench drives Chromium): a bench that no longer runs fails the suite.
bench-smoke: install assets browser ## Run every bench in bench/ in its quick mode (a minute or two; BROWSER_LOCK="flock FILE" for the Chromium one)
	PYTHON=$(BIN)/python bench/smoke.sh

test-fast: install assets ## Everything but the browser tests (Chromium and WebKit), on SQLite: the inner loop
	$(PYTEST) -m "not browser and not webkit"

hooks: ## Use the repository's git hooks (.githooks/: commit subjects of at most 72 characters)
	git config core.hooksPath .githooks

lint: install lint-js ## ruff check and format check, the import layers (lint-imports), mypy strict on api/, sync/ and findings/, the JS (lint-js)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

JS_SOURCES := static/js static/css tests/js static/build.mjs static/api-types.mjs

lint-js: node_modules/.installed ## Biome (lint and format JS, no JS function over 80 lines, lint CSS: an unbalanced brace fails), lines of at most 120 characters, tsc on all of static/js (the service worker with the webworker library)
	npx --no-install biome check --error-on-warnings $(JS_SOURCES)
	@long=$$(find $(JS_SOURCES) -name '*.js' -o -name '*.mjs' | xargs awk 'length > 120 {print FILENAME ":" FNR}'); \
		if [ -n "$$long" ]; then echo "JS lines past 120 characters:"; echo "$$long"; exit 1; fi
	npx --no-install tsc --noEmit -p jsconfig.json
	npx --no-install tsc --noEmit -p static/js/sw/jsconfig.json

format: install node_modules/.installed ## Fix lint and formatting where ruff and Biome can
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	npx --no-install biome check --write $(JS_SOURCES)

clean: ## Remove built assets and test artifacts (never the database)
	rm -rf static/dist tests/artifacts .pytest_cache
