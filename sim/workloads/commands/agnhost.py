"""agnhost, the Kubernetes e2e tests' many-programs binary: its DNS tools read the
container's own files; its servers (netexec, serve-hostname, pause) run until stopped."""

from __future__ import annotations

from sim.workloads.fs import FsError
from sim.workloads.proc import Forever, Proc

SERVERS = {"netexec", "serve-hostname", "pause", "test-webserver", "porter", "fake-gitserver"}


def _resolv(proc: Proc, key: str) -> list[str]:
    try:
        text = proc.fs.read("/etc/resolv.conf").decode()
    except FsError:
        return []
    found: list[str] = []
    for line in text.splitlines():
        fields = line.split()
        if fields and fields[0] == key:
            found += fields[1:] if key == "search" else fields[1:2]
    return found


def agnhost(proc: Proc, argv: list[str]) -> int:
    sub = argv[1] if len(argv) > 1 else ""
    if sub == "dns-suffix":
        proc.write(",".join(_resolv(proc, "search")) + "\n")
        return 0
    if sub == "dns-server-list":
        proc.write(",".join(_resolv(proc, "nameserver")) + "\n")
        return 0
    if sub == "etc-hosts":
        proc.write(proc.fs.read("/etc/hosts").decode() + "\n")
        return 0
    if sub in SERVERS:
        raise Forever()
    proc.error(f'Error: unknown command "{sub}" for "agnhost"\nRun \'agnhost --help\' for usage.\n')
    return 1


PROGRAMS = {"agnhost": agnhost}
