# The two commands of the README:
#   make demo   start the local Flink cluster, plan and apply jobs/, show status and
#               print how to open the ops console (flinkops ui)
#   make test   the whole test suite (unit + integration against a real local Flink)
#   make monitor  after make demo: sample the jobs' metrics and raise alerts
# Needs only Python >= 3.11 and Java >= 11 (17 recommended) on the machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# bench_plan.py's "old code": the commit before the compile-graph cache and parallel compiles
BENCH_BEFORE ?= 382a781

.PHONY: build demo test test-repeat test-fast test-flink-1.20 lint typecheck format install down bench monitor fuzz bench-rescale clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "flinkops needs Python >= 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,local]'
	@touch $(STAMP)

# The wheel a team installs in its own repository (README "In your own repository"):
# dist/flinkops-<version>-py3-none-any.whl, with the schemas, the SQL runner's source, the
# console's assets and init's templates inside.
build: install
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation -w dist .

demo: install
	$(BIN)/flinkops validate
	$(BIN)/flinkops local up
	$(BIN)/flinkops plan; code=$$?; [ $$code -eq 0 ] || [ $$code -eq 2 ]
	$(BIN)/flinkops apply --auto-approve
	$(BIN)/flinkops status
	@echo
	@echo "The ops console: run  $(BIN)/flinkops ui  and open http://localhost:8088/"
	@echo "  (add --allow-actions for savepoint / restart / diagnose buttons)"

# The suite runs on TEST_WORKERS pytest-xdist workers, each with its own Flink session
# cluster (tests/integration/conftest.py); TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= 3
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadgroup --durations=15

test: install
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

# chase a flake: make test-repeat N=5 TESTS="tests/integration/savepoints/test_restore.py"
N ?= 3
test-repeat: install
	bash scripts/test-repeat.sh $(N) $(TESTS)

test-fast: install
	$(BIN)/python -m pytest -m "not integration"

test-flink-1.20: install
	bash scripts/test-flink-1.20.sh

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# type-checks src/ with the [tool.mypy] settings in pyproject.toml
typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

down: install
	$(BIN)/flinkops local down

# after `make demo`: watch the jobs and raise alerts (docs/monitoring.md); Ctrl-C stops
monitor: install
	$(BIN)/flinkops monitor

bench: install
	$(BIN)/python bench/bench_sql.py
	$(BIN)/python bench/bench_ui.py
	$(BIN)/python bench/bench_plan.py --before-rev $(BENCH_BEFORE)

# 100,000 mutated corpus scripts through split, parse and lineage (a few minutes);
# CI runs a fixed small budget in tests/unit/sql/test_fuzz.py. FUZZ_SEED=n for another draw.
fuzz: install
	$(BIN)/python tests/unit/sql/fuzz.py --seed $${FUZZ_SEED:-0} --budget $${FUZZ_BUDGET:-100000}

bench-rescale: install  # starts its own local cluster (Java), about a minute
	$(BIN)/python bench/bench_rescale.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
