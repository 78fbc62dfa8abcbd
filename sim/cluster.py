"""The simulated cluster: store, clock, randomness, profile and controllers together."""

from __future__ import annotations

import gc
import heapq
import random
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable

from .api.admission import ServerAdmission
from .api.registry import Registry
from .api.store import Store
from .clock import VirtualClock, parse_time
from .controllers.profiles import load_profile


def tune_gc() -> None:
    """The collector settings of a process that holds a cluster: the store's objects are
    trees of dicts and lists with no cycles, freed by reference counting; the cyclic
    collector's default thresholds would scan the young ones every 700 allocations and the
    whole heap again and again as a big cluster grows (a third of the time of starting
    10,000 pods). It still runs, a hundred times less often."""
    gc.set_threshold(100_000, 50, 1000)


class Cluster:
    """One cluster, built from a profile (``sim/profiles/NAME.yaml``).

    Writes through ``store`` are seen by the controllers at the next ``reconcile()``;
    the daemon reconciles after advancing the clock at the start of each command and
    again at its end. A tool that waits for state (``kubectl run -i``, ``rollout
    status``) calls ``run_for`` or ``wait_until``.
    """

    def __init__(self, profile: str | dict = "default", seed: int | None = None,
                 workloads: bool = True):
        #: False: containers are plain (no sim.workloads hooks: every image known, ready)
        self.workloads = workloads
        self.profile: dict = load_profile(profile) if isinstance(profile, str) else profile
        if seed is None:
            seed = int(self.profile.get("seed", 1))
        self.seed = seed
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        start = self.profile.get("start", "2026-01-01T00:00:00Z")
        # YAML reads an unquoted timestamp as a datetime already
        start = start.replace(tzinfo=timezone.utc) if isinstance(start, datetime) \
            else parse_time(str(start))
        age = float(self.profile.get("cluster_age", 0))
        step = tuple(self.profile.get("command_seconds", (2.0, 5.0)))
        self.clock = VirtualClock(start - timedelta(seconds=age), seed, step)  # type: ignore[arg-type]
        self.resources = Registry()
        net = self.profile.get("network", {})
        low, high = net.get("node_port_range", [30000, 32767])
        self.admission = ServerAdmission(self.rng, net.get("service_cidr", "10.96.0.0/12"),
                                         (int(low), int(high)))
        self.store = Store(self.resources, self.rng, self.clock.timestamp, self.admission)
        self.admission.store = self.store
        self.runtime: dict = {}
        #: what the network reaches in the pods (sim.net.client.Containers); None: plain
        self.containers = None
        if workloads:
            from .workloads.peers import CONTAINERS

            self.containers = CONTAINERS
        self.state: dict = {}  # controllers' private memory (kubelet timings, IPAM, ...)
        from .controllers import default_controllers
        from .controllers.events import EventRecorder

        self.events = EventRecorder(self)
        self.controllers = default_controllers()
        self._seen: dict[str, tuple] = {}
        self._wake: list[tuple[datetime, int, str]] = []
        self._wake_seq = 0
        self._wake_keys: set[tuple[datetime, str]] = set()
        from .controllers.bootstrap import bootstrap

        bootstrap(self)
        self.run_until(start)
        self.events.expire()

    # -- events ----------------------------------------------------------------------

    def record_event(self, obj: dict, type: str, reason: str, message: str,
                     component: str, host: str | None = None) -> None:
        self.events.record(obj, type, reason, message, component, host)

    # -- time and controllers ------------------------------------------------------------

    def tick(self) -> None:
        """What passes between two commands: a few virtual seconds, then reconcile."""
        with self.lock:
            self.run_until(self.clock.now() + timedelta(seconds=self.clock.step_seconds()))
            self.events.expire()

    def reconcile(self, max_rounds: int = 200, periodic: bool = False) -> None:
        """Run the controllers until nothing changes (a fixed point); ``periodic`` also
        runs those that look at the time on their own (probes)."""
        with self.lock:
            now = self.clock.now()
            due = {c.name for c in self.controllers if getattr(c, "periodic", False)} \
                if periodic else set()
            while self._wake and self._wake[0][0] <= now:
                when, _, name = heapq.heappop(self._wake)
                self._wake_keys.discard((when, name))
                due.add(name)
            for _ in range(max_rounds):
                changed = False
                for controller in self.controllers:
                    revs = tuple(self.store.table_revision(r) for r in controller.watches)
                    if revs == self._seen.get(controller.name) and controller.name not in due:
                        continue
                    due.discard(controller.name)
                    before = self.store.revision
                    self._seen[controller.name] = revs
                    wake = controller.sync(self)
                    if wake is not None:
                        self._schedule(wake, controller.name)
                    if self.store.revision != before:
                        changed = True
                if not changed:
                    break

    def _schedule(self, when: datetime, name: str) -> None:
        if when <= self.clock.now():
            return  # it just ran with the latest state; anything it writes runs it again
        if (when, name) in self._wake_keys:
            return
        self._wake_keys.add((when, name))
        self._wake_seq += 1
        heapq.heappush(self._wake, (when, self._wake_seq, name))

    def next_wake(self) -> datetime | None:
        return self._wake[0][0] if self._wake else None

    def run_until(self, moment: datetime) -> None:
        """Advance to ``moment``, stopping at each time a controller asked for."""
        with self.lock:
            self.reconcile()
            while True:
                wake = self.next_wake()
                if wake is None or wake > moment:
                    break
                if wake > self.clock.now():
                    self.clock.advance((wake - self.clock.now()).total_seconds())
                self.reconcile()
            if moment > self.clock.now():
                self.clock.advance((moment - self.clock.now()).total_seconds())
            self.reconcile(periodic=True)

    def run_for(self, seconds: float) -> None:
        self.run_until(self.clock.now() + timedelta(seconds=seconds))

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 60.0,
                   step: float = 0.5) -> bool:
        """Let virtual time pass (in ``step``s, up to ``timeout``) until ``predicate()``."""
        with self.lock:
            end = self.clock.now() + timedelta(seconds=timeout)
            self.reconcile()
            while not predicate():
                if self.clock.now() >= end:
                    return False
                self.run_until(min(end, self.clock.now() + timedelta(seconds=step)))
            return True
