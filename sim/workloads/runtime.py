"""Container state kept in ``cluster.runtime[pod uid]``: files, environment, logs, and
whether the main process still runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sim.net import addresses as addr
from sim.net import dns
from sim.workloads import envvars, volumes
from sim.workloads.fs import FileSystem
from sim.workloads.images import Image, Process, Server, fallback, ports_of

# The image build time: what nginx reports as Last-Modified for files shipped in the image.
IMAGE_MTIME = 1732636500.0
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
SHELLS = {"sh", "ash", "bash", "dash"}


@dataclass
class Container:
    name: str
    image_ref: str
    image: Image
    fs: FileSystem
    env: list[tuple[str, str]]
    argv: list[str]
    started: datetime
    serving: bool = False          # the image's own server is the main process
    process: Process | None = None # which of the image's serving programs it is
    running: bool = True
    exit_code: int | None = None
    log: list[tuple[datetime, str]] = field(default_factory=list)
    next_pid: int = 7              # what the next process started in the container gets
    memory: dict[str, Any] = field(default_factory=dict)   # what the main process holds (redis' keys)

    def new_pid(self) -> int:
        self.next_pid += 6
        return self.next_pid

    def log_line(self, moment: datetime, text: str) -> None:
        self.log.append((moment, text if text.endswith("\n") else text + "\n"))

    @property
    def servers(self) -> dict[int, Server]:
        """The ports the main process listens on now (nginx: as its configuration says)."""
        if not (self.serving and self.running) or self.process is None:
            return {}
        if self.process.serves == "nginx":
            from sim.workloads import nginxconf

            return {port: Server("nginx", tls, self.process)
                    for port, tls in nginxconf.listening(self.fs).items()}
        return ports_of(self.process, dict(self.env), self.image.unwrap(self.argv))

    def template_values(self, moment: datetime, **more: Any) -> dict[str, Any]:
        """What the image file's log and body templates may name."""
        values: dict[str, Any] = dict(self.image.vars)
        if self.process is not None:
            values.update(self.process.flag_values(self.image.unwrap(self.argv)))
        values.update(env=dict(self.env), hostname=self.hostname, tag=self.image.tag,
                      go_time=moment.strftime("%Y/%m/%d %H:%M:%S"),
                      klog_time=moment.strftime("%m%d %H:%M:%S.%f"),
                      redis_time=moment.strftime("%d %b %Y %H:%M:%S.") + f"{moment.microsecond // 1000:03d}",
                      apache_time=moment.strftime("%a %b %d %H:%M:%S.%f %Y"),
                      clf_time=moment.strftime("%d/%b/%Y:%H:%M:%S +0000"))
        values.update(more)
        return values

    hostname: str = ""
    ip: str = ""


def _now(cluster: Any) -> datetime:
    return cluster.clock.now()


def _container_spec(pod: dict, name: str) -> dict:
    spec = pod.get("spec") or {}
    for item in (spec.get("containers") or []) + (spec.get("initContainers") or []) \
            + (spec.get("ephemeralContainers") or []):
        if item.get("name") == name:
            return item
    raise KeyError(name)


def _hosts_file(cluster: Any, pod: dict) -> str:
    lines = ["# Kubernetes-managed hosts file.", "127.0.0.1\tlocalhost",
             "::1\tlocalhost ip6-localhost ip6-loopback", "fe00::0\tip6-localnet",
             "fe00::0\tip6-mcastprefix", "fe00::1\tip6-allnodes", "fe00::2\tip6-allrouters"]
    ip = addr.pod_ip(pod)
    if ip:
        fqdn = addr.pod_fqdn(cluster, pod)
        host = addr.pod_hostname(pod)
        lines.append(f"{ip}\t{fqdn}\t{host}" if fqdn else f"{ip}\t{host}")
    aliases = (pod.get("spec") or {}).get("hostAliases") or []
    if aliases:
        lines += ["", "# Entries added by HostAliases."]
        lines += [f"{a['ip']}\t" + "\t".join(a.get("hostnames") or []) for a in aliases]
    return "\n".join(lines) + "\n"


def _resolv_conf(cluster: Any, pod: dict) -> str:
    return dns.pod_resolv_conf(cluster, pod).text()


