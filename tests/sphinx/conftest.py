"""Builds of the small test projects under roots/, each in a fresh copy."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from sphinx.testing.util import SphinxTestApp

ROOTS = Path(__file__).parent / "roots"


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., SphinxTestApp]:
    """``make_site(buildername, root="test-basic", **confoverrides)``: a built app."""
    made: list[SphinxTestApp] = []

    def make(buildername: str = "html", root: str = "test-basic", *, parallel: int = 0,
             srcdir: Path | None = None, **confoverrides: Any) -> SphinxTestApp:
        if srcdir is None:
            srcdir = tmp_path / root
            if not srcdir.exists():
                shutil.copytree(ROOTS / root, srcdir)
        app = SphinxTestApp(buildername, srcdir=srcdir, confoverrides=confoverrides,
                            status=StringIO(), warning=StringIO(), parallel=parallel)
        made.append(app)
        app.build()
        return app

    yield make
    for app in made:
        app.cleanup()
