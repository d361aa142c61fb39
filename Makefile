# Two entry points for a fresh machine: `make run` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[dev,lab,tune]'
	rm -f $(VENV)/.installed-*
	touch $@

# The lab's quick mode: every study on small settings, 2 seeds, report in runs/lab/index.html.
# MNIST is read from $NEURALAB_DATA, else ../shared/datasets when it is there, else the user
# cache (downloaded once, checksum verified).
DATA := $(or $(NEURALAB_DATA),$(wildcard $(CURDIR)/../shared/datasets))
run: $(STAMP)
	NEURALAB_DATA=$(DATA) $(VENV)/bin/neuralab lab --quick --out runs/lab

# pytest -n 2 already keeps both cores busy: one BLAS/OpenMP thread per worker avoids
# oversubscription, which slows matrix products many times over.
test: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -n 2

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

# The documentation site into site/ (open site/index.html; it works from file://).
# --strict: a broken link, a page left out of the nav or an unreadable docstring fails.
docs: $(STAMP)
	$(PY) -m pip install -q -e '.[docs]'
	$(VENV)/bin/mkdocs build --strict

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build site *.egg-info src/*.egg-info .pytest_cache .ruff_cache
