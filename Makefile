# Two commands on a fresh machine: `make demo` and `make test` (Python 3.11+ only).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DV := $(VENV)/bin/dv
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(DV) make-template -o out/ --force
	$(DV) make-template --units samples/units.csv -o out/templates --force

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/bench_template.py

clean:
	rm -rf out .pytest_cache
