# The two commands of the README: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8050
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-stamp

.PHONY: run test bench system-deps

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	@touch $(STAMP)

## run: install, create/upgrade the warehouse, add demo data when empty, serve on http://$(HOST):$(PORT)
run: $(STAMP)
	$(BIN)/impact init
	$(BIN)/impact demo --if-empty
	$(BIN)/impact serve --host $(HOST) --port $(PORT)

## system-deps: what the tests need from Debian (Chromium for pages, poppler for PDFs, pango for WeasyPrint)
system-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	ldconfig -p 2>/dev/null | grep -q libpangoft2 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing:$$missing"; apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "missing system packages:$$missing. Install them with: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

## test: everything the tests need, then the whole suite (SQLite, PostgreSQL, Chromium)
test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

## bench: the benchmarks, printing their figures (installs the bench extra: duckdb, locust)
bench: $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test,bench]"
	$(BIN)/python -m bench
