# The two commands of the README: `make demo` and `make test`.
PY := .venv/bin/python

.PHONY: setup demo test lint

setup:
	@bin/setup

## Runs the demo school on http://127.0.0.1:8000 (SQLite in the project folder).
demo: setup
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:8000

## Runs the whole test suite (DATABASE_URL=postgres://... to run it on PostgreSQL).
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m lint-imports
	$(PY) manage.py makemigrations --check --dry-run
