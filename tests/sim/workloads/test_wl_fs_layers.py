"""A file system over a shared layer behaves as one that holds the same files itself:
whatever is written, made and removed, the same answers (and the same errors), and the
layer is never changed; nginx's configuration shared between file systems is the one each
one's files give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.workloads.fs import FileSystem, FsError, Layer

PATHS = ["/a", "/a/b", "/a/b/c", "/a/b/d", "/a/x", "/e", "/e/f", "/e/f/g", "/h", "/"]


def _base(fs: FileSystem) -> None:
    fs.write("/a/b/c", b"one", 1.0, force=True)
    fs.write("/a/x", b"two", 1.0, force=True, mode=0o600)
    fs.mkdir("/e/f", 1.0, parents=True)
    fs.write("/h", b"three", 1.0, force=True)


OPERATIONS = st.one_of(
    st.tuples(st.just("write"), st.sampled_from(PATHS), st.sampled_from([b"", b"x", b"yy"]),
              st.booleans(), st.booleans()),
    st.tuples(st.just("mkdir"), st.sampled_from(PATHS), st.booleans()),
    st.tuples(st.just("remove"), st.sampled_from(PATHS), st.sampled_from([False, True, None])),
)


def _apply(fs: FileSystem, op: tuple, now: float) -> str:
    try:
        if op[0] == "write":
            _, path, data, append, force = op
            fs.write(path, data, now, append=append, force=force)
        elif op[0] == "mkdir":
            fs.mkdir(op[1], now, parents=op[2])
        else:
            fs.remove(op[1], recursive=op[2])
    except FsError as exc:
        return exc.message
    return "ok"


def _view(fs: FileSystem) -> dict:
    out: dict = {"files": fs.all_files(), "under": fs.all_files("/a/"), "generation": fs.generation}
    for path in PATHS:
        found = fs.stat(path)
        entry: list = [fs.exists(path), fs.is_dir(path),
                       None if found is None else (found.data, found.mtime, found.mode)]
        try:
            entry.append(fs.listdir(path))
        except FsError as exc:
            entry.append(exc.message)
        try:
            entry.append(fs.dir_mtime(path))
        except KeyError:
            entry.append(None)
        out[path] = entry
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(OPERATIONS, max_size=10))
def test_a_layered_file_system_answers_as_a_flat_one(operations):
    flat = FileSystem()
    _base(flat)
    base = FileSystem()
    _base(base)
    layer = Layer.of(base)
    before = dict(layer.entries)
    layered = FileSystem(layer)
    for index, op in enumerate(operations):
        now = 10.0 + index
        assert _apply(layered, op, now) == _apply(flat, op, now), op
        view_layered, view_flat = _view(layered), _view(flat)
        view_layered.pop("generation")
        view_flat.pop("generation")
        assert view_layered == view_flat, op
    assert layer.entries == before


CONFS = [b"server { listen 8080; }\n", b"server { listen 80; listen 443 ssl; }\n",
         b"server { listen 81; location / { return 200; } }\n", b"server { bogus_directive; }\n"]
NGINX_OPS = st.one_of(
    st.tuples(st.sampled_from([0, 1]), st.just("write"),
              st.sampled_from(["/etc/nginx/conf.d/default.conf", "/etc/nginx/conf.d/extra.conf",
                               "/etc/nginx/conf.d/skip.txt"]), st.sampled_from(CONFS)),
    st.tuples(st.sampled_from([0, 1]), st.just("remove"),
              st.sampled_from(["/etc/nginx/conf.d/default.conf", "/etc/nginx/conf.d/extra.conf",
                               "/etc/nginx/conf.d", "/etc/nginx/mime.types"]), st.just(b"")),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(NGINX_OPS, max_size=8))
def test_a_shared_nginx_configuration_is_the_one_its_files_give(operations):
    from sim.workloads import nginxconf, runtime
    from sim.workloads.images import fallback

    layer = runtime.image_layer(fallback("nginx"))
    systems = [FileSystem(layer), FileSystem(layer)]
    for index, (which, action, path, data) in enumerate(operations):
        fs = systems[which]
        try:
            if action == "write":
                fs.write(path, data, 10.0 + index, force=True)
            else:
                fs.remove(path, recursive=True)
        except FsError:
            pass
        for each in systems:
            assert nginxconf.config(each) == nginxconf._build(nginxconf._Reading(each))
