# Two commands for a new user: `make demo` and `make test`. Both set up .venv when needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
KERNEL := build/kernel.stamp

.PHONY: demo test lint format bench bench-study bench-optimize kernel clean

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

# The hall kernel's loop compiled with mypyc and its native helpers (_native.c: event heap,
# keyed-hash uniforms) as a C extension (best effort: without them, the same code runs as
# pure Python with the same records, and simlib says so once). Rebuilt when loop.py or
# _native.c changes; a build from another source is never used (hall.py and native.py
# check its hash).
$(KERNEL): $(STAMP) simlib/engine/kernel/loop.py simlib/engine/kernel/_native.c simlib/engine/kernel/build.py
	@mkdir -p build
	@echo "make: compiling the hall kernel with mypyc and gcc (about 2 minutes; log in build/kernel.log)"
	@$(PY) -m simlib.engine.kernel.build >build/kernel.log 2>&1 \
	  || echo "make: could not compile (all of) the hall kernel (build/kernel.log); it runs as pure Python, same records, slower"
	@touch $(KERNEL)

kernel: $(KERNEL)

# simlib's bytecode compiled ahead (only what changed): every worker, notebook kernel and CLI
# call then reads it, also where PYTHONDONTWRITEBYTECODE is set (no process would write it).
BYTECODE := $(PY) -m compileall -q simlib

demo: $(STAMP) $(KERNEL)
	@$(BYTECODE)
	$(VENV)/bin/simlib demo

test: $(STAMP) $(KERNEL)
	@$(BYTECODE)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -n 2 --dist loadgroup --durations=15

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(STAMP) $(KERNEL)
	$(PY) -m pip install --quiet -e '.[dev,bench]' 2>&1 | grep -v "is ignored" || true
	$(PY) benchmarks/run.py
	$(PY) benchmarks/optimize.py

bench-optimize: $(STAMP) $(KERNEL)
	$(PY) benchmarks/optimize.py

bench-study: $(STAMP) $(KERNEL)
	$(PY) benchmarks/study.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info simlib/engine/kernel/_loop_mypyc* simlib/engine/kernel/_native.*.so
