"""The container side that the network reaches (``sim.net.client.Containers``): the
running container of a pod, what its server answers, its TLS files."""

from __future__ import annotations

from sim.workloads import runtime, servers


class _Containers:
    find = staticmethod(runtime.find)
    respond = staticmethod(servers.respond)
    certificate_path = staticmethod(servers.certificate_path)
    key_path = staticmethod(servers.key_path)


CONTAINERS = _Containers()
