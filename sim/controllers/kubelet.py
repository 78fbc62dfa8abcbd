"""The kubelets of all nodes: sandbox and IP, image pulls, container start, readiness,
termination. Timings come from the seeded rng and the profile, so pods are Running and
Ready a second or two after they are scheduled unless something keeps them from it."""

from __future__ import annotations

import hashlib
import heapq
import ipaddress
import sys
from datetime import datetime, timedelta
from typing import Any

from ..api.objects import alike, alike_of, clone, edit, set_condition, shared
from ..clock import format_time
from .base import ClusterView, pod_ended
from .volumes import env_error, volumes_blocked

#: the user a container runs as, as the runtime reports it (images here run as root)
_ROOT_USER = shared({"linux": {"gid": 0, "supplementalGroups": [0], "uid": 0}})


# -- hooks into sim.workloads (present once that package lands) ---------------------------

def _hook(cluster: ClusterView, module: str, name: str):
    """``sim.workloads.<module>.<name>`` when that package provides it (and the cluster
    was made with workloads), else None: the kubelet then behaves as for a plain image."""
    if not getattr(cluster, "workloads", True):
        return None
    mod = sys.modules.get(f"sim.workloads.{module}")   # imported already: no import machinery
    if mod is None:
        try:
            mod = __import__(f"sim.workloads.{module}", fromlist=[name])
        except ImportError:
            return None
    return getattr(mod, name, None)


def _call(fn, *args):
    try:
        return fn(*args)
    except ImportError:
        # a half-installed workloads package: behave as without it
        return None


def image_known(cluster: ClusterView, image: str) -> bool:
    """Whether pulling ``image`` succeeds; what a reference no image file names does is
    the profile's ``images.unknown`` (``pull``, the default, or ``fail``)."""
    pulls = _hook(cluster, "images", "pulls")
    if pulls is None:
        return True
    policy = str((cluster.profile.get("images") or {}).get("unknown", "pull"))
    result = _call(pulls, image, policy)
    return True if result is None else bool(result)


def image_problem(cluster: ClusterView, image: str) -> str | None:
    """Why ``image`` is no reference at all (InvalidImageName), None when it is one."""
    fn = _hook(cluster, "images", "reference_error")
    result = _call(fn, image) if fn is not None else None
    return result if isinstance(result, str) else None


def probe(cluster: ClusterView, pod: dict, container: str,
          kind: str = "readinessProbe") -> tuple[bool, str]:
    fn = _hook(cluster, "runtime", "probe_result")
    if fn is not None:
        result: Any = _call(fn, cluster, pod, container, kind)
    else:
        fn = _hook(cluster, "runtime", "probe_ready") if kind == "readinessProbe" else None
        if fn is None:
            return True, ""
        result = _call(fn, cluster, pod, container)
    if result is None:
        return True, ""
    if isinstance(result, tuple):
        return bool(result[0]), str(result[1] if len(result) > 1 else "")
    return bool(result), ""


def start_container(cluster: ClusterView, pod: dict, container: str) -> None:
    fn = _hook(cluster, "runtime", "start_container")
    if fn is not None:
        _call(fn, cluster, pod, container)


def main_exit(cluster: ClusterView, pod: dict, container: str) -> int | None:
    """The exit status of the container's main process once it has ended, else None."""
    fn = _hook(cluster, "runtime", "main_exit_code")
    if fn is None:
        return None
    code = _call(fn, cluster, pod, container)
    return code if isinstance(code, int) else None


BACKOFF_INITIAL = 10.0     # the kubelet's crash-loop back-off: doubled per restart,
BACKOFF_MAX = 300.0        # capped at 5 minutes, forgotten after twice that without a crash


# -- image names ---------------------------------------------------------------------------

def normalize_image(image: str) -> str:
    """``nginx`` -> ``docker.io/library/nginx:latest`` as containerd reports it."""
    name, digest = (image.split("@", 1) + [""])[:2]
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = f"docker.io/library/{name}"
    elif not ("." in first or ":" in first or first == "localhost"):
        name = f"docker.io/{name}"
    if digest:
        return f"{name}@{digest}"
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else f"{name}:latest"


def image_id(image: str) -> str:
    full = normalize_image(image)
    repo = full.split("@", 1)[0]
    last = repo.rsplit("/", 1)[-1]
    if ":" in last:
        repo = repo[: repo.rfind(":")]
    digest = hashlib.sha256(full.encode()).hexdigest()
    return f"{repo}@sha256:{digest}"


def _go_duration(seconds: float) -> str:
    """Go's time.Duration String() for sub-minute durations."""
    if seconds < 1:
        ms = seconds * 1000
        return f"{ms:.3f}".rstrip("0").rstrip(".") + "ms"
    return f"{seconds:.9f}".rstrip("0").rstrip(".") + "s"


# -- the kubelet ------------------------------------------------------------------------------

_GRID: dict[datetime, datetime] = {}


def _after(moment: datetime, seconds: float) -> datetime:
    """``moment + seconds`` on a 0.1 s grid: many pods share a few wake-up times (and one
    object for each, which their states hold)."""
    later = moment + timedelta(seconds=seconds)
    later = later + timedelta(microseconds=-(later.microsecond % 100000))
    if len(_GRID) > 4096:
        _GRID.clear()
    return _GRID.setdefault(later, later)