def _build_fs(cluster: Any, pod: dict, spec: dict, image: Image, now: float) -> FileSystem:
    fs = FileSystem()
    for path in ("/bin", "/dev", "/etc", "/home", "/proc", "/root", "/sys", "/tmp", "/usr",
                 "/usr/bin", "/usr/local", "/var", "/var/log", "/var/run", "/run"):
        fs.mkdir(path, IMAGE_MTIME, parents=True)
    for path, text in image.files.items():
        if path.endswith("/"):
            fs.mkdir(path.rstrip("/"), IMAGE_MTIME, parents=True)
        else:
            fs.write(path, text.encode(), IMAGE_MTIME, force=True)
    fs.write("/etc/hostname", (addr.pod_kernel_hostname(cluster, pod) + "\n").encode(), now, force=True)
    fs.write("/etc/hosts", _hosts_file(cluster, pod).encode(), now, force=True)
    fs.write("/etc/resolv.conf", _resolv_conf(cluster, pod).encode(), now, force=True)
    mounts = list(spec.get("volumeMounts") or [])
    automount = (pod.get("spec") or {}).get("automountServiceAccountToken", True) is not False
    if automount and not any(m.get("mountPath") == SERVICE_ACCOUNT_DIR for m in mounts):
        ns = addr.meta(pod, "namespace") or "default"
        for name, data in {"namespace": ns.encode(), "token": volumes.token(pod)}.items():
            fs.write(f"{SERVICE_ACCOUNT_DIR}/{name}", data, now, force=True)
        fs.read_only.add(SERVICE_ACCOUNT_DIR)
    volumes.mount_all(cluster, pod, spec, fs, now)
    return fs


def main_argv(image: Image, spec: dict) -> list[str]:
    """Kubernetes' rule: command replaces ENTRYPOINT (and CMD), args replaces CMD."""
    command, args = spec.get("command"), spec.get("args")
    if command:
        return list(command) + list(args or [])
    return list(image.entrypoint) + list(args if args is not None else image.cmd)


def _pod_state(cluster: Any, pod: dict) -> dict:
    return cluster.runtime.setdefault(addr.meta(pod, "uid") or addr.meta(pod, "name"), {})


def container(cluster: Any, pod: dict, name: str) -> Container:
    """The running container ``name`` of ``pod``; started on first use if the kubelet has
    not started it yet."""
    state = _pod_state(cluster, pod).get(name)
    if state is None:
        start_container(cluster, pod, name)
        state = _pod_state(cluster, pod)[name]
    volumes.refresh(cluster, pod, state.fs, _now(cluster).timestamp())
    return state


def find(cluster: Any, pod: dict, name: str) -> Container | None:
    state = _pod_state(cluster, pod).get(name)
    if state is not None:
        volumes.refresh(cluster, pod, state.fs, _now(cluster).timestamp())
    return state


def _startup_log(state: Container, moment: datetime) -> None:
    """The lines the serving process prints as it starts (the image file's ``log``)."""
    process = state.process
    if process is None:
        return
    ports = list(state.servers) or [0]
    values = state.template_values(moment, port=ports[0], ip=state.ip)
    for entry in process.log:
        lines = [entry] if isinstance(entry, str) else \
            (entry.get("lines") or []) if _holds(state.fs, entry.get("when") or {}) else []
        for line in lines:
            state.log_line(moment, str(line).format_map(values))
    if process.serves == "nginx":
        from sim.workloads import nginxconf

        errors = nginxconf.config(state.fs).errors
        if errors:
            # nginx does not start: the container exits, the kubelet restarts it
            for line in process.options.get("config_error_log") or ():
                state.log_line(moment, str(line).format_map(dict(values, error=errors[0])))
            state.running, state.exit_code = False, 1


def _holds(fs: FileSystem, when: dict) -> bool:
    """A startup line's condition on the container's files: ``missing``, ``read_only`` or
    ``writable`` (an existing file that may be changed)."""
    for test, path in when.items():
        present = fs.stat(path) is not None
        if test == "missing" and present or test == "read_only" and (not present or fs.writable(path)) \
                or test == "writable" and (not present or not fs.writable(path)):
            return False
    return True



