# communet: `make demo` runs the main job, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := frr frr-pythontools bird2 kamailio sip-tester openssh-server iproute2 graphviz git iputils-ping fping nftables sudo

.PHONY: setup system venv test lint demo render goldens clean

setup: system venv

system:  ## Debian packages for the lab and the real config checkers (needs root)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

lint: venv  ## ruff (check and format) and mypy, with the settings in pyproject.toml
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy communet nornir_tasks playbooks bench

test: setup lint  ## every check; the lab tests share one lab of their own, so this checkout's lab (make demo's) is taken down first
	$(BIN)/communet validate
	$(BIN)/communet render --check
	$(BIN)/communet docs --check
	@if [ -e .lab/manifest.jsonl ]; then \
	  echo "make test: the lab tests need this machine's one lab; taking down the lab of this checkout (communet lab down)"; \
	  $(BIN)/communet lab down; \
	fi
	@# the lab tests in one process (the machine holds one lab), the others beside them; both must pass
	@unit_log=$$(mktemp); $(BIN)/pytest -p no:cacheprovider -m "not lab" >"$$unit_log" 2>&1 & unit=$$!; \
	$(BIN)/pytest -m lab --durations=12; lab=$$?; wait $$unit; unit_rc=$$?; \
	echo "--- tests without the lab ---"; cat "$$unit_log"; rm -f "$$unit_log"; \
	echo "lab tests: exit $$lab; tests without the lab: exit $$unit_rc"; [ $$lab -eq 0 ] && [ $$unit_rc -eq 0 ]

render: venv
	$(BIN)/communet render

goldens: venv  ## rewrite tests/golden/{ios_xe,junos} after an intended template change; review git diff
	$(BIN)/python tests/golden/refresh.py

demo: setup  ## the main job: validate, render check, lab up (bootstrap only), deploy with Nornir, verify with pyATS
	$(BIN)/communet validate
	$(BIN)/communet render --check
	$(BIN)/communet lab up
	$(BIN)/communet deploy --commit
	$(BIN)/communet lab wait
	$(BIN)/communet verify
	$(BIN)/communet lab status
	@echo "configs: $(CURDIR)/configs; the lab is up: 'communet lab cli NODE' for a router's CLI, 'communet lab down' to remove it"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
