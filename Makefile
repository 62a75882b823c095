# Two entry points: `make demo` runs the main job on the bundled example; `make test` runs
# linters and the whole test suite. Both create the virtual environment on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE ?= examples/three_accounts.toml

.PHONY: demo test lint clean bench

$(BIN)/activate: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

demo: $(BIN)/activate
	mkdir -p out
	$(BIN)/assetloc optimize $(EXAMPLE)
	$(BIN)/assetloc optimize $(EXAMPLE) --json > out/three_accounts.json
	$(BIN)/assetloc report $(EXAMPLE) -o out/three_accounts.html --charts out/charts
	$(BIN)/assetloc report examples/kaplan_net_worth.toml -o out/kaplan_net_worth.html
	@echo "wrote out/three_accounts.json, out/three_accounts.html, out/charts/, out/kaplan_net_worth.html"

lint: $(BIN)/activate
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/lint-imports

test: lint
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -n 2 --cov=assetloc --cov-report=term:skip-covered --cov-fail-under=90

bench: $(BIN)/activate
	cd benchmarks && ../$(BIN)/python bench_optimize.py
	cd benchmarks && ../$(BIN)/python bench_frontier.py
	cd benchmarks && ../$(BIN)/python bench_rebalance.py
	cd benchmarks && ../$(BIN)/python bench_tax.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .hypothesis
