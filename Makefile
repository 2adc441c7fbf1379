# The two commands of the README: `make demo` and `make test`. Both create .venv and install the
# project into it when needed (again only when pyproject.toml or the lock changes), so a fresh
# machine with Python 3.11 needs nothing else. Every dependency comes from requirements.lock at
# its exact version, its download checked against the lock's hashes; `make lock` refreshes it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock

export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: demo test bench lint format install lock clean

install: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "按 $(LOCK) 安装依赖到 $(VENV)（首次约需一两分钟）…"
	@($(BIN)/python -m pip install -q --require-hashes --no-deps -r $(LOCK) \
		&& $(BIN)/python -m pip install -q --no-deps -e . ) >$(VENV)/install.log 2>&1 \
		|| (cat $(VENV)/install.log; echo "安装失败，详见 $(VENV)/install.log"; exit 1)
	@$(BIN)/python -m pip check >>$(VENV)/install.log 2>&1 \
		|| (tail -n 5 $(VENV)/install.log; echo "$(LOCK) 与 pyproject.toml 的依赖不一致：请运行 make lock"; exit 1)
	@touch $(STAMP)

# Refresh the lock after changing the dependencies in pyproject.toml: every package of every
# extra, pinned, with the hashes of its files. Pins already in the lock are kept where they still
# fit; `make lock LOCK_ARGS=--upgrade` takes the newest releases within pyproject's ranges.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install -q "uv>=0.13"
	@$(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command "make lock" $(LOCK_ARGS) -o $(LOCK)
	@echo "已更新 $(LOCK)；再运行 make install（或 make test）按它安装"

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