def _with_ip(cluster: Any, pod: dict) -> dict:
    """The kubelet starts containers in the same pass that gives the sandbox its IP,
    before it writes that IP into the pod's status."""
    if addr.pod_ip(pod):
        return pod
    kubelet = (getattr(cluster, "state", None) or {}).get("kubelet", {})
    ip = (kubelet.get(addr.meta(pod, "uid")) or {}).get("ip")
    if not ip:
        return pod
    copy = dict(pod)
    copy["status"] = dict(pod.get("status") or {}, podIP=ip, podIPs=[{"ip": ip}])
    return copy


def start_container(cluster: Any, pod: dict, container_name: str) -> None:
    """Called by the kubelet when the container starts: files, environment snapshot (the
    Services that exist now), and the main process."""
    spec = _container_spec(pod, container_name)
    pod = _with_ip(cluster, pod)
    image = fallback(spec.get("image", ""))
    moment = _now(cluster)
    now = moment.timestamp()
    state = Container(
        name=container_name, image_ref=spec.get("image", ""), image=image,
        fs=_build_fs(cluster, pod, spec, image, now),
        env=envvars.container_environment(cluster, pod, spec, image.env),
        argv=main_argv(image, spec), started=moment,
    )
    state.hostname = addr.pod_kernel_hostname(cluster, pod)
    state.ip = addr.pod_ip(pod) or ""
    _pod_state(cluster, pod)[container_name] = state
    process = serving_process(image, state.argv)
    if process is not None:
        state.serving, state.process = True, process
        from sim.workloads import servers

        servers.started(state)
        _startup_log(state, moment)
        return
    _run_main(cluster, pod, spec, state)


def serving_process(image: Image, argv: list[str]) -> Process | None:
    """The image's serving program that ``argv`` starts: one its file names, or (for an
    image whose own programs are not simulated) any program the shell does not have."""
    found = image.process_for(argv)
    if found is not None:
        return found
    wildcard = image.wildcard()
    program = (image.unwrap(argv) or [""])[0].rsplit("/", 1)[-1]
    if wildcard is None:
        return None
    if not program:
        return wildcard            # an image whose own command is not known: it runs
    from sim.workloads.commands import builtins

    if program in image.programs or program in SHELLS or program in builtins.BUILTINS:
        return None
    return wildcard


def _run_main(cluster: Any, pod: dict, spec: dict, state: Container) -> None:
    from sim.workloads import exec as execution

    argv = state.image.unwrap(list(state.argv))
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    if program in SHELLS and len(argv) == 1 or (program in SHELLS and argv[1:2] in (["-i"], ["-l"])):
        if spec.get("stdin"):
            return
        result = (0, b"")
    else:
        try:
            result = execution.run_main(cluster, pod, state)
        except Exception as exc:  # a defect in a simulated program must not stop the kubelet
            result = (2, f"{program}: {type(exc).__name__}: {exc}\n".encode())
    if result is None:
        return
    code, output = result
    if output:
        state.log.append((_now(cluster), output.decode("utf-8", "replace")))
    state.running, state.exit_code = False, code


def main_exit_code(cluster: Any, pod: dict, container_name: str) -> int | None:
    """None while the main process runs; its exit status once it has ended. (The kubelet
    asks for every running container on each pass: the volumes are not refreshed for it,
    the answer does not depend on them.)"""
    state = _pod_state(cluster, pod).get(container_name) or container(cluster, pod, container_name)
    return None if state.running else state.exit_code


def logs(cluster: Any, pod: dict, container: str) -> str:
    state = find(cluster, pod, container)
    if state is None:
        return ""
    return "".join(text for _, text in state.log)


def probe_ready(cluster: Any, pod: dict, container_name: str) -> tuple[bool, str]:
    """The readinessProbe's verdict now, and the kubelet's message when it fails."""
    from sim.workloads import probes

    return probes.ready(cluster, pod, container_name)


def probe_result(cluster: Any, pod: dict, container_name: str, kind: str) -> tuple[bool, str]:
    """The verdict of a readinessProbe, livenessProbe or startupProbe now (and why not)."""
    from sim.workloads import probes

    return probes.check(cluster, pod, container_name, kind)


