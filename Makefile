# Report-QA: `make run` serves the app, `make test` runs the suite. Both start
# from nothing: they create .venv and install what is needed.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
INDEX ?= vectorstore
HOST ?= 127.0.0.1
PORT ?= 7860
# torch for the sentence-transformers backend: the CPU build (an unpinned torch pulls CUDA, GBs).
TORCH ?= torch==2.13.0
export OMP_NUM_THREADS ?= 2
CHROMIUM := /usr/bin/chromium

.PHONY: same-answers store-index eval-all test-kb help run test browser-test chromium lint format eval compare index clean-index fit heldout load-test llm-test bench

help: ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/rag: pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.dev: $(BIN)/rag
	$(BIN)/pip install -q "$(TORCH)"
	$(BIN)/pip install -q -e ".[st,dev]"
	@touch $@

install: $(BIN)/rag ## create .venv and install the app

$(INDEX)/CURRENT: | $(BIN)/rag
	$(BIN)/rag ingest --index $(INDEX)

index: $(INDEX)/CURRENT ## build the index from data/reports if missing

# STORE=milvus-lite:DIR or milvus://HOST:PORT keeps the index in Milvus (docs/deploy.md); empty: files under $(INDEX)
STORE ?=
STORE_ARG = $(if $(STORE),--store $(STORE))

store-index: | $(BIN)/rag
	@$(BIN)/python -c "import pymilvus, milvus_lite" 2>/dev/null || $(BIN)/pip install -q -e ".[milvus]"
	$(BIN)/rag docs --index $(INDEX) $(STORE_ARG) >/dev/null 2>&1 || $(BIN)/rag ingest --index $(INDEX) $(STORE_ARG)

run: $(BIN)/rag $(if $(STORE),store-index,$(INDEX)/CURRENT) ## serve the app on http://$(HOST):$(PORT) (STORE=milvus://HOST:PORT for Milvus)
	$(BIN)/rag serve --index $(INDEX) $(STORE_ARG) --host $(HOST) --port $(PORT)

test: $(VENV)/.dev ## run the test suite (unit + real-model end-to-end + 60 s load test + real browser when Chromium is installable)
	$(BIN)/ruff check rag tests
	$(BIN)/python -m pytest -q -m "not browser and not llm and not kb"
	@if [ -x $(CHROMIUM) ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; }; then $(MAKE) --no-print-directory browser-test; \
	else echo "跳过浏览器测试：没有 $(CHROMIUM)，也无法用 apt-get 安装（需要 root）。安装 chromium 与 fonts-noto-cjk 后运行 make browser-test。"; fi

lint: $(VENV)/.dev ## ruff lint + format check
	$(BIN)/ruff check rag tests
	$(BIN)/ruff format --check rag tests

format: $(VENV)/.dev ## apply ruff formatting
	$(BIN)/ruff format rag tests
	$(BIN)/ruff check --fix rag tests

eval: $(BIN)/rag $(INDEX)/CURRENT ## rag eval on eval/qa.jsonl -> eval/out/
	$(BIN)/rag eval --index $(INDEX) --qa eval/qa.jsonl --out eval/out

