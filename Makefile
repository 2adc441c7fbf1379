# The two commands of the README: `make demo` and `make test`. Both create .venv and install the
# project into it when needed (again only when pyproject.toml changes), so a fresh machine with
# Python 3.11 needs nothing else.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: demo test bench lint format install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "安装依赖到 $(VENV)（首次约需一两分钟）…"
	@$(BIN)/python -m pip install -q -e ".[dev]" >$(VENV)/install.log 2>&1 \
		|| (cat $(VENV)/install.log; echo "安装失败，详见 $(VENV)/install.log"; exit 1)
	@touch $(STAMP)

demo: $(STAMP)
	@$(BIN)/progress-audit demo

test: $(STAMP)
	@$(BIN)/ruff check .
	@$(BIN)/lint-imports --no-cache
	@$(BIN)/python -m pytest

# The performance budgets (each a ratio of times measured in the same run, so they hold on any
# machine; takes minutes, so not part of `make test`): prints the table, writes
# data/reports/bench.json, fails if a budget is not met.
bench: $(STAMP)
	@$(BIN)/python bench/run.py

lint: $(STAMP)
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

format: $(STAMP)
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
