"""What containers share and what each keeps of its own: the image's files are one
read-only layer under every container of the image (a container's writes and removals are
its own), nginx's parsed configuration is shared by containers whose files read the same,
the environment and the startup log are those of the container's start, and the kubelet
hears of ended containers instead of asking every running one."""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta

from simkit import FakeIO, create, deployment, new_cluster, pod, pods, run, service, sh

from sim.workloads import nginxconf, runtime
from sim.workloads.fs import File, FileSystem, FsError, Layer


def _state(cluster, target, name=None):
    with cluster.lock:
        current = cluster.store.get("pods", target["metadata"]["namespace"], target["metadata"]["name"])
        return runtime.find(cluster, current, name or current["spec"]["containers"][0]["name"])


def _logs(cluster, target):
    with cluster.lock:
        current = cluster.store.get("pods", "default", target["metadata"]["name"])
        return runtime.logs(cluster, current, current["spec"]["containers"][0]["name"])


# -- the file system's layers ------------------------------------------------------------

def _layered() -> tuple[Layer, FileSystem, FileSystem]:
    base = FileSystem()
    base.write("/etc/app/app.conf", b"port 80\n", 1.0, force=True)
    base.write("/usr/share/doc/readme", b"hello\n", 1.0, force=True)
    layer = Layer.of(base)
    return layer, FileSystem(layer), FileSystem(layer)


def test_a_write_shadows_the_shared_layer_in_its_own_file_system_only():
    layer, one, two = _layered()
    one.write("/etc/app/app.conf", b"port 8080\n", 5.0)
    one.write("/etc/app/extra.conf", b"x\n", 5.0)
    assert one.read("/etc/app/app.conf") == b"port 8080\n"
    assert two.read("/etc/app/app.conf") == b"port 80\n"
    assert layer.entries["/etc/app/app.conf"].data == b"port 80\n"
    assert one.listdir("/etc/app") == ["app.conf", "extra.conf"]
    assert two.listdir("/etc/app") == ["app.conf"]
    one.write("/etc/apps/other", b"", 5.0, force=True)
    assert one.all_files("/etc/app/") == ["/etc/app/app.conf", "/etc/app/extra.conf"]
    assert one.all_files("/etc/app") == ["/etc/app/app.conf", "/etc/app/extra.conf", "/etc/apps/other"]
    assert two.all_files("/etc/") == ["/etc/app/app.conf"]
    assert one.stat("/etc/app/app.conf").mtime == 5.0 and two.stat("/etc/app/app.conf").mtime == 1.0
    one.write("/usr/share/doc/readme", b" again\n", 6.0, append=True)
    assert one.read("/usr/share/doc/readme") == b"hello\n again\n"
    assert two.read("/usr/share/doc/readme") == b"hello\n"


def test_a_removal_hides_the_layer_s_file_and_folder_in_one_file_system():
    _, one, two = _layered()
    one.remove("/etc/app/app.conf")
    assert not one.exists("/etc/app/app.conf") and two.exists("/etc/app/app.conf")
    assert one.listdir("/etc/app") == []
    one.remove("/usr/share", recursive=True)
    assert not one.exists("/usr/share/doc/readme") and not one.is_dir("/usr/share/doc")
    assert one.listdir("/usr") == [] and two.listdir("/usr") == ["share"]
    # a folder made again where one was removed is empty: nothing of the layer shows through
    one.mkdir("/usr/share", 7.0)
    assert one.listdir("/usr/share") == [] and one.dir_mtime("/usr/share") == 7.0
    one.write("/etc/app/app.conf", b"new\n", 8.0)
    assert one.read("/etc/app/app.conf") == b"new\n"
    assert two.all_files() == ["/etc/app/app.conf", "/usr/share/doc/readme"]
    assert one.all_files() == ["/etc/app/app.conf"]
    assert one.all_files("/usr/") == [] and two.all_files("/usr/") == ["/usr/share/doc/readme"]
    # a mount shows another file system's files under its path
    other = FileSystem()
    other.write("/data/x", b"1", 1.0, force=True)
    one.mount("/usr/share", other, 9.0, "/data")
    assert one.all_files("/usr/") == ["/usr/share/x"] and one.read("/usr/share/x") == b"1"
    try:
        one.read("/usr/share/doc/readme")
    except FsError as exc:
        assert exc.message == "No such file or directory"
    else:
        raise AssertionError("a removed file was read")


def test_a_folder_of_the_layer_is_no_file_and_a_file_no_folder():
    _, one, _ = _layered()
    for action in (lambda: one.write("/etc/app", b"x", 1.0), lambda: one.read("/etc"),
                   lambda: one.listdir("/etc/app/app.conf"), lambda: one.mkdir("/etc/app", 1.0),
                   lambda: one.write("/etc/app/app.conf/x", b"", 1.0)):
        try:
            action()
        except FsError:
            continue
        raise AssertionError("no error")
    assert isinstance(one.stat("/etc/app/app.conf"), File) and one.stat("/etc/app") is None