# The knowledge bases of ../shared (read from there, never copied): the 37 documents of the bundled reports and
# $(PROVINCES); the 184-document archive adds the 2026 web copies and the 127 city reports.
SHARED ?= ../shared
PROVINCES ?= $(SHARED)/corpus-provinces
ARCHIVE_DIRS ?= $(PROVINCES) $(SHARED)/corpus-2026 $(SHARED)/corpus-cities
reports_in = $(foreach d,$(1),$(wildcard $(d)/*.docx) $(wildcard $(d)/*.txt) $(wildcard $(d)/*.pdf))
KB_ALL ?= eval/out/kb-all
KB37 ?= eval/out/kb37
QA_SETS ?= $(wildcard eval/*.jsonl)
# Sets written on a given day (今年 = that day's year, not the asked place's latest report): scored with --today.
# ownwords was written then too: its notes read 去年 as 2025 and count a 2026 target of a province without a 2026
# report as a trap.
TODAY_SETS ?= $(wildcard eval/years*.jsonl) eval/ownwords.jsonl
SETS_TODAY ?= 2026-12-07
eval-all: $(BIN)/rag ## build the 184-document archive index (bundled + $(ARCHIVE_DIRS)) and rag eval every set in eval/ -> $(KB_ALL)/ (first build ~1 h, then seconds)
	@for d in $(ARCHIVE_DIRS); do test -d $$d || { echo "没有找到 $$d：请用 SHARED=<目录> 指定共享报告所在目录。"; exit 2; }; done
	$(BIN)/rag ingest data/reports $(call reports_in,$(ARCHIVE_DIRS)) --index $(KB_ALL)/index
	$(BIN)/rag eval --index $(KB_ALL)/index $(foreach f,$(filter-out $(TODAY_SETS),$(QA_SETS)),--qa $(f)) --out $(KB_ALL)
	$(BIN)/rag eval --index $(KB_ALL)/index --today $(SETS_TODAY) $(foreach f,$(TODAY_SETS),--qa $(f)) --out $(KB_ALL)/today

# Behaviour unchanged by a change of structure: every set's predictions on $(SAME_OLD) and on the working tree,
# over the same 37-document index (scripts/same_answers.py; exit 1 on any difference).
SAME_OLD ?= b6d7399
SAME_SETS ?= eval/qa.jsonl eval/heldout.jsonl eval/fresh.jsonl eval/provinces.jsonl eval/provinces2.jsonl eval/tables.jsonl
same-answers: $(BIN)/rag ## answers, refusals, short answers, citations, table cells: $(SAME_OLD) vs the working tree -> eval/out/same-answers/report.txt
	@test -d $(PROVINCES) || { echo "没有找到 $(PROVINCES)：请用 PROVINCES=<目录> 指定省级报告所在目录。"; exit 2; }
	$(BIN)/rag ingest data/reports $(call reports_in,$(PROVINCES)) --index $(KB37)/index
	$(BIN)/python scripts/same_answers.py --old $(SAME_OLD) --index $(KB37)/index $(foreach f,$(SAME_SETS),--qa $(f))

compare: $(BIN)/rag $(INDEX)/CURRENT ## bm25 / dense / Chatchat-style recipe / report-qa side by side -> eval/out/compare/
	$(BIN)/rag eval --index $(INDEX) --qa eval/qa.jsonl --compare --out eval/out/compare

fit: $(BIN)/rag $(INDEX)/CURRENT ## refit the sentence reranker on the train half of eval/qa.jsonl (validated on the other half)
	$(BIN)/rag fit --index $(INDEX) --qa eval/qa.jsonl

heldout: $(BIN)/rag $(INDEX)/CURRENT ## rag eval on the independently written eval/heldout.jsonl -> eval/out/heldout/
	$(BIN)/rag eval --index $(INDEX) --qa eval/heldout.jsonl --out eval/out/heldout

SIZES ?= 1000,10000,100000,1000000
bench: $(BIN)/rag ## corpus grown to 1e3..1e6 chunks: ingest, RSS, latency vs the Chatchat-style recipe -> eval/out/bench/ (SIZES=1000,100000)
	nice $(BIN)/rag bench --sizes $(SIZES) --out eval/out/bench

test-kb: $(VENV)/.dev ## end to end on the 37-report knowledge base and the 184-document archive from $(SHARED): metadata, duplicates, every set's floors (~1 h the first time, minutes with the vector cache)
	RAG_PROVINCES_DIR=$(PROVINCES) RAG_SHARED_DIR=$(SHARED) $(BIN)/python -m pytest -q -m kb

clean-index: ## remove the built index
	rm -rf $(INDEX)/CURRENT $(INDEX)/gen-* $(INDEX)/.building-* $(INDEX)/.lock

chromium: ## install Debian chromium + fonts-noto-cjk with apt-get (root) if either is missing
	@{ [ -x $(CHROMIUM) ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; } || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; } || \
	  { echo "无法安装 Chromium：需要 root 和 apt-get。请手动安装 chromium 与 fonts-noto-cjk。"; exit 1; }

browser-test: $(VENV)/.dev chromium ## real-browser tests (Chromium + Playwright); screenshots in test-artifacts/
	$(BIN)/python -m pytest -q -m browser

load-test: $(VENV)/.dev $(INDEX)/CURRENT ## 50 chat sessions x 60 s against rag serve on loopback, then bursts beyond capacity -> test-artifacts/load.json
	RAG_LOAD_INDEX=$(INDEX) $(BIN)/python -m pytest -q -s -m load

# LLM_EVAL_LIMIT: questions of eval/qa.jsonl for `rag eval --llm` (evenly spread; ~20 s each on 2 cores). Empty: all 160.
LLM_EVAL_LIMIT ?= 60
llm-test: $(VENV)/.dev $(INDEX)/CURRENT ## LLM mode end to end: build llama.cpp, assemble + check the Qwen GGUF (~/.cache/report-qa), serve it, llm tests + rag eval --llm
	INDEX=$(INDEX) LLM_EVAL_LIMIT=$(LLM_EVAL_LIMIT) nice -n 5 bash scripts/llm_test.sh all
