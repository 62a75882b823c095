# Two entry points: `make demo` runs the main job on the bundled example (runtime
# dependencies only); `make test` runs linters and the whole test suite (installs the dev
# tools too). Both create the virtual environment on first use; each kind of install has
# its own stamp, so `make demo` never pulls in cvxpy, QuantLib or mypy.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE ?= examples/three_accounts.toml
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: demo test lint clean bench

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setup.py and the C sources: a changed C file is compiled again (an editable install does not)
BUILT := pyproject.toml setup.py src/assetloc/present/_fastclean.c src/assetloc/solve/_ckernels.c

$(RUNTIME): $(BUILT) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV): $(BUILT) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(RUNTIME)

demo: $(RUNTIME)
	mkdir -p out
	$(BIN)/assetloc optimize $(EXAMPLE)
	$(BIN)/assetloc optimize $(EXAMPLE) --json > out/three_accounts.json
	$(BIN)/assetloc report $(EXAMPLE) -o out/three_accounts.html --charts out/charts
	$(BIN)/assetloc report examples/kaplan_net_worth.toml -o out/kaplan_net_worth.html
	@echo "wrote out/three_accounts.json, out/three_accounts.html, out/charts/, out/kaplan_net_worth.html"

lint: $(DEV)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/lint-imports

# the ledger tests run on SQLite and PostgreSQL: ensure-postgres.sh installs and starts a
# local cluster when root (CI) and prints its URL; an ASSETLOC_TEST_PG_URL given wins
test: lint
	bash scripts/ensure-chromium.sh
	ASSETLOC_TEST_PG_URL="$${ASSETLOC_TEST_PG_URL:-$$(sh scripts/ensure-postgres.sh)}" \
	$(BIN)/python -m pytest -n 2 --dist loadgroup --cov=assetloc --cov-report=term:skip-covered --cov-fail-under=90

bench: $(DEV)
	cd benchmarks && ../$(BIN)/python bench_startup.py
	cd benchmarks && ../$(BIN)/python bench_optimize.py
	cd benchmarks && ../$(BIN)/python bench_batch_hotpath.py
	cd benchmarks && ../$(BIN)/python bench_batch.py
	cd benchmarks && ../$(BIN)/python bench_web.py
	cd benchmarks && ../$(BIN)/python bench_frontier.py
	cd benchmarks && ../$(BIN)/python bench_rebalance.py
	cd benchmarks && ../$(BIN)/python bench_tax.py
	cd benchmarks && ../$(BIN)/python bench_ledger_scan.py
	cd benchmarks && ../$(BIN)/python bench_ledger_import.py
	cd benchmarks && ../$(BIN)/python bench_simulate.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .hypothesis
