# Two commands from a fresh clone (Python 3.11+ and make are all that is needed):
#   make run    set up .venv and start the dashboard on the bundled sample (http://localhost:8501;
#               make run PORT=8502 for another port)
#   make test   set up .venv with the test tools and run lint + the whole test suite
PYTHON ?= python3
VENV ?= .venv
# `make run PORT=8502` serves on that port; unset, Streamlit takes 8501, or the next free one.
PORT ?=
BIN := $(VENV)/bin
# The tests run in one process per core (pytest-xdist), at most 4: every PostgreSQL test has a
# schema of its own and every server a free port. `make test PARALLEL=` runs them in one.
PARALLEL ?= -n auto --maxprocesses 4

.DEFAULT_GOAL := help
.PHONY: help run demo test test-fast screenshots lint format bench bench-quick bench-compare sample clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "error: $(PYTHON) is missing or older than 3.11; run: make $(MAKECMDGOALS) PYTHON=python3.X" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	@touch $@

run: $(VENV)/.installed-run ## set up and start the dashboard (embedded SQLite, sample loaded on first start)
	$(BIN)/streamlit run dashboard/app.py --server.headless true $(if $(PORT),--server.port $(PORT))

demo: $(VENV)/.installed-run ## the CLI on the bundled sample: import it and score it to build/
	$(BIN)/sla-dashboard import data/sample_cases.csv --source sample --rejects-dir build
	$(BIN)/sla-dashboard compute data/sample_cases.csv --out build/sample_results.csv

test: $(VENV)/.installed-dev ## set up and run lint, format check and the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PARALLEL)

test-fast: $(VENV)/.installed-dev ## lint, format check and the tests not marked slow (SQLite only; under a minute)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -m "not slow" $(PARALLEL)

screenshots: $(VENV)/.installed-dev ## refresh the README's screenshots (runs the browser test)
	SLA_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/test_browser.py tests/test_browser_sign_in.py -q

lint: $(VENV)/.installed-dev ## lint only
	$(BIN)/ruff check .

format: $(VENV)/.installed-dev ## reformat the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-bench ## every benchmark (1M rows, both databases; 15-30 minutes here), then every figure beside its goal
	$(BIN)/python -m benchmarks.summary

bench-quick: $(VENV)/.installed-bench ## smaller benchmark runs on SQLite, figures beside their goals (minutes)
	$(BIN)/python -m benchmarks.summary --quick

# make bench-compare OLD=main~3 [NEW=HEAD] [ONLY=engine,compute,import]: a regression check
bench-compare: $(VENV)/.installed-bench ## the same quick benchmarks on two commits, side by side
	@test -n "$(OLD)" || { echo "usage: make bench-compare OLD=<commit> [NEW=HEAD] [ONLY=engine,compute,...]" >&2; exit 2; }
	$(BIN)/python -m benchmarks.compare $(OLD) $(or $(NEW),HEAD) --only $(or $(ONLY),engine,compute)

sample: $(VENV)/.installed-run ## regenerate data/sample_cases.csv (then review the diff)
	$(BIN)/python -m dashboard.sample_data > data/sample_cases.csv

clean: ## remove the virtual environment and build output
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis
