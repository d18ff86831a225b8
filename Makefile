# photojobs: `make run` starts the whole system locally; `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# libzbar0: pyzbar's native library; poppler-utils: pdftoppm, used to check rendered PDFs;
# python3-venv: `python3 -m venv` on Debian; binutils: objdump, used by the infra check;
# chromium: the browser the shop's end-to-end test drives (Playwright never downloads one);
# fonts-dejavu-core: the font the card PDFs embed (names with any accent print correctly).
APT_PACKAGES := libzbar0 poppler-utils python3-venv binutils chromium fonts-dejavu-core

.PHONY: run test bench emails infra-check install system-deps lint clean

system-deps:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing system packages:$$missing"; \
	    echo "run:  sudo apt-get install -y$$missing   and then make again"; \
	    exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: system-deps $(STAMP)

run: install
	$(BIN)/photojobs-local

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

infra-check: install
	$(BIN)/python infra/build.py check

test: install lint infra-check
	$(BIN)/pytest

# Benchmarks print numbers and ratios; nothing here fails on timings.
bench: install
	$(BIN)/python -m tests.bench.bench_import
	$(BIN)/python -m tests.bench.bench_ingest
	$(BIN)/python -m tests.bench.compare_sorters
	$(BIN)/python -m tests.bench.bench_galleries
	$(BIN)/python -m tests.bench.bench_messages
	$(BIN)/python -m tests.bench.bench_shop

# Every default email rendered for a sample parent, as HTML and as PNG (system chromium).
emails: install
	$(BIN)/python -m tests.bench.render_emails --out /tmp/photojobs-emails

clean:
	rm -rf $(VENV) build infra/build .mypy_cache .ruff_cache .pytest_cache