def test_two_containers_of_one_image_share_its_layer_but_not_their_writes():
    cluster = new_cluster()
    create(cluster, deployment("web", {"app": "web"}, replicas=2))
    first, second = pods(cluster, "app=web")
    a, b = _state(cluster, first), _state(cluster, second)
    assert a.fs.lower is b.fs.lower and a.fs.lower is not None
    assert sh(cluster, first, "echo changed > /usr/share/nginx/html/index.html")[0] == 0
    assert sh(cluster, first, "rm /usr/share/nginx/html/50x.html")[0] == 0
    assert run(cluster, first, ["cat", "/usr/share/nginx/html/index.html"])[1] == "changed\n"
    assert "Welcome to nginx!" in run(cluster, second, ["cat", "/usr/share/nginx/html/index.html"])[1]
    assert run(cluster, first, ["ls", "/usr/share/nginx/html"])[1].split() == ["index.html"]
    assert run(cluster, second, ["ls", "/usr/share/nginx/html"])[1].split() == ["50x.html", "index.html"]
    # the files the kubelet writes are each container's own
    assert run(cluster, first, ["cat", "/etc/hostname"])[1] == first["metadata"]["name"] + "\n"
    assert run(cluster, second, ["cat", "/etc/hostname"])[1] == second["metadata"]["name"] + "\n"


# -- nginx's configuration ---------------------------------------------------------------

def test_identical_containers_share_one_parsed_configuration_until_one_changes_its_files():
    cluster = new_cluster()
    create(cluster, deployment("web", {"app": "web"}, replicas=2))
    first, second = pods(cluster, "app=web")
    a, b = _state(cluster, first), _state(cluster, second)
    assert nginxconf.config(a.fs) is nginxconf.config(b.fs)
    assert set(a.servers) == {80}
    code, _, err = sh(cluster, first, "printf 'server {\\n    listen 8080;\\n}\\n' > /etc/nginx/conf.d/default.conf")
    assert code == 0, err
    assert set(_state(cluster, first).servers) == {8080}
    assert set(_state(cluster, second).servers) == {80}
    assert nginxconf.config(a.fs) is not nginxconf.config(b.fs)
    # a file system that reads as the changed one again gets the configuration back
    b.fs.write("/etc/nginx/conf.d/default.conf", a.fs.read("/etc/nginx/conf.d/default.conf"), 9.0)
    assert nginxconf.config(b.fs) is nginxconf.config(a.fs)


def test_an_included_file_added_later_is_read():
    cluster = new_cluster()
    create(cluster, deployment("web", {"app": "web"}, replicas=2))
    first, second = pods(cluster, "app=web")
    code, _, err = sh(cluster, first, "printf 'server { listen 9090; }\\n' > /etc/nginx/conf.d/more.conf")
    assert code == 0, err
    assert set(_state(cluster, first).servers) == {80, 9090}
    assert set(_state(cluster, second).servers) == {80}


# -- the environment and the log: the start's ---------------------------------------------

def _printenv(cluster, target):
    code, out, _ = run(cluster, target, ["printenv"])
    assert code == 0
    return dict(line.split("=", 1) for line in out.splitlines())


def test_the_environment_is_the_services_of_the_container_s_start():
    cluster = new_cluster()
    create(cluster, service("before", {"app": "web"}, [{"port": 80}]))
    create(cluster, deployment("web", {"app": "web"}, replicas=2))
    create(cluster, service("after", {"app": "web"}, [{"port": 81}]))
    with cluster.lock:
        cluster.store.delete("services", "default", "before")
        cluster.run_for(5)
    create(cluster, deployment("late", {"app": "late"}, replicas=1))
    early = [_printenv(cluster, p) for p in pods(cluster, "app=web")]
    for env in early:
        assert "BEFORE_SERVICE_HOST" in env and "AFTER_SERVICE_HOST" not in env
    late = _printenv(cluster, pods(cluster, "app=late")[0])
    assert "AFTER_SERVICE_HOST" in late and "BEFORE_SERVICE_HOST" not in late
    # each container's own values and order (the kubelet's map order differs per container)
    names = [list(env) for env in early]
    assert early[0]["HOSTNAME"] != early[1]["HOSTNAME"]
    assert set(names[0]) == set(names[1])


