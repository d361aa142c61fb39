# Two entry points for a fresh machine: `make run` (the main job) and `make test`.
# Two stamps, one per install, named by pyproject.toml's checksum (an edit reinstalls):
# STAMP, what the main job needs (neuralab with the lab extra); TEST_STAMP, the rest for
# the tests and the linter (the dev extra: the PyTorch oracle, pytest, ruff, ...).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUM := $(shell cksum < pyproject.toml | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(SUM)
TEST_STAMP := $(VENV)/.installed-test-$(SUM)

.PHONY: run test lint bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[lab]'
	rm -f $(VENV)/.installed-*
	touch $@

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[dev,lab,tune]'
	touch $@

# The lab's quick mode: every study on small settings, 2 seeds, report in runs/lab/index.html.
# MNIST is read from $NEURALAB_DATA, else ../shared/datasets when it is there, else the user
# cache (downloaded once, checksum verified).
DATA := $(or $(NEURALAB_DATA),$(wildcard $(CURDIR)/../shared/datasets))
run: $(STAMP)
	NEURALAB_DATA=$(DATA) $(VENV)/bin/neuralab lab --quick --out runs/lab

# pytest -n 2 already keeps both cores busy: one BLAS/OpenMP thread per worker avoids
# oversubscription, which slows matrix products many times over.
test: $(TEST_STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -n 2

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

# The documentation site into site/ (open site/index.html; it works from file://).
# --strict: a broken link, a page left out of the nav or an unreadable docstring fails.
docs: $(STAMP)
	$(PY) -m pip install -q -e '.[docs]'
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

bench: $(TEST_STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build site *.egg-info src/*.egg-info .pytest_cache .ruff_cache
