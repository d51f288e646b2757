# The two commands of the README:  make run  (start the app)   make test  (the whole test suite)
# Each creates .venv and installs the pinned versions (requirements*.lock) when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.certpath-installed

.PHONY: run demo test lint build bench screenshots clean lock sysdeps-run sysdeps-test

run: sysdeps-run $(STAMP)
	$(BIN)/python -m gui $(ARGS)

demo: sysdeps-run $(STAMP)
	$(BIN)/python -m gui --demo $(ARGS)

test: sysdeps-test $(STAMP)
	$(BIN)/ruff check .
	@QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc = 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	  if [ $$rc = 134 ]; then echo "make test: Qt aborted the test run (exit 134)" >&2; fi; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check .

sysdeps-run:
	@PYTHON=$(PYTHON) sh scripts/system-deps.sh run
sysdeps-test:
	@PYTHON=$(PYTHON) sh scripts/system-deps.sh test

$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Regenerate the locks from pyproject.toml's ranges (needs the network).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet ".[test,dev]"
	.venv-lock/bin/pip freeze --exclude-editable | grep -v '^certpath' > requirements-dev.freeze
	rm -rf .venv-lock
	@echo "review requirements-dev.freeze and update requirements.lock / requirements-dev.lock"

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .hypothesis