def test_the_startup_log_tells_of_the_files_at_the_start_and_keeps_its_times():
    cluster = new_cluster()
    create(cluster, deployment("web", {"app": "web"}))
    target = pods(cluster, "app=web")[0]
    started = target["status"]["containerStatuses"][0]["state"]["running"]["startedAt"]
    stamp = datetime.strptime(started, "%Y-%m-%dT%H:%M:%SZ")
    with cluster.lock:
        cluster.run_for(120)
    before = _logs(cluster, target)
    assert "Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf" in before
    times = re.findall(r"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) \[notice\]", before, re.M)
    assert len(times) == 7
    assert all(abs(datetime.strptime(t, "%Y/%m/%d %H:%M:%S") - stamp) <= timedelta(seconds=1)
               for t in times)
    # a request's line comes after the startup lines
    assert run(cluster, target, ["curl", "-s", "localhost"])[0] == 0
    lines = _logs(cluster, target).splitlines()
    assert lines[:-1] == before.splitlines()
    assert '"GET / HTTP/1.1" 200' in lines[-1]
    # what the files are now does not change what was logged at the start
    assert sh(cluster, target, "rm /etc/nginx/conf.d/default.conf")[0] == 0
    assert _logs(cluster, target).splitlines() == lines
    assert "is not a file or does not exist" not in _logs(cluster, target)


# -- the kubelet and ended containers ------------------------------------------------------

def test_the_kubelet_asks_only_the_containers_that_ended(monkeypatch):
    cluster = new_cluster()
    create(cluster, deployment("web", {"app": "web"}, replicas=4))
    asked: list[str] = []
    real = runtime.main_exit_code

    def counting(cluster_, pod_, name):
        asked.append(pod_["metadata"]["name"])
        return real(cluster_, pod_, name)

    monkeypatch.setattr(runtime, "main_exit_code", counting)
    with cluster.lock:
        cluster.run_for(30)
    assert asked == []
    create(cluster, pod("once", "busybox", restartPolicy="Never",
                        container={"command": ["sh", "-c", "echo done; exit 3"]}))
    assert asked == ["once"]
    with cluster.lock:
        done = cluster.store.get("pods", "default", "once")
    assert done["status"]["phase"] == "Failed"
    assert done["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 3
    assert runtime.take_exits(cluster) == []


def test_a_container_that_ends_in_its_shell_session_is_seen_ended():
    cluster = new_cluster()
    create(cluster, pod("shell", "busybox", restartPolicy="Never",
                        container={"command": ["sh"], "stdin": True, "tty": True}))
    from sim.workloads import exec as wexec

    with cluster.lock:
        current = cluster.store.get("pods", "default", "shell")
    assert current["status"]["phase"] == "Running"
    wexec.attach(cluster, current, "shell", FakeIO(["exit 4"], tty=True), stdin=True, tty=True)
    with cluster.lock:
        cluster.run_for(2)
        done = cluster.store.get("pods", "default", "shell")
    assert done["status"]["phase"] == "Failed"
    assert done["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 4


# -- memory: what a container costs does not hold the image ---------------------------------

def _size(obj, seen: set[int]) -> int:
    """Bytes reachable from ``obj`` not counted before (shared objects count once)."""
    total = 0
    stack = [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, type) or callable(item) and not hasattr(item, "__slots__"):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif type(item).__module__.startswith("sim."):
            for cls in type(item).__mro__:
                for slot in getattr(cls, "__slots__", ()):
                    if hasattr(item, slot):
                        stack.append(getattr(item, slot))
            if hasattr(item, "__dict__"):
                stack.append(vars(item))
    return total


def _containers_cost(replicas: int) -> tuple[int, int]:
    """(bytes of all the containers, bytes of the image's layer) of a Deployment of
    ``replicas``: what the store holds and the image itself left out, what the containers
    share counted once."""
    cluster = new_cluster()
    create(cluster, deployment("web", {"app": "web"}, replicas=replicas), settle=10.0)
    targets = pods(cluster, "app=web")
    assert len(targets) == replicas
    seen: set[int] = set()
    with cluster.lock:
        stored = [cluster.store.list(rt) for rt in cluster.resources]   # kept: ids stay theirs
        _size(stored, seen)
        _size(cluster.state, seen)
        states = [_state(cluster, t) for t in targets]
        _size(states[0].image, seen)
        layer = _size(states[0].fs.lower, seen)
        total = sum(_size(cluster.runtime[t["metadata"]["uid"]], seen) for t in targets)
    return total, layer


def test_a_container_costs_less_than_its_image_and_the_same_at_any_count():
    one, layer = _containers_cost(1)
    ten, _ = _containers_cost(10)
    many, _ = _containers_cost(40)
    # each container more costs what each costs on average, or less: nothing grows with
    # the count of containers
    each = (many - ten) / 30
    assert each <= ten / 10 and each <= many / 40
    assert one >= each
    # and the image's files are not copied into each container
    assert each < layer / 2
