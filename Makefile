# The two commands of the README: `make demo` and `make test`.
PY := .venv/bin/python
# CI runs the same suite under coverage: make test PYTEST='.venv/bin/python -m coverage run -m pytest'
PYTEST ?= $(PY) -m pytest
# One test process per core (pytest-xdist); a file's tests stay in one worker (and a
# package's sharing a fixture: tests/conftest.py's scheduler groups them) so
# module-scoped fixtures (a built demo school) are built once; the longest
# groups go first (tests/conftest.py orders them). XDIST= runs serially.
XDIST ?= -n auto --dist loadscope --no-loadscope-reorder
PORT ?= 8000

.PHONY: setup demo test lint coverage

setup:
	@bin/setup

## Runs the demo school on http://127.0.0.1:$(PORT) (default 8000; SQLite in the project folder).
demo: setup
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo
	@# Static files as production serves them: collected, compressed, hashed
	@# names with long cache headers (WhiteNoise), not runserver's plain copy.
	@SERVE_STATIC=true $(PY) manage.py collectstatic --no-input -v 0
	@echo "== 演示学校：http://127.0.0.1:$(PORT)/  （按 Ctrl+C 停止）"
	@# The task worker prints big agreement batches in the background; the demo
	@# runs with DEBUG off so visitors see the product's own Chinese error pages.
	@# Notices sent by the worker link to the port the demo runs on.
	@export SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	  $(PY) manage.py db_worker >/dev/null 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=false SERVE_STATIC=true $(PY) manage.py runserver --nostatic 127.0.0.1:$(PORT)

## Runs the whole test suite (DATABASE_URL=postgres://... to run it on PostgreSQL).
## pytest exits 5 when it collected no test: that is a failure, not a pass.
test: setup
	@$(PYTEST) $(XDIST) $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc = 5 ]; then echo "!! 没有收集到任何测试" >&2; fi; exit $$rc

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	.venv/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

## The suite under branch coverage, then the floors of lint/coverage_gate.py
## (billing and every views/access module). Slower than `make test`.
coverage: setup
	rm -f .coverage .coverage.*
	$(PY) -m coverage run -m pytest $(XDIST) $(PYTEST_ARGS)
	$(PY) -m coverage combine -q
	$(PY) -m coverage report --skip-covered --skip-empty | tail -n 3
	$(PY) -m lint.coverage_gate
