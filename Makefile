# Concord — two commands: `make demo` (run the demo) and `make test` (run the whole suite); `make check` is the
# fast tier to run before every commit.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/concord
CHROMIUM ?= /usr/bin/chromium
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test check lint test-sqlite test-postgres install install-test fonts browser java sip openmp clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Run the demo: database, demo portfolio, web UI on http://127.0.0.1:8000/
demo: install fonts openmp
	$(BIN)/concord demo --seed 7 --debtors 5000 --addr 127.0.0.1:8000

## Browser tests drive the OS's Chromium (no browser downloads here).
browser: fonts
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is needed for the browser tests: run 'sudo apt-get install chromium' (or set CHROMIUM=/path)"; exit 1; fi; \
	fi

## Letters (PDF) embed the OS's CJK fonts: WenQuanYi Micro Hei, and HanaMin (fonts-hanazono) for the rare characters
## of the CJK extensions B and later; the browser tests render Chinese with them.
fonts:
	@if [ ! -d /usr/share/fonts/truetype/wqy ] || [ ! -d /usr/share/fonts/truetype/hanazono ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei fonts-hanazono >/dev/null; \
	  else echo "Letters need the fonts: run 'sudo apt-get install fonts-wqy-microhei fonts-hanazono'"; fi; \
	fi

## The end-of-day engine's Spark tests run PySpark in local mode: they need a Java runtime (17).
java:
	@if ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	  else echo "Java is needed for the Spark tests: run 'sudo apt-get install openjdk-17-jre-headless'"; exit 1; fi; \
	fi

## The local SIP stack the telephony tests call through for real: Kamailio (registrar and proxy), baresip (the
## collector's phone and the borrower simulator), espeak-ng and sox (the simulator's voice, the recordings).
sip:
	@if ! command -v baresip >/dev/null 2>&1 || [ ! -x /usr/sbin/kamailio ] || ! command -v espeak-ng >/dev/null 2>&1 \
	    || ! command -v sox >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kamailio baresip espeak-ng sox >/dev/null; \
	  else echo "The telephony tests need the SIP stack: run 'sudo apt-get install kamailio baresip espeak-ng sox'"; exit 1; fi; \
	fi

## LightGBM (the scoring models' challenger) loads the OS's OpenMP runtime.
openmp:
	@if ! ldconfig -p | grep -q libgomp.so.1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgomp1 >/dev/null; \
	  else echo "The scoring models need OpenMP: run 'sudo apt-get install libgomp1'"; exit 1; fi; \
	fi

## The layers and the pure packages (import-linter contracts in pyproject.toml).
lint: install-test
	$(BIN)/lint-imports --no-cache

## The fast tier, before every commit: the contracts, then every test but the browser, Spark and slow ones, on
## SQLite, on all cores (pytest-xdist).
check: lint fonts openmp
	$(BIN)/python -m pytest -n auto -q -m "not browser and not spark and not slow"

## Run the whole suite, on SQLite and on PostgreSQL.
test: lint browser java sip openmp
	$(BIN)/python -m concord.testing.run_suite --postgres-url "$(PG_URL)" -n auto

test-sqlite: install-test browser java sip openmp
	$(BIN)/python -m pytest -n auto

test-postgres: install-test browser java sip openmp
	DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest -n auto

clean:
	rm -rf $(VENV) var
