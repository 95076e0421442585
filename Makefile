# The README's two commands: `make run` and `make test`. Both install what they need first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev run serve test lint worker scale-test lock
WORKERS ?= 1

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Exactly the locked versions: requirements.txt (and requirements-dev.txt for the tests) list every
# package of the tree with its hashes, compiled from the .in files by `make lock`. torch is in the
# same pip command as sentence-transformers, pinned to the local CPU wheel (torch==2.13.0+cpu).
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $(VENV)/.installed $@

# Browser tests drive Debian's Chromium (Playwright's own browser downloads are not used).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	$(SUDO) apt-get update -q
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium

# The fleet harness (and its reduced form in the tests) runs Debian's redis-server and nginx.
REDIS := /usr/bin/redis-server
NGINX := /usr/sbin/nginx

$(REDIS) $(NGINX):
	$(SUDO) apt-get update -q
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q redis-server nginx

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Migrates and serves (chatkit_site/devserver.py: Django and PostgreSQL each started once).
# exec: the server replaces the shell, so it is make's child and stops when make is stopped.
run: install
	exec $(BIN)/python -m chatkit_site.devserver $(HOST):$(PORT)

# Production: uvicorn with the project's options (chatkit_site/serve.py says which and why).
serve: install
	$(BIN)/python manage.py migrate --noinput
	exec $(BIN)/python -m chatkit_site.serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: install-dev $(CHROMIUM) $(REDIS) $(NGINX)
	$(BIN)/python -m pytest

# deploy/ run for real: PostgreSQL, Redis, 3 workers and the task worker behind nginx; 200 users
# x 5 turns, a SIGKILL, a graceful stop, database and Redis restarts (fleet/scenario.py).
scale-test: install-dev $(REDIS) $(NGINX)
	$(BIN)/python -m fleet --workers 3 --users 200 --turns 5

# Recompile the locks from requirements.in / requirements-dev.in (pip-tools, with hashes). Versions
# already locked are kept unless the .in files exclude them; UPGRADE=1 takes the newest allowed,
# UPGRADE=django upgrades one package (README "Dependencies").
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-header --no-emit-index-url --no-emit-find-links \
	$(if $(filter 1,$(UPGRADE)),--upgrade,$(if $(UPGRADE),--upgrade-package $(UPGRADE)))
lock: install-dev
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

lint: install-dev
	$(BIN)/ruff check .

worker: install
	$(BIN)/python manage.py db_worker
