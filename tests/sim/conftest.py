import pytest

from sim.api.objects import changed_shared
from sim.cluster import Cluster


@pytest.fixture(autouse=True)
def _shared_parts_stay_unchanged():
    """Parts many stored objects share (sim.api.objects.shared) must come out of every test
    as they went in: a change is code that changed a stored object in place."""
    yield
    assert changed_shared() == []


@pytest.fixture
def cluster() -> Cluster:
    """A default-profile cluster without the workloads hooks (every image known, ready)."""
    return Cluster("default", workloads=False)


def deployment(name: str, replicas: int = 2, image: str = "nginx", labels: dict | None = None,
               **spec) -> dict:
    labels = labels or {"app": name}
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)},
                                  "spec": {"containers": [{"name": name.split("-")[0], "image": image,
                                                           "ports": [{"containerPort": 80}]}]}}}}
    body["spec"].update(spec)
    return body


def service(name: str, selector: dict | None = None, ports=None, **spec) -> dict:
    body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"ports": ports or [{"port": 80}]}}
    if selector is not None:
        body["spec"]["selector"] = selector
    body["spec"].update(spec)
    return body


@pytest.fixture
def make_deployment():
    return deployment


@pytest.fixture
def make_service():
    return service
