# The two commands of the README:  make run  (start the app)   make test  (the whole test suite)
# Each creates .venv and installs the pinned versions (requirements*.lock) when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.certpath-installed

.PHONY: run demo test lint build bundle bench icons screenshots clean lock sysdeps-run sysdeps-test sysdeps-build

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
sysdeps-build:
	@PYTHON=$(PYTHON) sh scripts/system-deps.sh build

# The frozen app (PyInstaller one-folder): dist/CertPath/CertPath (+ dist/CertPath.app on macOS).
# Check it with:  QT_QPA_PLATFORM=offscreen dist/CertPath/CertPath --self-test
bundle: sysdeps-build $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN build.spec
build: bundle

# Regenerate resources/icons/ (committed) from packaging/make_icons.py.
icons: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/make_icons.py

# The performance benchmarks (scripts, not tests): figures and ratios against their targets.
# Frozen start-up is measured too when dist/CertPath exists (make bundle first).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_evaluate.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_memory.py
	$(BIN)/python benchmarks/bench_growth.py
	$(BIN)/python benchmarks/bench_bundle_size.py

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
