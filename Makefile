# appeals-api developer and CI entry points. `make help` lists them.
# APPEALS_DATABASE_URL / APPEALS_REDIS_URL unset: `run` and `test` start embedded servers.

PYTHON = python3
VENV = .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed
PYTEST_ARGS =
# xdist processes for `make test`, each with its own embedded servers. Whole modules go to a
# worker (each module has a database of its own), in the order conftest.py gives them: the
# slow ones first. The suite is mostly CPU-bound in its own processes: on 2 cores 2 measured
# fastest; 3 and 4 were no faster and failed the tests with short time-outs more often.
# TEST_WORKERS=0 runs everything in this one process.
TEST_WORKERS = 2

.PHONY: help venv run test system-deps check lint typecheck fmt openapi migrate api worker bench fuzz clean

help:
	@echo "make run       API on 127.0.0.1:\$${APPEALS_PORT:-8000} + worker; embedded PostgreSQL/Redis in .data/ where the URLs are unset"
	@echo "              (APPEALS_WEB_CONCURRENCY API processes, APPEALS_WORKERS workers; the URLs go to .data/env)"
	@echo "make test      the test suite against real PostgreSQL and Redis, in $(TEST_WORKERS) processes (TEST_WORKERS=n)"
	@echo "              PYTEST_ARGS='...' passes options; PYTEST_ARGS='-m \"not slow\"' is a quick run without"
	@echo "              the slow tests (they start servers, the worker, the CLI or benchmarks)"
	@echo "make check     ruff format --check, ruff check, mypy, then the tests"
	@echo "make fmt       ruff format + ruff check --fix"
	@echo "make openapi   regenerate openapi/openapi.json"
	@echo "make fuzz      schemathesis (all checks, stateful) as admin, registrar and executor (FUZZ_ARGS='...')"
	@echo "make bench     benchmarks, side by side on one PostgreSQL (BENCH_ARGS='...' passes options)"
	@echo "make migrate   alembic upgrade head on APPEALS_DATABASE_URL"
	@echo "make api       the API alone (needs APPEALS_DATABASE_URL, APPEALS_REDIS_URL)"
	@echo "make worker    the arq worker alone (needs the same)"
	@echo "make venv      create .venv and install the project (done by every target that needs it)"
	@echo "make clean     remove .data/ (the embedded servers' data)"

# Reinstalled whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,dev]'
	touch $(STAMP)

venv $(VENV): $(STAMP)

# exec: make's SIGTERM then reaches devstack itself, which stops everything it started.
run: $(STAMP)
	exec $(BIN)/python -m appeals_api.devstack run

# tests/test_pgbouncer.py runs a real PgBouncer in transaction mode: Debian's package,
# installed when missing (issue 18).
system-deps:
	@command -v pgbouncer >/dev/null || test -x /usr/sbin/pgbouncer || { \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
		$$sudo apt-get install -y pgbouncer || { $$sudo apt-get update && $$sudo apt-get install -y pgbouncer; }; }

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

openapi: $(STAMP)
	mkdir -p openapi
	$(BIN)/appeals-api openapi --out openapi/openapi.json

migrate: $(STAMP)
	@test -n "$$APPEALS_DATABASE_URL" || { echo "APPEALS_DATABASE_URL is not set (make run starts an embedded server)"; exit 2; }
	$(BIN)/python -m alembic upgrade head

# serving.py builds uvicorn's command line for every launcher: port APPEALS_PORT, processes
# APPEALS_WEB_CONCURRENCY, JSON logs, header time-out and connection limits.
api: $(STAMP)
	@test -n "$$APPEALS_DATABASE_URL" && test -n "$$APPEALS_REDIS_URL" || { echo "set APPEALS_DATABASE_URL and APPEALS_REDIS_URL (or use make run)"; exit 2; }
	exec $(BIN)/python -m appeals_api.serving --host 127.0.0.1

worker: $(STAMP)
	@test -n "$$APPEALS_DATABASE_URL" && test -n "$$APPEALS_REDIS_URL" || { echo "set APPEALS_DATABASE_URL and APPEALS_REDIS_URL (or use make run)"; exit 2; }
	exec $(BIN)/python -m appeals_api.worker

# Fixed seed, bounded examples: CI runs it before the tests.
FUZZ_ARGS = --examples 15 --seed 20261122
fuzz: $(STAMP)
	$(BIN)/python fuzz/run.py $(FUZZ_ARGS)

# Benchmarks print ratios of medians; bench/RESULTS.md records them with the machine.
BENCH_ARGS =
bench: $(STAMP)
	$(BIN)/python bench/deadline_watch.py $(BENCH_ARGS)
	$(BIN)/python bench/stats.py $(BENCH_ARGS)
	$(BIN)/python bench/search.py $(BENCH_ARGS)
	$(BIN)/python bench/intake.py $(BENCH_ARGS)
	$(BIN)/python bench/documents.py $(BENCH_ARGS)

clean:
	rm -rf .data