class Kubelet:
    name = "kubelet"
    watches = ("pods", "nodes")
    #: also runs at the end of each command's pause: periodic readiness probes are due
    #: then, without waking the cluster every probe period through long idle spans
    periodic = True

    def __init__(self) -> None:
        self._feed = None                   # the pods and nodes written since the last pass
        #: (namespace, name) -> uid of the pods it looked at: a removal seen as a key
        self._uids: dict[tuple[str, str], str] = {}
        self._removed_own: list[str] = []   # the pods it removed itself in the last pass
        self._unsettled: set[str] = set()   # pods looked at whose last write is not the kubelet's
        self._again = False                 # timers ran: the next pass looks at what they wrote
        self._due: list[tuple[datetime, str]] = []     # (ps["due"], uid), a heap
        self._nodes: set[str] = set()       # the nodes that run a kubelet (that exist)
        #: the next pod state's place in the order the kubelet took its pods in
        self._seq = 0
        self._wakes: list[tuple[datetime, str]] = []   # (ps["wake"], uid), a heap

    def sync(self, cluster: ClusterView):
        """One pass, from the changes: the pods written since the last pass (the kubelet's
        own writes left out), those whose timer is due, those bound to a node that just
        joined (no kubelet ran them before), and the removed ones forgotten (a written key
        whose pod is gone, or is another pod now). The first pass looks at every pod; a
        node's other changes (its heartbeats) change nothing for its pods."""
        store = cluster.store
        state = cluster.state.setdefault("kubelet", {})
        now = cluster.clock.now()
        self._collect_exits(cluster, state)
        if self._feed is None:
            # of the nodes, only those that join (or leave: a removal is always queued)
            self._feed = store.feed("pods", "nodes", only={"nodes": _joins})
        everything, keys = self._feed.take()
        gone, self._removed_own = self._removed_own, []   # forgotten the pass after
        if everything:
            self._full(cluster, state, now)
        else:
            pods = keys["pods"] | self._joined(store, keys["nodes"])
            if pods or self._again:
                self._some(cluster, state, now, pods, gone + self._removed(store, keys["pods"]))
            else:
                self._timers(cluster, state, now)
        self._feed.take()                   # its own writes need no second look
        return self._next_wake(state, now)

    def _joined(self, store, names) -> set[tuple[str, str]]:
        """The keys of the pods bound to the nodes among ``names`` that joined since the
        last pass (the nodes that left are forgotten)."""
        keys: set[tuple[str, str]] = set()
        for _, name in names:
            if store.find("nodes", None, name) is None:
                self._nodes.discard(name)
            elif name not in self._nodes:
                self._nodes.add(name)
                keys.update((p["metadata"]["namespace"], p["metadata"]["name"])
                            for p in store.pods_on(name))
        return keys

    def _removed(self, store, keys) -> list[str]:
        """The uids of the pods others removed among the keys written: the pod under the
        key is gone, or is another pod (deleted and made again between two passes)."""
        gone = []
        for key in keys:
            uid = self._uids.get(key)
            if uid is None:
                continue
            pod = self._feed.object(store, "pods", key)
            if pod is None or pod["metadata"]["uid"] != uid:
                gone.append(uid)
                del self._uids[key]
        return gone

    def _full(self, cluster: ClusterView, state: dict, now: datetime) -> None:
        """Every pod: those not settled since the kubelet last wrote them, in name order."""
        seen = set()
        self._unsettled = set()
        self._uids = {}
        self._nodes = {n["metadata"]["name"] for n in cluster.store.list("nodes")}
        self._seq = max((ps.get("seq", -1) for ps in state.values()), default=-1) + 1
        for pod in cluster.store.list("pods"):
            if pod["spec"].get("nodeName"):
                seen.add(pod["metadata"]["uid"])
                self._look(cluster, state, now, pod)
        for uid in list(state):
            if uid not in seen:
                self._forget(cluster, state.pop(uid), uid)
        self._due = [(ps["due"], uid) for uid, ps in state.items() if ps.get("due") is not None]
        self._wakes = [(ps["wake"], uid) for uid, ps in state.items() if ps.get("wake") is not None]
        heapq.heapify(self._due)
        heapq.heapify(self._wakes)
        self._again = False

    def _some(self, cluster: ClusterView, state: dict, now: datetime, keys, gone: list[str]) -> None:
        """The pods written since the last pass, those due and those still not settled,
        in name order (what a look at every pod would find to do)."""
        store = cluster.store
        for uid in gone:
            if uid in state:
                self._forget(cluster, state.pop(uid), uid)
        found: dict[tuple[str, str], dict] = {}
        for key in keys:
            pod = self._feed.object(store, "pods", key)
            if pod is not None:
                found[key] = pod
        for uid in self._take_due(state, now) | self._unsettled:
            pod = store.by_uid(uid)
            if pod is not None:
                found[(pod["metadata"].get("namespace", ""), pod["metadata"]["name"])] = pod
        self._unsettled = set()
        self._again = False
        for key in sorted(found):
            if found[key]["spec"].get("nodeName"):
                self._look(cluster, state, now, found[key])

    def _look(self, cluster: ClusterView, state: dict, now: datetime, pod: dict) -> None:
        """What the kubelet does for one pod bound to its node."""
        uid = pod["metadata"]["uid"]
        self._uids[(pod["metadata"].get("namespace", ""), pod["metadata"]["name"])] = uid
        ps = state.get(uid)
        if ps is not None and ps.get("rv") == pod["metadata"]["resourceVersion"] and (
                ps.get("due") is None or now < ps["due"]):
            return              # settled since the kubelet last wrote it
        if pod["metadata"].get("deletionTimestamp"):
            self._terminate(cluster, pod, ps or {})
        elif pod_ended(pod):
            return
        elif ps is None:
            if pod["spec"]["nodeName"] not in self._nodes:
                return          # bound to a node that is not there: no kubelet runs it
            self._admit(cluster, pod)
        else:
            self._advance(cluster, pod, ps, now)
        self._looked(cluster, state, uid)

    def _looked(self, cluster: ClusterView, state: dict, uid: str) -> None:
        """After a look at a pod: its timers, and whether its last write is the kubelet's."""
        ps = state.get(uid)
        pod = cluster.store.by_uid(uid)
        if ps is None or pod is None:
            return
        if ps.get("due") is not None:
            heapq.heappush(self._due, (ps["due"], uid))
        if ps.get("wake") is not None:
            heapq.heappush(self._wakes, (ps["wake"], uid))
        if ps.get("rv") != pod["metadata"]["resourceVersion"]:
            self._unsettled.add(uid)
        if len(self._wakes) > 2 * len(state) + 64 or len(self._due) > 2 * len(state) + 64:
            self._compact(state)

    def _compact(self, state: dict) -> None:
        self._due = [(w, u) for w, u in self._due if (state.get(u) or {}).get("due") == w]
        self._wakes = [(w, u) for w, u in self._wakes if (state.get(u) or {}).get("wake") == w]
        heapq.heapify(self._due)
        heapq.heapify(self._wakes)

    def _take_due(self, state: dict, now: datetime) -> set[str]:
        """The pods whose timer (hard or soft) is due now."""
        due = set()
        while self._due and self._due[0][0] <= now:
            when, uid = heapq.heappop(self._due)
            if (state.get(uid) or {}).get("due") == when:
                due.add(uid)
        return due

    def _next_wake(self, state: dict, now: datetime) -> datetime | None:
        """The earliest hard timer of all the pods still to come."""
        while self._wakes:
            when, uid = self._wakes[0]
            if when > now and (state.get(uid) or {}).get("wake") == when:
                return when
            heapq.heappop(self._wakes)
        return None

    def _collect_exits(self, cluster: ClusterView, state: dict) -> None:
        """Containers whose main process has ended since the last pass (a command that
        finished when the container started, or a shell whose session ended): the
        runtime tells which (``take_exits``), so a pass costs the containers that ended,
        not every running one."""
        take = _hook(cluster, "runtime", "take_exits")
        ended = list(dict.fromkeys(_call(take, cluster) or ())) if take is not None else []
        if len({uid for uid, _ in ended}) > 1:
            # in the kubelet's order of pods, each pod's containers in its own order
            wanted = {uid for uid, _ in ended}
            rank: dict[str, int] = {}
            for index, uid in enumerate(state):
                if uid in wanted:
                    rank[uid] = index
                    if len(rank) == len(wanted):
                        break
            ended.sort(key=lambda e: (rank.get(e[0], len(state)), _position(state.get(e[0]), e[1])))
        for uid, name in ended:
            cs = ((state.get(uid) or {}).get("containers") or {}).get(name)
            if cs is None or cs.get("stage") != "running":
                continue
            pod = cluster.store.by_uid(uid)
            if pod is None or pod["metadata"].get("deletionTimestamp"):
                continue
            code = main_exit(cluster, pod, name)
            if code is not None:
                finish_container(cluster, pod["metadata"].get("namespace", "default"),
                                 pod["metadata"]["name"], name, code)

    def _timers(self, cluster: ClusterView, state: dict, now: datetime) -> None:
        """Nothing written since the last pass: only pods with something due, in the
        order the kubelet took them in."""
        due = self._take_due(state, now)
        if len(due) > 1:
            # in the order the states were made (a look at every state would find them
            # so), without that look
            due = sorted(due, key=lambda uid: state[uid]["seq"])
        for uid in due:
            pod = cluster.store.by_uid(uid)
            if pod is None or pod_ended(pod):
                continue
            if pod["metadata"].get("deletionTimestamp"):
                self._terminate(cluster, pod, state[uid])
            else:
                self._advance(cluster, pod, state[uid], now)
            self._looked(cluster, state, uid)
        if due:
            self._again = True      # what was written is looked at in the next pass

    # -- start ---------------------------------------------------------------------

    def _admit(self, cluster: ClusterView, pod: dict) -> datetime:
        rng = cluster.rng
        now = cluster.clock.now()
        node = cluster.store.get("nodes", None, pod["spec"]["nodeName"])
        kubelet_cfg = cluster.profile.get("kubelet", {})
        sandbox_at = _after(now, rng.uniform(0.1, 0.3))
        ps: dict = {"node": node["metadata"]["name"], "sandbox_at": sandbox_at,
                    "containers": {}, "ip": None,
                    "host_network": bool(pod["spec"].get("hostNetwork"))}
        self._keep(cluster, pod, ps)
        at = sandbox_at
        low, high = kubelet_cfg.get("pull_seconds", [0.5, 1.3])
        for c in pod["spec"].get("containers") or []:
            pull = round(rng.uniform(low, high), 3)
            cs = {"pull_start": at, "pull_seconds": pull, "pulled_at": _after(at, pull),
                  "stage": "creating", "restarts": 0,
                  "container_id": "%064x" % rng.getrandbits(256)}
            if not self._needs_pull(cluster, ps["node"], c):
                cs["pulled_at"] = _after(at, 0.1)
                cs["cached"] = True
            ps["containers"][c["name"]] = cs
            at = cs["pulled_at"]
        ready_to_start = False
        new = edit(pod, "status")
        status = new.setdefault("status", {})
        host_ip = self._internal_ip(node)
        status["hostIP"] = host_ip
        status["hostIPs"] = alike_of([alike({"ip": host_ip})])
        status["startTime"] = format_time(now)
        status["phase"] = "Pending"
        self._conditions(cluster, new, ready_to_start, initialized=True, ready=False)
        status["containerStatuses"] = [self._waiting(c, "ContainerCreating")
                                       for c in pod["spec"].get("containers") or []]
        status["observedGeneration"] = pod["metadata"].get("generation", 1)
        written = cluster.store.write(new)
        ps["rv"], ps["due"], ps["wake"] = written["metadata"]["resourceVersion"], sandbox_at, sandbox_at
        return sandbox_at

    def _needs_pull(self, cluster: ClusterView, node: str, container: dict) -> bool:
        policy = container.get("imagePullPolicy", "IfNotPresent")
        if policy == "Always":
            return True
        images = self._images(cluster, node)
        return normalize_image(container.get("image", "")) not in images

    def _images(self, cluster: ClusterView, node: str) -> set[str]:
        per_node = cluster.state.setdefault("node_images", {})
        if node not in per_node:
            per_node[node] = {normalize_image(i) for i in
                              cluster.profile.get("kubelet", {}).get("preloaded_images") or []}
        return per_node[node]

    @staticmethod
    def _internal_ip(node: dict) -> str:
        for addr in node.get("status", {}).get("addresses") or []:
            if addr.get("type") == "InternalIP":
                return addr["address"]
        return ""

    # -- progress ---------------------------------------------------------------------

    def _advance(self, cluster: ClusterView, pod: dict, ps: dict, now: datetime):
        new = _edit_status(pod)
        status = new["status"]
        wake: datetime | None = None
        host = ps["node"]

        def later(moment: datetime | None) -> None:
            nonlocal wake
            if moment is not None and (wake is None or moment < wake):
                wake = moment

        if ps["ip"] is None:
            if now < ps["sandbox_at"]:
                ps["rv"], ps["due"] = pod["metadata"]["resourceVersion"], ps["sandbox_at"]
                ps["wake"] = ps["sandbox_at"]
                return ps["sandbox_at"]
            blocked = volumes_blocked(cluster, pod, ps, now, _after,
                                      lambda message: self._event(cluster, pod, "Warning", "FailedMount",
                                                                  message, host, None))
            if blocked is not None:
                return blocked
            ps["ip"] = (status.get("hostIP") if pod["spec"].get("hostNetwork")
                        else self._allocate_ip(cluster, host))
            ps["sandbox_unwritten"] = True
        if ps.get("sandbox_unwritten"):
            # the sandbox, its address and the containers' start are one sync of the pod
            # (as the kubelet's SyncPod): written with the first change of the containers
            status["podIP"] = ps["ip"]
            status["podIPs"] = [{"ip": ps["ip"]}]
        statuses = {c["name"]: c for c in status.get("containerStatuses") or []}
        all_running = True
        due: datetime | None = None
        for c in pod["spec"].get("containers") or []:
            cs = ps["containers"][c["name"]]
            cstat = statuses.get(c["name"]) or self._waiting(c, "ContainerCreating")
            moment = self._advance_container(cluster, new, c, cs, cstat, now, host, ps)
            if cs["stage"] == "running" and cs.get("probes") and _settled(cs, cstat):
                if moment is not None and (due is None or moment < due):
                    due = moment
            else:
                later(moment)
            statuses[c["name"]] = cstat
            if cs["stage"] != "running":
                all_running = False
        status["containerStatuses"] = [statuses[c["name"]] for c in pod["spec"].get("containers") or []]
        ready = all_running and all(s.get("ready") for s in status["containerStatuses"])
        if all_running:
            status["phase"] = "Running"
        old_status = pod.get("status") or {}
        if ps.get("sandbox_unwritten") and status.get("phase") == old_status.get("phase") and \
                status["containerStatuses"] == old_status.get("containerStatuses"):
            # still pulling: nothing to tell yet but the sandbox
            written = pod
        else:
            ps.pop("sandbox_unwritten", None)
            self._conditions(cluster, new, True, True, ready)
            written = cluster.store.write(new) if new != pod else pod
        ps["rv"] = written["metadata"]["resourceVersion"]
        ps["due"] = min(m for m in (wake, due) if m is not None) if (wake or due) else None
        ps["wake"] = wake
        return wake

    def _advance_container(self, cluster, pod, c, cs, cstat, now, host, ps):
        name = c["name"]
        image = c.get("image", "")
        path = f"spec.containers{{{name}}}"
        if cs["stage"] == "creating":
            if now < cs["pull_start"]:
                return cs["pull_start"]
            problem = image_problem(cluster, image)
            if problem is not None:
                # no pull: the kubelet says so at each sync of the pod
                self._event(cluster, pod, "Warning", "InspectFailed", problem, host, path)
                self._event(cluster, pod, "Warning", "Failed", "Error: InvalidImageName", host, path)
                cstat["state"] = {"waiting": {"reason": "InvalidImageName", "message": problem}}
                cs["pull_start"] = _after(now, 10 + cluster.rng.uniform(0, 4))
                return cs["pull_start"]
            if "pull_announced" not in cs:
                cs["pull_announced"] = True
                if not cs.get("cached"):
                    self._event(cluster, pod, "Normal", "Pulling", f'Pulling image "{image}"', host, path)
            if now < cs["pulled_at"]:
                return cs["pulled_at"]
            if not cs.get("cached") and not image_known(cluster, image):
                return self._pull_failed(cluster, pod, c, cs, cstat, now, host, path)
            if cs.get("cached"):
                self._event(cluster, pod, "Normal", "Pulled",
                            f'Container image "{image}" already present on machine', host, path)
            else:
                low, high = cluster.profile.get("kubelet", {}).get(
                    "image_size_bytes", [20000000, 80000000])
                digest = int(image_id(image).rsplit(":", 1)[1][:12], 16)
                size = low + digest % max(1, high - low)
                took = _go_duration(cs["pull_seconds"])
                self._event(cluster, pod, "Normal", "Pulled",
                            f'Successfully pulled image "{image}" in {took} ({took} including '
                            f'waiting). Image size: {size} bytes.', host, path)
                self._images(cluster, host).add(normalize_image(image))
            problem = env_error(cluster.store, pod, c)
            if problem is not None:
                # the environment cannot be made: tried again at the next sync of the pod
                self._event(cluster, pod, "Warning", "Failed", f"Error: {problem}", host, path)
                cstat["state"] = {"waiting": {"reason": "CreateContainerConfigError", "message": problem}}
                cs["cached"] = True
                cs.pop("pull_announced", None)
                cs["pull_start"] = cs["pulled_at"] = _after(now, 10 + cluster.rng.uniform(0, 4))
                return cs["pull_start"]
            self._event(cluster, pod, "Normal", "Created", f"Created container: {name}", host, path)
            self._event(cluster, pod, "Normal", "Started", f"Started container {name}", host, path)
            cs["stage"] = "running"
            cs["started_at"] = now
            cstat.clear()
            cstat.update(self._running(c, cs, now))
            start_container(cluster, pod, name)
            _start_probes(c, cs, cstat, now)
            return cs.get("next_probe")
        if cs["stage"] == "backoff":
            if now >= cs["retry_at"]:
                cs["stage"] = "creating"
                cs.pop("pull_announced", None)
                cs["pull_start"] = now
                cs["pulled_at"] = now + timedelta(seconds=cs["pull_seconds"])
                return self._advance_container(cluster, pod, c, cs, cstat, now, host, ps)
            if cs.get("backoff_shown") is None and now >= cs["backoff_at"]:
                cs["backoff_shown"] = True
                self._event(cluster, pod, "Normal", "BackOff", f'Back-off pulling image "{image}"',
                            host, path)
                self._event(cluster, pod, "Warning", "Failed", "Error: ImagePullBackOff", host, path)
                cstat["state"] = {"waiting": {"reason": "ImagePullBackOff",
                                              "message": f'Back-off pulling image "{image}": '
                                                         f'ErrImagePull: {cs["pull_error"]}'}}
            return cs["retry_at"] if cs.get("backoff_shown") else cs["backoff_at"]
        if cs["stage"] == "crashloop":
            if now < cs["restart_at"]:
                return cs["restart_at"]
            _restart(cluster, pod, c, cs, cstat, now, host)
            return cs.get("next_probe")
        if cs["stage"] == "stopping":
            if now < cs["stop_at"]:
                return cs["stop_at"]
            _stopped(cluster, pod, c, cs, cstat, now, host)
            return cs.get("next_probe") if cs["stage"] == "running" else cs.get("restart_at")
        if cs["stage"] == "running" and cs.get("probes"):
            return self._probe(cluster, pod, c, cs, cstat, now, host, path)
        return None

    def _probe(self, cluster, pod, c, cs, cstat, now, host, path):
        """The container's probes that are due. Startup first (liveness and readiness wait
        for it); a failure counts towards failureThreshold, successes towards
        successThreshold; liveness or startup failing that often kills the container (the
        restart policy then restarts it). While everything passes the next probe is a soft
        timer: the slots missed since are all taken as passed."""
        name = c["name"]
        for kind in PROBE_KINDS:
            st = cs["probes"].get(kind)
            if st is None or (kind == "startupProbe") == cs.get("started_ok", True) \
                    or now < st["next"]:
                continue
            spec = c.get(kind) or {}
            period = max(int(spec.get("periodSeconds") or 10), 1)
            missed = int((now - st["next"]).total_seconds() // period)
            first = st["next"]
            st["next"] += timedelta(seconds=period * (missed + 1))
            ok, message = probe(cluster, pod, name) if kind == "readinessProbe" else \
                probe(cluster, pod, name, kind)
            if ok:
                st["fails"], st["oks"] = 0, st["oks"] + missed + 1
                if kind == "startupProbe":
                    cs["started_ok"] = True
                    cstat["started"] = True
                    cstat["ready"] = "readinessProbe" not in cs["probes"]
                elif kind == "readinessProbe" and st["oks"] >= int(spec.get("successThreshold") or 1):
                    cstat["ready"] = True
                continue
            # nothing was looked at since the last probe: every slot since has failed
            st["oks"] = 0
            threshold = int(spec.get("failureThreshold") or 3)
            before = st["fails"]
            st["fails"] += missed + 1
            title = PROBE_TITLES[kind]
            for _ in range(min(missed + 1, max(threshold - before, 1))):
                self._event(cluster, pod, "Warning", "Unhealthy",
                            f"{title} probe failed: {message}".rstrip(": ").rstrip(), host, path)
            if st["fails"] < threshold:
                continue
            # the slot whose failure reached the threshold
            at = max(first + timedelta(seconds=period * max(threshold - before - 1, 0)),
                     now - timedelta(seconds=period * missed))
            if kind == "readinessProbe":
                cstat["ready"] = False
                continue
            self._event(cluster, pod, "Normal", "Killing",
                        f"Container {name} failed {title.lower()} probe, will be restarted",
                        host, path)
            grace = spec.get("terminationGracePeriodSeconds")
            if grace is None:
                grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
            _stop(cluster, pod, c, cs, cstat, min(at, now), float(grace))
            if cs["stop_at"] <= now:
                _stopped(cluster, pod, c, cs, cstat, cs["stop_at"], host)
                return cs.get("next_probe") if cs["stage"] == "running" else cs.get("restart_at")
            return cs["stop_at"]
        return _next_probe(cs, cstat)

    def _pull_failed(self, cluster, pod, c, cs, cstat, now, host, path):
        image = c.get("image", "")
        ref = normalize_image(image)
        error = (f'failed to pull and unpack image "{ref}": failed to resolve reference '
                 f'"{ref}": pull access denied, repository does not exist or may require '
                 f'authorization: server message: insufficient_scope: authorization failed')
        cs["pull_error"] = f"rpc error: code = NotFound desc = {error}"
        self._event(cluster, pod, "Warning", "Failed",
                    f'Failed to pull image "{image}": {cs["pull_error"]}', host, path)
        self._event(cluster, pod, "Warning", "Failed", "Error: ErrImagePull", host, path)
        cstat["state"] = {"waiting": {"reason": "ErrImagePull", "message": cs["pull_error"]}}
        cs["failures"] = cs.get("failures", 0) + 1
        backoff = min(300, 10 * 2 ** (cs["failures"] - 1))
        cs["stage"] = "backoff"
        cs["backoff_at"] = now + timedelta(seconds=round(cluster.rng.uniform(0.5, 1.5), 3))
        cs["retry_at"] = now + timedelta(seconds=backoff)
        cs.pop("backoff_shown", None)
        return cs["backoff_at"]

    def _keep(self, cluster: ClusterView, pod: dict, ps: dict) -> None:
        """The pod's state kept (a new one takes the next place in the kubelet's order)."""
        state = cluster.state["kubelet"]
        uid = pod["metadata"]["uid"]
        if uid not in state:
            ps["seq"] = self._seq
            self._seq += 1
            state[uid] = ps

    # -- termination -------------------------------------------------------------------

    def _terminate(self, cluster: ClusterView, pod: dict, ps: dict):
        now = cluster.clock.now()
        if "stop_at" not in ps:
            host = pod["spec"]["nodeName"]
            for c in pod["spec"].get("containers") or []:
                cs = (ps.get("containers") or {}).get(c["name"], {})
                if cs.get("stage") == "running":
                    self._event(cluster, pod, "Normal", "Killing",
                                f"Stopping container {c['name']}", host,
                                f"spec.containers{{{c['name']}}}")
            grace = pod["metadata"].get("deletionGracePeriodSeconds", 30)
            took = cluster.rng.uniform(0.3, 1.0)
            hook = _hook(cluster, "runtime", "stop_seconds")
            pre_stop = _hook(cluster, "runtime", "run_pre_stop")
            for c in pod["spec"].get("containers") or []:
                cs = (ps.get("containers") or {}).get(c["name"], {})
                if cs.get("stage") != "running":
                    continue
                # the preStop hook runs first, then SIGTERM; a process that ignores it is
                # killed when the grace period ends
                spent = 0.0
                result = _call(pre_stop, cluster, pod, c["name"]) if pre_stop is not None else None
                if isinstance(result, tuple):
                    spent = float(result[0])
                    if result[1]:
                        self._event(cluster, pod, "Warning", "FailedPreStopHook", result[1], host,
                                    f"spec.containers{{{c['name']}}}")
                wanted = _call(hook, cluster, pod, c["name"]) if hook is not None else None
                took = max(took, spent + (float(wanted) if wanted is not None else took))
            ps["stop_at"] = _after(now, min(grace, took))
            self._keep(cluster, pod, ps)
        if now < ps["stop_at"]:
            ps["due"] = ps["wake"] = ps["stop_at"]
            return ps["stop_at"]
        cluster.store.remove(cluster.store.type_of("pods"), pod)
        self._removed_own.append(pod["metadata"]["uid"])
        return None

    def _forget(self, cluster: ClusterView, ps: dict, uid: str) -> None:
        if ps.get("ip") and not ps.get("host_network"):
            ipam = cluster.state.setdefault("ipam", {}).get(ps["node"])
            if ipam:
                ipam["used"].discard(ps["ip"])
        stop = _hook(cluster, "runtime", "stop_pod")
        if stop is not None:
            _call(stop, cluster, ps, uid)

    # -- pieces ------------------------------------------------------------------------

    def _allocate_ip(self, cluster: ClusterView, node_name: str) -> str:
        """host-local IPAM: the next free address after the last one given, from .2."""
        ipam = cluster.state.setdefault("ipam", {})
        entry = ipam.get(node_name)
        if entry is None:
            node = cluster.store.get("nodes", None, node_name)
            net = ipaddress.ip_network(node["spec"]["podCIDR"])
            entry = ipam[node_name] = {"net": net, "last": 1, "used": set()}
        net = entry["net"]
        size = net.num_addresses
        offset = entry["last"]
        for _ in range(size):
            offset = offset + 1 if offset + 1 < size - 1 else 2
            ip = str(net.network_address + offset)
            if ip not in entry["used"]:
                entry["used"].add(ip)
                entry["last"] = offset
                return ip
        raise RuntimeError(f"no free pod address on {node_name}")

    def _event(self, cluster, pod, type_, reason, message, host, path):
        cluster.events.record(pod, type_, reason, message, "kubelet", host, path)

    @staticmethod
    def _waiting(c: dict, reason: str) -> dict:
        out = {"image": c.get("image", ""), "imageID": "", "lastState": {}, "name": c["name"],
               "ready": False, "restartCount": 0, "started": False,
               "state": {"waiting": {"reason": reason}}}
        mounts = Kubelet._mounts(c)
        if mounts:
            out["volumeMounts"] = mounts
        return out

    @staticmethod
    def _mounts(c: dict) -> list[dict]:
        out = []
        for m in c.get("volumeMounts") or []:
            entry = {"mountPath": m.get("mountPath"), "name": m.get("name")}
            if m.get("readOnly"):
                entry["readOnly"] = True
                entry["recursiveReadOnly"] = "Disabled"
            out.append(entry)
        return out

    def _running(self, c: dict, cs: dict, now: datetime) -> dict:
        out = {"containerID": f"containerd://{cs['container_id']}",
               "image": normalize_image(c.get("image", "")),
               "imageID": image_id(c.get("image", "")), "lastState": alike({}),
               "name": c["name"], "ready": False, "restartCount": cs.get("restarts", 0),
               "started": True,
               "state": alike_of({"running": alike({"startedAt": format_time(now)})}),
               "user": _ROOT_USER}
        if c.get("resources"):
            # what the runtime applied (in-place resize is on since v1.33)
            out["resources"] = {k: dict(v) for k, v in c["resources"].items()
                                if k in ("limits", "requests")}
        mounts = self._mounts(c)
        if mounts:
            out["volumeMounts"] = mounts
        return out

    def _conditions(self, cluster: ClusterView, pod: dict, sandbox: bool, initialized: bool,
                    ready: bool) -> None:
        now = cluster.clock.timestamp()
        status = pod.setdefault("status", {})
        old = {c["type"]: c for c in status.get("conditions") or []}
        unready = [s["name"] for s in status.get("containerStatuses") or [] if not s.get("ready")]
        if not status.get("containerStatuses"):
            unready = [c["name"] for c in pod["spec"].get("containers") or []]
        message = f"containers with unready status: [{' '.join(unready)}]"
        conditions: list[dict] = []
        for ctype, value, reason, msg in (
                ("PodReadyToStartContainers", sandbox, None, None),
                ("Initialized", initialized, None, None),
                ("Ready", ready, None if ready else "ContainersNotReady", None if ready else message),
                ("ContainersReady", ready, None if ready else "ContainersNotReady",
                 None if ready else message),
                ("PodScheduled", True, None, None)):
            if ctype in old:
                conditions.append(clone(old[ctype]))
            set_condition(conditions, ctype, "True" if value else "False", now, reason, msg,
                          probe_time=True)
        gen = pod["metadata"].get("generation", 1)
        for cond in conditions:
            cond.setdefault("lastProbeTime", None)
            cond["observedGeneration"] = gen
        # pods that change alike (in the same second) share their conditions
        status["conditions"] = alike_of([alike({k: c[k] for k in (
            "lastProbeTime", "lastTransitionTime", "message", "observedGeneration", "reason",
            "status", "type") if k in c}) for c in conditions])


def _joins(old: dict | None, new: dict) -> bool:
    return old is None


def _edit_status(pod: dict) -> dict:
    """A new version of the pod to change its status in a sync: the status and each
    container's status are copies one level deep (a sync replaces their parts, it never
    changes one inside: conditions are made anew), the rest is shared with ``pod``."""
    new = edit(pod)
    status = dict(pod.get("status") or {})
    if status.get("containerStatuses"):
        status["containerStatuses"] = [dict(c) for c in status["containerStatuses"]]
    new["status"] = status
    return new


def finish_container(cluster: ClusterView, namespace: str, name: str, container: str,
                     exit_code: int, reason: str | None = None) -> None:
    """A container's process ended (its command finished, or it was killed): the pod
    moves to Succeeded/Failed once all its containers are done and restartPolicy says
    they stay down; with restartPolicy Always it restarts."""
    with cluster.lock:
        pod = cluster.store.find("pods", namespace, name)
        if pod is None:
            return
        ps = cluster.state.get("kubelet", {}).get(pod["metadata"]["uid"])
        cs = (ps or {}).get("containers", {}).get(container)
        if cs is None or cs.get("stage") != "running":
            return
        now = cluster.clock.now()
        new = edit(pod, "status")
        status = new["status"]
        for cstat in status.get("containerStatuses") or []:
            if cstat["name"] != container:
                continue
            started = cstat.get("state", {}).get("running", {}).get("startedAt")
            terminated = {"containerID": cstat.get("containerID"), "exitCode": exit_code,
                          "finishedAt": format_time(now),
                          "reason": reason or ("Completed" if exit_code == 0 else "Error"),
                          "startedAt": started}
            policy = pod["spec"].get("restartPolicy", "Always")
            if policy == "Always" or (policy == "OnFailure" and exit_code != 0):
                spec = next(c for c in pod["spec"]["containers"] if c["name"] == container)
                _crashed(cluster, new, spec, cs, cstat, terminated, now, ps["node"])
            else:
                cs["stage"] = "terminated"
                cstat["state"] = {"terminated": terminated}
                cstat["ready"] = False
                cstat["started"] = False
        stages = [c.get("stage") for c in ps["containers"].values()]
        if any(s == "crashloop" for s in stages):
            Kubelet()._conditions(cluster, new, True, True, False)
        if all(s == "terminated" for s in stages):
            codes = [s.get("state", {}).get("terminated", {}).get("exitCode", 0)
                     for s in status.get("containerStatuses") or []]
            status["phase"] = "Succeeded" if all(c == 0 for c in codes) else "Failed"
            for cond in status.get("conditions") or []:
                if cond["type"] in ("Ready", "ContainersReady") and cond["status"] == "True":
                    cond["status"] = "False"
                    cond["lastTransitionTime"] = format_time(now)
                    cond["reason"] = "PodCompleted"
                if cond["type"] == "PodReadyToStartContainers":
                    cond["status"] = "False"
                    cond["lastTransitionTime"] = format_time(now)
        cluster.store.write(new)


def _position(ps: dict | None, container: str) -> int:
    names = list(((ps or {}).get("containers") or {}))
    return names.index(container) if container in names else len(names)


def _pod_ref(pod: dict) -> str:
    meta = pod["metadata"]
    return f"{meta['name']}_{meta.get('namespace', 'default')}({meta.get('uid', '')})"


def _crashed(cluster: ClusterView, pod: dict, spec: dict, cs: dict, cstat: dict,
             terminated: dict, now: datetime, host: str) -> None:
    """A container that restarts ended: started again at once unless it is in its back-off
    (it crashed again within the back-off since its last restart): then CrashLoopBackOff."""
    cstat["lastState"] = {"terminated": terminated}
    last = cs.get("backoff_updated")
    in_backoff = last is not None and (now - last).total_seconds() <= 2 * BACKOFF_MAX \
        and cs.get("backoff", 0) > 0
    if not in_backoff:
        _restart(cluster, pod, spec, cs, cstat, now, host)
        return
    name = spec["name"]
    delay = _go_duration(cs["backoff"])
    cs["stage"] = "crashloop"
    cs["restart_at"] = now + timedelta(seconds=cs["backoff"])
    cstat["state"] = {"waiting": {
        "reason": "CrashLoopBackOff",
        "message": f"back-off {delay} restarting failed container={name} pod={_pod_ref(pod)}"}}
    cstat["ready"] = False
    cstat["started"] = False
    cluster.events.record(pod, "Warning", "BackOff",
                          f"Back-off restarting failed container {name} in pod {_pod_ref(pod)}",
                          "kubelet", host, f"spec.containers{{{name}}}")


def _restart(cluster: ClusterView, pod: dict, spec: dict, cs: dict, cstat: dict, now: datetime,
             host: str) -> None:
    """Start the container again: the back-off grows for the next crash."""
    last = cs.get("backoff_updated")
    expired = last is None or (now - last).total_seconds() > 2 * BACKOFF_MAX
    cs["backoff"] = BACKOFF_INITIAL if expired or not cs.get("backoff") else \
        min(cs["backoff"] * 2, BACKOFF_MAX)
    cs["backoff_updated"] = now
    cs["restarts"] = cs.get("restarts", 0) + 1
    cs["container_id"] = hashlib.sha256(f"{cs['container_id']}/{cs['restarts']}".encode()).hexdigest()
    name, image = spec["name"], spec.get("image", "")
    path = f"spec.containers{{{name}}}"
    for reason, message in (("Pulled", f'Container image "{image}" already present on machine'),
                            ("Created", f"Created container: {name}"),
                            ("Started", f"Started container {name}")):
        cluster.events.record(pod, "Normal", reason, message, "kubelet", host, path)
    last_state = cstat.get("lastState") or {}
    cs["stage"] = "running"
    cs["started_at"] = now
    cstat.clear()
    cstat.update(Kubelet()._running(spec, cs, now))
    cstat["lastState"] = last_state
    start_container(cluster, pod, name)
    _start_probes(spec, cs, cstat, now)


PROBE_KINDS = ("startupProbe", "livenessProbe", "readinessProbe")
PROBE_TITLES = {"startupProbe": "Startup", "livenessProbe": "Liveness", "readinessProbe": "Readiness"}


def _start_probes(spec: dict, cs: dict, cstat: dict, now: datetime) -> None:
    """A container (re)started: each probe it has is first run after its
    initialDelaySeconds; it is started once its startup probe passes, ready once its
    readiness probe passes (at once without them)."""
    probes = {kind: {"next": _after(now, max(float(spec[kind].get("initialDelaySeconds") or 0), 0.1)),
                     "fails": 0, "oks": 0}
              for kind in PROBE_KINDS if spec.get(kind)}
    if probes or "probes" in cs:
        cs["probes"] = probes       # (a container without probes keeps no such entries)
    cs["started_ok"] = "startupProbe" not in probes
    cstat["started"] = cs["started_ok"]
    cstat["ready"] = cs["started_ok"] and "readinessProbe" not in probes
    _next_probe(cs, cstat)


def _next_probe(cs: dict, cstat: dict) -> datetime | None:
    waiting = [st["next"] for kind, st in (cs.get("probes") or {}).items()
               if (kind == "startupProbe") != cs.get("started_ok", True)]
    found = min(waiting) if waiting else None
    if found is not None or "next_probe" in cs:
        cs["next_probe"] = found
    return found


def _settled(cs: dict, cstat: dict) -> bool:
    """Nothing will change while the probes keep passing: started, ready (when it has a
    readiness probe) and no failure counted."""
    return bool(cs.get("started_ok")) and bool(cstat.get("ready")) and \
        all(st["fails"] == 0 for st in (cs.get("probes") or {}).values())


def _stop(cluster: ClusterView, pod: dict, spec: dict, cs: dict, cstat: dict, now: datetime,
          grace: float) -> None:
    """The kubelet stops a container (a failed liveness or startup probe): SIGTERM, and
    SIGKILL when the grace period is over (a program that ignores SIGTERM)."""
    took = cluster.rng.uniform(0.3, 1.0)
    hook = _hook(cluster, "runtime", "stop_seconds")
    wanted = _call(hook, cluster, pod, spec["name"]) if hook is not None else None
    if wanted is not None:
        took = float(wanted)
    killed = took >= grace
    code_hook = _hook(cluster, "runtime", "stop_exit_code")
    code = _call(code_hook, cluster, pod, spec["name"], killed) if code_hook is not None else None
    cs["stage"] = "stopping"
    cs["stop_at"] = _after(now, min(took, grace))
    cs["stop_code"] = code if isinstance(code, int) else (137 if killed else 143)
    cstat["ready"] = False


def _stopped(cluster: ClusterView, pod: dict, spec: dict, cs: dict, cstat: dict, now: datetime,
             host: str) -> None:
    """A stopped container's process has ended: restarted as the restart policy says."""
    code = cs.pop("stop_code", 137)
    cs["stage"] = "running"
    started = (cstat.get("state") or {}).get("running", {}).get("startedAt")
    terminated = {"containerID": cstat.get("containerID"), "exitCode": code,
                  "finishedAt": format_time(now), "reason": "Completed" if code == 0 else "Error",
                  "startedAt": started}
    policy = pod["spec"].get("restartPolicy", "Always")
    if policy == "Always" or (policy == "OnFailure" and code != 0):
        _crashed(cluster, pod, spec, cs, cstat, terminated, now, host)
    else:
        cs["stage"] = "terminated"
        cstat["state"] = {"terminated": terminated}
        cstat["ready"] = False
        cstat["started"] = False
