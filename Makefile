# Developer entry points. `make demo` and `make test-all` are the README's two commands:
# each sets up everything it needs on a fresh machine with Python 3.10+, git and make.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
DEMO_DIR ?= build/demo
DEMO_LOG ?= $(DEMO_DIR)/demo.log

.DEFAULT_GOAL := help
.PHONY: help setup wheels test test-all e2e demo bench constraints clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(PYTHON):
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q -U pip

# The runtime library (runtime/, distribution mlops-scaffold-runtime) that generated projects
# depend on: its wheel goes to $(WHEELS), where the projects' `make setup` finds it through
# PIP_FIND_LINKS, so nothing needs a published package.
WHEELS ?= build/wheels
export PIP_FIND_LINKS := $(abspath $(WHEELS))$(if $(PIP_FIND_LINKS), $(PIP_FIND_LINKS))

setup: $(PYTHON) ## Install mlops-scaffold, the runtime library (editable) and the test tools into $(VENV)
	$(PYTHON) -m pip install -q -e ".[test]" -e "./runtime[monitoring,serving,validation,governance,postgres,test]"

wheels: $(PYTHON) ## Build the runtime library's wheel into $(WHEELS) (generated projects install it from there)
	@mkdir -p $(WHEELS) && rm -f $(WHEELS)/mlops_scaffold_runtime-*.whl
	$(PYTHON) -m pip wheel -q --no-deps -w $(WHEELS) ./runtime

test: setup ## Fast tests only
	$(PYTHON) -m pytest

e2e: setup ## End-to-end tests only: generate projects and run them for real
	$(PYTHON) -m pytest -m e2e

# Two pytest runs, each phase's time printed; both run, and a failure in either fails the target.
# The fast tests run in $(TEST_WORKERS) processes (pytest-xdist, a test module per worker: the
# fast tests are CPU-bound, 7.5 min on one core of the 2-core CI machine); the end-to-end tests
# in one, as their servers and timings assume, each test's time listed (--durations=0).
TEST_WORKERS ?= 2
test-all: setup ## The whole suite: fast tests (tool and runtime), then end-to-end tests
	@t=$$(date +%s); $(PYTHON) -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15; fast=$$?; \
	echo "test-all: phase 'fast tests' took $$(( $$(date +%s) - t )) s (exit $$fast)"; \
	t=$$(date +%s); $(PYTHON) -m pytest -m e2e --durations=0; e2e=$$?; \
	echo "test-all: phase 'end-to-end tests' took $$(( $$(date +%s) - t )) s (exit $$e2e)"; \
	test $$fast = 0 && test $$e2e = 0

# `make demo` prints one line per phase with its time; everything the phases print (pip's
# output above all) goes to $(DEMO_LOG), named at the end, and its tail is shown on a failure.
demo: ## Create a level-1 project under build/demo, install it and run its training pipeline
	@mkdir -p $(DEMO_DIR) && : > $(DEMO_LOG); start=$$(date +%s); \
	phase() { \
		printf '%-66s' "$$1"; t=$$(date +%s); shift; \
		if "$$@" >> $(DEMO_LOG) 2>&1; then echo " $$(( $$(date +%s) - t )) s"; \
		else echo " failed"; tail -n 25 $(DEMO_LOG); echo "the whole log: $(DEMO_LOG)"; exit 1; fi; \
	}; \
	echo "mlops-scaffold demo: a level-1 ML project, from nothing to a registered model"; \
	phase "1/4 install mlops-scaffold into $(VENV), build the runtime's wheel" \
		sh -c '$(MAKE) --no-print-directory setup && $(MAKE) --no-print-directory wheels'; \
	phase "2/4 create $(DEMO_DIR)/demo-churn (level 1, Airflow and Kubeflow)" \
		sh -c 'rm -rf $(DEMO_DIR)/demo-churn && $(VENV)/bin/mlops-scaffold new demo-churn \
			--level 1 --defaults --output-dir $(DEMO_DIR)'; \
	phase "3/4 its make setup: MLflow, Airflow, kfp, scikit-learn, ..." \
		$(MAKE) --no-print-directory -C $(DEMO_DIR)/demo-churn setup; \
	phase "4/4 its make train: prepare, validate, train, evaluate, register" \
		$(MAKE) --no-print-directory -C $(DEMO_DIR)/demo-churn train; \
	echo "done in $$(( $$(date +%s) - start )) s; what the pipeline reported:"; \
	grep -E '^(quality gate|registered|run folder)' $(DEMO_LOG) | sed 's/^/  /'; \
	echo "next: cd $(DEMO_DIR)/demo-churn && make help; the whole log: $(DEMO_LOG)"

bench: setup ## Start-up, render, upgrade and assess benchmarks, state-store ops/s (SQLite, PostgreSQL), generated project size, serving limits and explanations cost
	$(PYTHON) benchmarks/bench_cli.py
	-$(PYTHON) benchmarks/bench_ccds.py $(if $(CCDS_TEMPLATE),--ccds-template $(CCDS_TEMPLATE))
	$(PYTHON) benchmarks/bench_upgrade.py
	$(PYTHON) benchmarks/bench_assess.py
	$(PYTHON) benchmarks/bench_state.py
	-$(PYTHON) benchmarks/bench_size.py
	$(PYTHON) benchmarks/bench_limits.py
	@echo "levels 2 and 3 (need a venv with the generated project's dependencies, e.g. the e2e one, $(or $(E2E_VENV),.cache/e2e/venv-*)):"
	@echo "  $(PYTHON) benchmarks/bench_level2.py --venv VENV"
	@echo "  $(PYTHON) benchmarks/bench_level3.py --venv VENV   # /predict with prediction logging vs level 2, server on CPU 1"
	@echo "a generated project's make setup (cold, warm) and make test, with and without compiled bytecode (about 10 min, 2.5 GB of disk):"
	@echo "  $(PYTHON) benchmarks/bench_setup.py [--levels 3]"

# The newest shared venv the e2e tests built (MLOPS_SCAFFOLD_E2E_CACHE, default .cache/e2e).
E2E_VENV ?= $(firstword $(shell ls -dt $${MLOPS_SCAFFOLD_E2E_CACHE:-.cache/e2e}/venv-* 2>/dev/null))
constraints: ## Re-pin templates/level0/constraints.txt.jinja from the e2e venv (E2E_VENV=...), after the e2e tests passed with it
	python3 dev/refresh_constraints.py $(E2E_VENV)/bin/python

clean: ## Remove the venv, caches and build output
	rm -rf $(VENV) build dist .cache .pytest_cache
