# Shortcuts for ./dev (the README's commands work without make):  make run   make test   make bundle
# Each creates .venv and installs the pinned versions (requirements*.lock) when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup run demo test lint build bundle bench icons screenshots clean lock sysdeps-run sysdeps-test sysdeps-build

run:
	./dev run $(ARGS)

demo:
	./dev demo $(ARGS)

test:
	./dev test $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/python scripts/typecheck.py

sysdeps-run:
	@PYTHON=$(PYTHON) sh scripts/system-deps.sh run
sysdeps-test:
	@PYTHON=$(PYTHON) sh scripts/system-deps.sh test
sysdeps-build:
	@PYTHON=$(PYTHON) sh scripts/system-deps.sh build

# The frozen app (PyInstaller one-folder): dist/CertPath/CertPath (+ dist/CertPath.app on macOS).
# Check it with:  QT_QPA_PLATFORM=offscreen dist/CertPath/CertPath --self-test
bundle:
	./dev bundle
build: bundle

# Regenerate resources/icons/ (committed) from packaging/make_icons.py.
icons: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/make_icons.py

# The performance benchmarks (scripts, not tests): figures and ratios against their targets.
# Frozen start-up is measured too when dist/CertPath exists (make bundle first).
bench:
	./dev bench

setup:
	PYTHON=$(PYTHON) ./dev setup

# Regenerate the hash-pinned locks from pyproject.toml's ranges (needs the network): see ./dev lock.
# `make lock ARGS=--upgrade` moves every package to the newest release its range allows.
lock:
	./dev lock $(ARGS)

clean:
	rm -rf $(VENV) .venv-lock build dist .pytest_cache .ruff_cache .mypy_cache .hypothesis
