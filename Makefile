# The project's entry points. `make html` and `make test` work on a fresh clone:
# the first use creates .venv from requirements.txt.
PYTHON      ?= python3
VENV        := .venv
BIN         := $(VENV)/bin
SPHINXBUILD := $(BIN)/sphinx-build
SPHINXOPTS  ?=
BUILDDIR    := _build
STAMP       := $(VENV)/.installed

.PHONY: html doctest test bench gettext update-po clean venv system-deps

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# System packages the sandbox and the browser test need (Debian), installed when missing.
system-deps:
	@command -v bwrap >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null) || echo "note: bubblewrap is not installed; sessions run without a sandbox"; }

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

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(BUILDDIR) .tutorial-cache
