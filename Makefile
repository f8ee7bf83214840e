# Developer entry points. `make demo` and `make test-all` are the README's two commands:
# each sets up everything it needs on a fresh machine with Python 3.10+, git and make.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
DEMO_DIR ?= build/demo

.DEFAULT_GOAL := help
.PHONY: help setup test test-all e2e demo bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(PYTHON):
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q -U pip

setup: $(PYTHON) ## Install mlops-scaffold and its test tools into $(VENV)
	$(PYTHON) -m pip install -q -e ".[test]"

test: setup ## Fast tests only
	$(PYTHON) -m pytest

e2e: setup ## End-to-end tests only: generate projects and run them for real
	$(PYTHON) -m pytest -m e2e

test-all: setup ## The whole suite: fast tests, then end-to-end tests
	$(PYTHON) -m pytest -m "e2e or not e2e"

demo: setup ## Create a level-1 project under build/demo and run its training pipeline
	rm -rf $(DEMO_DIR)/demo-churn
	$(VENV)/bin/mlops-scaffold new demo-churn --level 1 --defaults --output-dir $(DEMO_DIR)
	$(MAKE) -C $(DEMO_DIR)/demo-churn setup train

bench: setup ## Start-up, render and upgrade benchmarks against copier and cookiecutter-data-science
	$(PYTHON) benchmarks/bench_cli.py
	-$(PYTHON) benchmarks/bench_ccds.py $(if $(CCDS_TEMPLATE),--ccds-template $(CCDS_TEMPLATE))
	$(PYTHON) benchmarks/bench_upgrade.py
	$(PYTHON) benchmarks/bench_assess.py
	@echo "level 2 (needs a venv with the generated project's dependencies): $(PYTHON) benchmarks/bench_level2.py --venv VENV"

clean: ## Remove the venv, caches and build output
	rm -rf $(VENV) build dist .cache .pytest_cache
