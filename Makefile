# `make run`: the app with demo data, a Celery worker and beat, on SQLite; no services needed.
# `make test`: the whole suite against PostgreSQL, Redis, a real worker, SMTP and Chromium.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint format messages venv system-deps services clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

run: venv
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 bin/run-dev

system-deps:
	bin/ensure-system-deps

services:
	bin/ensure-services

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: venv system-deps services lint
	$(PY) -m pytest $(PYTEST_ARGS)

format: venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Refresh the translation catalogues after changing strings, then translate and compile.
messages: venv
	DEBUG=1 $(PY) manage.py makemessages -l fr -l es -l ar --no-obsolete --no-location --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var db.sqlite3
