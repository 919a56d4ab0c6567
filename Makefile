# Two entry points (see README): `make run` and `make test`. Both install everything
# into .venv first: torch 2.13.0 (CPU) before the rest, then the project with extras.
VENV ?= .venv
PY := $(VENV)/bin/python
STORE ?= $(HOME)/.local/share/regiomatch/store
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup run test bench lint clean browser

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[match,multilingual,service,test]'
	touch $@

URL := http://127.0.0.1:8000

# build the default store only when there is none, then serve it on $(URL)
run: setup
	@case "$(STORE)" in http*) ;; *) [ -f "$(STORE)/CURRENT" ] || $(VENV)/bin/regiomatch init --store $(STORE) ;; esac
	@echo "regiomatch: $(URL)  (API docs $(URL)/docs, SPARQL endpoint $(URL)/sparql)"
	$(VENV)/bin/regiomatch serve --store $(STORE) --host 127.0.0.1 --port 8000

test: setup browser
	$(VENV)/bin/ruff check graph matching service ontologies bench tests
	$(PY) -m pytest -q

# The web tests drive Debian's Chromium headless with its chromedriver (nothing downloads a browser).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  echo "installing chromium and chromium-driver (apt-get)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

lint: setup
	$(VENV)/bin/ruff check graph matching service ontologies bench tests
	$(VENV)/bin/mypy graph matching service

bench: setup
	$(PY) bench/bench_store.py
	$(PY) bench/bench_encoder.py
	$(PY) bench/bench_match.py
	$(PY) bench/bench_web.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info test-output