# programs that, as a container's first process, have no handler for SIGTERM (the kernel
# ignores it for a namespace's init): the kubelet's SIGKILL ends them when the grace period is over
IGNORES_SIGTERM = SHELLS | {"sleep", "tail", "cat", "pause"}


def stop_seconds(cluster: Any, pod: dict, container_name: str) -> float | None:
    """How long the main process takes to end on SIGTERM: ``inf`` when it ignores it (the
    grace period, then SIGKILL), else about a tenth of a second; None for no container."""
    state = find(cluster, pod, container_name)
    if state is None or not state.running:
        return None
    argv = state.image.unwrap(list(state.argv))
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    if program in IGNORES_SIGTERM and not any("trap" in a.split() for a in argv[1:]):
        return float("inf")
    return 0.1


def stop_exit_code(cluster: Any, pod: dict, container_name: str, killed: bool) -> int:
    """The exit status a stopped container reports: 137 after SIGKILL; on SIGTERM 0 for a
    program that shuts down cleanly (nginx, httpd, redis), else 143."""
    if killed:
        return 137
    state = find(cluster, pod, container_name)
    server = getattr(getattr(state, "process", None), "serves", "") if state else ""
    return 0 if server in {"nginx", "httpd", "redis", "ingress"} else 143


def run_pre_stop(cluster: Any, pod: dict, container_name: str) -> tuple[float, str | None]:
    """Run the container's preStop hook as the kubelet does before SIGTERM: (the seconds it
    takes, None) or (seconds, why it failed). An exec hook runs in the container (its
    ``sleep`` counts the time without waiting); an httpGet hook asks the container."""
    spec = _container_spec(pod, container_name)
    hook = ((spec.get("lifecycle") or {}).get("preStop")) or {}
    state = find(cluster, pod, container_name)
    if not hook or state is None or not state.running:
        return 0.0, None
    if "sleep" in hook:
        return float((hook["sleep"] or {}).get("seconds") or 0), None
    if "exec" in hook:
        from sim.workloads import commands
        from sim.workloads.exec import _proc
        from sim.workloads.proc import BufferSink, Forever
        from sim.workloads.shell import Shell, ShellExit

        import json

        argv = list(hook["exec"].get("command") or [])
        out, err = BufferSink(), BufferSink()
        proc = _proc(cluster, pod, state, out, err, lambda: b"", False)
        proc.sleeps = []
        try:
            code = commands.run(Shell(state.image.shell), proc, argv) if argv else 1
        except ShellExit as exc:
            code = exc.code
        except Forever:
            return float("inf"), None
        except Exception as exc:  # a program the image lacks: the hook fails
            code, err.data = 126, bytearray(str(exc).encode())
        took = sum(proc.sleeps)
        if code == 0:
            return took, None
        command = " ".join(argv)
        stderr = err.data.decode("utf-8", "replace")
        output = out.data.decode("utf-8", "replace") + stderr
        ref = f"{addr.meta(pod, 'name')}_{addr.meta(pod, 'namespace')}({addr.meta(pod, 'uid')})"
        return took, (f"Exec lifecycle hook ([{command}]) for Container \"{container_name}\" in "
                      f"Pod \"{ref}\" failed - error: command '{command}' exited with {code}: "
                      f"{stderr}, message: {json.dumps(output)}")
    if "httpGet" in hook:
        from sim.workloads import probes

        ok, message = probes.http_hook(cluster, pod, container_name, hook["httpGet"])
        return 0.0, None if ok else message
    return 0.0, None


def stop_pod(cluster: Any, kubelet_state: Any = None) -> None:
    """A pod is gone: forget the containers of pods no longer in the store."""
    alive = {addr.meta(p, "uid") for p in addr.pods(cluster)}
    volumes.forget_pods(cluster, alive)
    for key in [k for k, v in cluster.runtime.items()
                if isinstance(v, dict) and isinstance(k, str) and k not in alive and k != "net"
                and all(isinstance(c, Container) for c in v.values())]:
        del cluster.runtime[key]


def env_dict(state: Container) -> dict[str, str]:
    return dict(state.env)


def utc_from(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)
