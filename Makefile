# Two commands for a new user: `make report` and `make test`.
# Both build the virtual environment when it is missing or when pyproject.toml changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.thidua-installed

BLOC   ?= kinh-te-ky-thuat
PERIOD ?= 2018

.PHONY: env report test test-fast sample bench clean-reports system-deps refresh-notebooks mutation

env: $(STAMP)

# pip's output goes to $(VENV)/install.log and is shown only when the installation fails, so the first
# screen of `make report` is the report. (An editable install of this flat layout always makes setuptools
# print an informational "Editable installation" notice; it is in the log.)
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing thidua and its dependencies into $(VENV) (log: $(VENV)/install.log)"
	@{ $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e ".[dev]"; } >$(VENV)/install.log 2>&1 \
	  || { tail -n 40 $(VENV)/install.log; echo "Installation failed; the whole log is $(VENV)/install.log"; exit 1; }
	@$(BIN)/python -m ipykernel install --sys-prefix --name thidua --display-name "Python (thidua)" >/dev/null
	@touch $(STAMP)

# Debian packages that some tests need (LibreOffice for template checks, Chromium for browser tests).
# Installed when we are root and they are missing; otherwise those tests skip and say what to install.
system-deps:
	@bash .ci/system-deps.sh

report: $(STAMP)
	$(BIN)/thidua run --bloc $(BLOC) --period $(PERIOD)

sample: $(STAMP)
	$(BIN)/thidua sample --out data

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -n 2 --dist loadfile

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser" -x -q

# Mutation testing of the rules (not part of `make test`): a seeded sample of 200 mutants, about 45 minutes
# on two cores; MUTATION_ARGS="--all" runs every mutant (hours). docs/mutation.md says how to read it.
MUTATION_ARGS ?=
mutation: $(STAMP)
	PYTHONPATH=$(CURDIR) $(BIN)/python tests/tools/mutation.py $(MUTATION_ARGS)

bench: $(STAMP) system-deps
	$(BIN)/python benchmarks/scoring_scale.py
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/report_overhead.py
	$(BIN)/python benchmarks/batch.py
	$(BIN)/python benchmarks/app_latency.py
	$(BIN)/python benchmarks/app_load.py
	$(BIN)/python benchmarks/explorer_latency.py
	$(BIN)/python benchmarks/soak.py

refresh-notebooks: $(STAMP)
	$(BIN)/python tests/tools/refresh_notebooks.py

clean-reports:
	rm -rf reports
