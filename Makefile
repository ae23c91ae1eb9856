# Two commands for a new user: `make demo` and `make test`. Both set up .venv when needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format bench bench-study bench-optimize clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
	$(PY) -m pip install --quiet -e '.[dev]' 2>&1 | grep -v "is ignored" || true
	$(PY) -c "import simlib, simpy, pytest, ruff, mypy" 
	@command -v dot >/dev/null 2>&1 || { echo "make: installing graphviz (dot) for simlib chains"; \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends graphviz) >/dev/null 2>&1 \
	  || echo "make: could not install graphviz; simlib chains needs its dot (apt-get install graphviz)"; }
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "make: installing chromium for the report's PDF and the A4 layout checks"; \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium) >/dev/null 2>&1 \
	  || echo "make: could not install chromium; simlib report writes HTML only (apt-get install chromium)"; }
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/simlib demo

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]' 2>&1 | grep -v "is ignored" || true
	$(PY) benchmarks/run.py
	$(PY) benchmarks/optimize.py

bench-optimize: $(STAMP)
	$(PY) benchmarks/optimize.py

bench-study: $(STAMP)
	$(PY) benchmarks/study.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
