# The two commands: `make run` (whole site on SQLite with demo data) and `make test` (every test).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app marketplace
PORT ?= 8000

.PHONY: demo-code run test install install-test translations translations-update lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

translations: | $(BIN)/python
	@$(BIN)/pybabel compile -d translations --statistics 2>&1 | grep -v '^compiling' || true

## Re-extract strings and merge them into the vi/en catalogs (then translate vi.po).
translations-update: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching -w 120

run: install
	$(FLASK) db upgrade
	$(FLASK) reference load
	$(FLASK) seed demo --if-empty
	@echo ""
	@echo "  Chợ công nghệ số: http://127.0.0.1:$(PORT)   (Ctrl-C stops web and worker)"
	@echo "  Demo accounts: admin@ moderator@ organiser@ institute@ business@ university@ coop@demo.example"
	@echo "  Demo password: demo-cho-cong-nghe-2026      Dev mailbox: http://127.0.0.1:$(PORT)/dev/mail/"
	@echo "  Staff second factor: secret CHOCONGNGHESOHUNGYENDEMO, or the current codes: make demo-code"
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	  $(FLASK) worker & \
	  GUNICORN_BIND=127.0.0.1:$(PORT) $(BIN)/gunicorn -c deploy/gunicorn.conf.py "marketplace:create_app()" & \
	  wait

demo-code: install
	@$(FLASK) seed demo-code

test: install-test
	@if [ "$$(id -u)" = "0" ] && [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian chromium and fonts-noto-core for browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null) \
	    || echo "chromium could not be installed: browser tests will be skipped"; \
	fi
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

bench: install-test
	$(BIN)/python bench/http_baseline.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
