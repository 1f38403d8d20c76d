# Two commands matter: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install demo test bench lint check messages browser-deps clean-demo

# A fresh venv with exactly the locked versions; redone when the lock changes.
$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Local secrets for the demo only, created once under var/ (git-ignored) and never replaced.
var/secret_key var/keys/encryption_keys var/keys/blind_index_keys var/keys/receipt_code_keys var/keys/audit_signing_keys:
	@mkdir -p var/keys
	@test -f var/secret_key || ($(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key && chmod 600 var/secret_key && echo "Created var/secret_key (demo only).")
	@$(PYTHON) deploy/generate_keys.py demo-kek-1 --into var/keys/encryption_keys
	@$(PYTHON) deploy/generate_keys.py demo-bik-1 --into var/keys/blind_index_keys
	@$(PYTHON) deploy/generate_keys.py demo-rck-1 --into var/keys/receipt_code_keys
	@$(PYTHON) deploy/generate_keys.py demo-ask-1 --into var/keys/audit_signing_keys

demo: install var/secret_key var/keys/encryption_keys var/keys/blind_index_keys var/keys/receipt_code_keys var/keys/audit_signing_keys
	HOST=$(HOST) PORT=$(PORT) bash deploy/demo.sh

# Chromium and ChromeDriver from Debian, axe-core from npm: the browser tests need both.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium is missing and this is not root: browser tests will be skipped (CI fails)"; fi; }
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  else echo "npm is missing and this is not root: browser tests will be skipped (CI fails)"; fi; }
	@test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund --silent

test: install browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(PY) -m bench.run $(BENCH)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy .
	$(VENV)/bin/bandit -q -c pyproject.toml -r .

check: install
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py makemigrations --check --dry-run

# Regenerate and compile the Dutch catalogue after changing visible strings.
messages: install
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py makemessages -l nl --ignore=.venv --ignore=node_modules --ignore=var --no-obsolete
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py compilemessages -l nl --ignore=.venv

clean-demo:
	rm -rf var/ombuds.sqlite3* var/celery var/cache
