"""Container state kept in ``cluster.runtime[pod uid]``: files, environment, logs, and
whether the main process still runs."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import Any

from sim.net import addresses as addr
from sim.net import dns
from sim.workloads import envvars, volumes
from sim.workloads.fs import FileSystem, Layer
from sim.workloads.images import Image, Process, Server, fallback, ports_of

# The image build time: what nginx reports as Last-Modified for files shipped in the image.
IMAGE_MTIME = 1732636500.0
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
SHELLS = {"sh", "ash", "bash", "dash"}


class Container:
    """One container as the runtime keeps it: its files (the image's shared layer and its
    own writes), the environment snapshot of its start, its main process and its logs.

    What is the same for many containers is shared, and what can be derived from the
    start is derived when first asked for, then kept: the environment (from the Services'
    variables of the start, shared by the namespace's containers), the startup log lines
    (rendered from the start time and the container's values)."""

    __slots__ = ("name", "image_ref", "image", "fs", "argv", "started", "serving", "process",
                 "running", "exit_code", "next_pid", "hostname", "ip", "uid",
                 "_env", "_links", "_own", "_log", "_startup", "_memory")

    def __init__(self, name: str, image_ref: str, image: Image, fs: FileSystem,
                 env: list[tuple[str, str]] | None = None, argv: Any = (), started: datetime | None = None,
                 serving: bool = False, process: Process | None = None, running: bool = True,
                 exit_code: int | None = None, log: list[tuple[datetime, str]] | None = None,
                 next_pid: int = 7, memory: dict[str, Any] | None = None, hostname: str = "",
                 ip: str = "", uid: str = "", links: dict[str, str] | None = None,
                 own: dict[str, str] | None = None):
        self.name, self.image_ref, self.image, self.fs = name, image_ref, image, fs
        self.argv = argv if isinstance(argv, tuple) else tuple(argv)
        self.started = started if started is not None else datetime.now(timezone.utc)
        self.serving = serving          # the image's own server is the main process
        self.process = process          # which of the image's serving programs it is
        self.running = running
        self.exit_code = exit_code
        self.next_pid = next_pid        # what the next process started in the container gets
        self.hostname, self.ip, self.uid = hostname, ip, uid
        self._env = None if env is None else list(env)
        # the kubelet's part of the environment as it was at the start: the Services'
        # variables (shared), the container's own env and envFrom (None: none)
        self._links, self._own = links, own
        self._log = None if log is None else list(log)
        self._startup: tuple[int, int] | None = None   # (first port, the log entries that held)
        self._memory = memory

    def new_pid(self) -> int:
        self.next_pid += 6
        return self.next_pid

    @property
    def env(self) -> list[tuple[str, str]]:
        """environ of the main process: built from the start's snapshot when first asked for."""
        if self._env is None:
            self._env = envvars.environment(self.image.env, self.hostname, f"{self.uid}/{self.name}",
                                            self._links or {}, self._own)
        return self._env

    @env.setter
    def env(self, value: list[tuple[str, str]]) -> None:
        self._env = list(value)

    @property
    def memory(self) -> dict[str, Any]:
        """What the main process holds (redis' keys)."""
        if self._memory is None:
            self._memory = {}
        return self._memory

    @property
    def log(self) -> list[tuple[datetime, str]]:
        """(moment, text) of everything the container wrote to its output, in order; the
        startup lines first (rendered when first needed)."""
        if self._log is None:
            self._log = self._startup_lines()
        return self._log

    @log.setter
    def log(self, value: list[tuple[datetime, str]]) -> None:
        self._log = list(value)

    def log_text(self) -> str:
        """The whole log (what ``kubectl logs`` shows), without keeping it rendered."""
        entries = self._log if self._log is not None else self._startup_lines()
        return "".join(text for _, text in entries)

    def log_line(self, moment: datetime, text: str) -> None:
        self.log.append((moment, text if text.endswith("\n") else text + "\n"))

    def _startup_lines(self) -> list[tuple[datetime, str]]:
        """The lines the serving process printed as it started (the image file's ``log``):
        fixed by the start time, the container's values, and which conditional entries held."""
        process = self.process
        if process is None or self._startup is None:
            return []
        port, held = self._startup
        values = self.template_values(self.started, port=port, ip=self.ip)
        moment = self.started
        out = []
        for index, entry in enumerate(process.log):
            lines = [entry] if isinstance(entry, str) else \
                (entry.get("lines") or []) if held >> index & 1 else []
            for line in lines:
                text = str(line).format_map(values)
                out.append((moment, text if text.endswith("\n") else text + "\n"))
        return out

    @property
    def servers(self) -> dict[int, Server]:
        """The ports the main process listens on now (nginx: as its configuration says)."""
        if not (self.serving and self.running) or self.process is None:
            return {}
        if self.process.serves == "nginx":
            from sim.workloads import nginxconf

            return {port: Server("nginx", tls, self.process)
                    for port, tls in nginxconf.listening(self.fs).items()}
        return ports_of(self.process, dict(self.env), self.image.unwrap(list(self.argv)))

    def template_values(self, moment: datetime, **more: Any) -> dict[str, Any]:
        """What the image file's log and body templates may name."""
        values: dict[str, Any] = dict(self.image.vars)
        if self.process is not None:
            values.update(self.process.flag_values(self.image.unwrap(list(self.argv))))
        values.update(env=dict(self.env), hostname=self.hostname, tag=self.image.tag,
                      go_time=moment.strftime("%Y/%m/%d %H:%M:%S"),
                      klog_time=moment.strftime("%m%d %H:%M:%S.%f"),
                      redis_time=moment.strftime("%d %b %Y %H:%M:%S.") + f"{moment.microsecond // 1000:03d}",
                      apache_time=moment.strftime("%a %b %d %H:%M:%S.%f %Y"),
                      clf_time=moment.strftime("%d/%b/%Y:%H:%M:%S +0000"))
        values.update(more)
        return values


def _now(cluster: Any) -> datetime:
    return cluster.clock.now()


class Shared:
    """What the runtime keeps for the whole cluster (``cluster.runtime["shared"]``): the
    containers whose main process ended since the kubelet last asked, and the parts many
    containers share (the Services' variables per namespace, resolv.conf texts)."""

    __slots__ = ("exits", "links", "texts", "resolvers", "moments")

    def __init__(self) -> None:
        self.exits: list[tuple[str, str]] = []           # (pod uid, container name)
        self.links: dict[tuple, tuple[int, dict[str, str]]] = {}
        self.texts: dict[str, bytes] = {}
        self.resolvers: dict[tuple, tuple[int, bytes]] = {}
        self.moments: dict[float, float] = {}

    def moment(self, value: float) -> float:
        """One float object for each moment many containers start at (their files' times)."""
        if len(self.moments) > 1024:
            self.moments.clear()
        return self.moments.setdefault(value, value)

    def text(self, value: str) -> bytes:
        """One bytes object for each text many containers hold (resolv.conf)."""
        found = self.texts.get(value)
        if found is None:
            if len(self.texts) > 1024:
                self.texts.clear()
            found = self.texts[value] = value.encode()
        return found


def shared(cluster: Any) -> Shared:
    found = cluster.runtime.get("shared")
    if found is None:
        found = cluster.runtime["shared"] = Shared()
    return found


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


def _resolv_conf_data(cluster: Any, pod: dict) -> bytes:
    """resolv.conf as the kubelet writes it for ``pod``: the same for the pods of one
    namespace with one DNS policy and configuration, until a Service changes (the cluster
    DNS's address is a Service's)."""
    spec = pod.get("spec") or {}
    config = spec.get("dnsConfig")
    revision_of = getattr(getattr(cluster, "store", None), "table_revision", None)
    if not callable(revision_of):
        return _resolv_conf(cluster, pod).encode()
    key = (addr.meta(pod, "namespace") or "default", spec.get("dnsPolicy", "ClusterFirst"),
           bool(spec.get("hostNetwork")), json.dumps(config, sort_keys=True) if config else None)
    revision = revision_of("services")
    known = shared(cluster).resolvers
    found = known.get(key)
    if found is None or found[0] != revision:
        if len(known) > 1024:
            known.clear()
        found = known[key] = (revision, shared(cluster).text(_resolv_conf(cluster, pod)))
    return found[1]


BASE_DIRS = ("/bin", "/dev", "/etc", "/home", "/proc", "/root", "/sys", "/tmp", "/usr",
             "/usr/bin", "/usr/local", "/var", "/var/log", "/var/run", "/run")
_LAYERS: dict[int, tuple[Image, Layer]] = {}
_LAYERS_LOCK = threading.Lock()


def image_layer(image: Image) -> Layer:
    """The image's files as one read-only layer, made once and shared by every container
    of the image (the base folders of a root file system, then the image file's ``files``)."""
    found = _LAYERS.get(id(image))
    if found is not None and found[0] is image:
        return found[1]
    fs = FileSystem()
    for path in BASE_DIRS:
        fs.mkdir(path, IMAGE_MTIME, parents=True)
    for path, text in image.files.items():
        if path.endswith("/"):
            fs.mkdir(path.rstrip("/"), IMAGE_MTIME, parents=True)
        else:
            fs.write(path, text.encode(), IMAGE_MTIME, force=True)
    layer = Layer.of(fs)
    with _LAYERS_LOCK:
        _LAYERS[id(image)] = (image, layer)    # the image kept: its id stays its own
    return layer


SA_NAMESPACE = SERVICE_ACCOUNT_DIR + "/namespace"
SA_TOKEN = SERVICE_ACCOUNT_DIR + "/token"


def _build_fs(cluster: Any, pod: dict, spec: dict, image: Image, now: float) -> FileSystem:
    """The container's root: the image's shared layer, and on it what the kubelet writes
    as the container starts (hostname, hosts, resolv.conf, the service account's files,
    the volumes)."""
    fs = FileSystem(image_layer(image))
    texts = shared(cluster)
    fs.write("/etc/hostname", (addr.pod_kernel_hostname(cluster, pod) + "\n").encode(), now, force=True)
    fs.write("/etc/hosts", _hosts_file(cluster, pod).encode(), now, force=True)
    fs.write("/etc/resolv.conf", _resolv_conf_data(cluster, pod), now, force=True)
    mounts = spec.get("volumeMounts") or []
    automount = (pod.get("spec") or {}).get("automountServiceAccountToken", True) is not False
    if automount and not any(m.get("mountPath") == SERVICE_ACCOUNT_DIR for m in mounts):
        ns = addr.meta(pod, "namespace") or "default"
        fs.write(SA_NAMESPACE, texts.text(ns), now, force=True)
        fs.write(SA_TOKEN, volumes.token(pod), now, force=True)
        fs.protect(SERVICE_ACCOUNT_DIR)
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


def end(cluster: Any, state: Container, code: int) -> None:
    """The container's main process has ended with ``code``: the kubelet hears of it at
    its next pass (``take_exits``)."""
    state.running, state.exit_code = False, code
    if state.uid:
        shared(cluster).exits.append((state.uid, state.name))


def take_exits(cluster: Any) -> list[tuple[str, str]]:
    """(pod uid, container name) of each container whose main process ended since the
    last call: what the kubelet looks at, instead of asking every running container."""
    queue = shared(cluster)
    found, queue.exits = queue.exits, []
    return found


def _startup_log(cluster: Any, state: Container) -> None:
    """What the serving process prints as it starts (the image file's ``log``) depends on
    the files at that moment: the first port it listens on and which conditional entries
    hold are noted now, the lines rendered when the log is read. nginx with a wrong
    configuration does not start: its errors are logged and the container exits."""
    process = state.process
    if process is None:
        return
    ports = list(state.servers) or [0]
    held = 0
    for index, entry in enumerate(process.log):
        if not isinstance(entry, str) and _holds(state.fs, entry.get("when") or {}):
            held |= 1 << index
    startup = (ports[0], held)
    state._startup = _STARTUPS.setdefault(startup, startup) if len(_STARTUPS) < 4096 else startup
    if process.serves == "nginx":
        from sim.workloads import nginxconf

        errors = nginxconf.config(state.fs).errors
        if errors:
            # nginx does not start: the container exits, the kubelet restarts it
            values = state.template_values(state.started, port=ports[0], ip=state.ip)
            for line in process.options.get("config_error_log") or ():
                state.log_line(state.started, str(line).format_map(dict(values, error=errors[0])))
            end(cluster, state, 1)


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


def _argv(image: Image, spec: dict) -> tuple[str, ...]:
    """``main_argv`` as a tuple, the same one for every container of the image that
    names neither command nor args."""
    if spec.get("command") or spec.get("args") is not None:
        return tuple(main_argv(image, spec))
    found = _ARGVS.get(id(image))
    if found is None or found[0] is not image:
        found = _ARGVS[id(image)] = (image, image.entrypoint + image.cmd)
    return found[1]


_ARGVS: dict[int, tuple[Image, tuple[str, ...]]] = {}
_STARTUPS: dict[tuple[int, int], tuple[int, int]] = {}


def start_container(cluster: Any, pod: dict, container_name: str) -> None:
    """Called by the kubelet when the container starts: files, environment snapshot (the
    Services that exist now), and the main process."""
    spec = _container_spec(pod, container_name)
    pod = _with_ip(cluster, pod)
    image = fallback(spec.get("image", ""))
    moment = _now(cluster)
    now = shared(cluster).moment(moment.timestamp())
    links, own = envvars.kubelet_variables(cluster, pod, spec, shared(cluster).links)
    state = Container(
        name=container_name, image_ref=spec.get("image", ""), image=image,
        fs=_build_fs(cluster, pod, spec, image, now), links=links, own=own,
        argv=_argv(image, spec), started=moment,
        hostname=addr.pod_kernel_hostname(cluster, pod), ip=addr.pod_ip(pod) or "",
        uid=addr.meta(pod, "uid") or "",
    )
    _pod_state(cluster, pod)[container_name] = state
    process = serving_process(image, list(state.argv))
    if process is not None:
        state.serving, state.process = True, process
        from sim.workloads import servers

        servers.started(state)
        _startup_log(cluster, state)
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
    end(cluster, state, code)


def main_exit_code(cluster: Any, pod: dict, container_name: str) -> int | None:
    """None while the main process runs; its exit status once it has ended. (The
    volumes are not refreshed for it: the answer does not depend on them.)"""
    state = _pod_state(cluster, pod).get(container_name) or container(cluster, pod, container_name)
    return None if state.running else state.exit_code


def logs(cluster: Any, pod: dict, container: str) -> str:
    state = find(cluster, pod, container)
    if state is None:
        return ""
    return state.log_text()


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


def stop_pod(cluster: Any, kubelet_state: Any = None, uid: str | None = None) -> None:
    """A pod is gone: forget its containers and emptyDir volumes (``uid``), or those of
    every pod no longer in the store."""
    if uid is not None:
        cluster.runtime.pop(uid, None)
        volumes.forget_pod(cluster, uid)
        return
    alive = {addr.meta(p, "uid") for p in addr.pods(cluster)}
    volumes.forget_pods(cluster, alive)
    for key in [k for k, v in cluster.runtime.items()
                if isinstance(v, dict) and isinstance(k, str) and k not in alive and k != "net"
                and v and all(isinstance(c, Container) for c in v.values())]:
        del cluster.runtime[key]


def env_dict(state: Container) -> dict[str, str]:
    return dict(state.env)


def utc_from(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)
