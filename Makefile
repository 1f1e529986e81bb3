# teamsim: two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lint validate clean install docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dask]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m sim run scenarios/individual_vs_team.yaml --out reports/individual_vs_team

test: $(STAMP)
	$(PY) -m pytest -n 2 tests

lint: $(STAMP)
	$(VENV)/bin/ruff check sim tests

$(VENV)/.bench-installed: pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $@

bench: $(STAMP) $(VENV)/.bench-installed
	$(PY) -m benchmarks.bench
	$(PY) -m benchmarks.bench_mesa
	$(PY) -m benchmarks.bench_experiments
	$(PY) -m benchmarks.bench_report
	$(PY) -m benchmarks.bench_robust

validate: $(STAMP)
	$(PY) -m sim validate-model --out reports/validation

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache .hypothesis .ruff_cache

docs: $(STAMP)
	$(PY) -m sim.scenario.refresh_docs docs/model.md
