"""Properties of matching: renaming volatile values consistently keeps a match; anything
else (an inconsistent renaming, a changed character, a missing or extra line) breaks it."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tutorial_runner.match import Bindings, match_output

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LITERALS = ["NAME", "READY", "Running", "Pending", "1/1", "0", "2", "<none>", "ClusterIP",
            "80/TCP", "default", "Normal", "kind:", "Service", "my-nginx", "run=my-nginx"]
BASES = ["web", "my-nginx", "curl-deployment", "nginx-deployment"]
SAFE = "bcdfghjklmnpqrstvwxz2456789"
HASH = "456789bcdf"
KINDS = ["ip", "pod", "rs", "uuid", "node_port", "ipv6", "hex", "resource_version"]


@dataclass(frozen=True)
class Entity:
    kind: str
    base: str


def make_value(kind: str, base: str, rng: random.Random) -> str:
    """A value of ``kind`` as kubectl prints it (the same shape on both sides)."""
    if kind == "ip":
        return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    if kind == "uuid":
        h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    if kind == "node_port":
        return str(rng.randrange(30000, 32768))
    if kind == "ipv6":
        return f"fd00:10:{rng.randrange(1, 0xffff):x}::{rng.randrange(1, 0xffff):x}"
    if kind == "hex":
        return "".join(rng.choice("0123456789abcdef") for _ in range(32))
    if kind == "resource_version":
        return str(rng.randrange(1, 10**7))
    hash_ = "".join(rng.choice(HASH) for _ in range(10))
    if kind == "rs":
        return f"{base}-{hash_}"
    suffix = rng.choice("bcdfg") + rng.choice("2456789") + "".join(rng.choice(SAFE) for _ in range(3))
    return f"{base}-{hash_}-{suffix}"


def render(kind: str, value: str, form: int) -> str:
    """The value in one of the contexts it appears in (inside larger words too)."""
    if kind == "ip":
        return [value, f"tcp://{value}:80", f"{value}:80,", f"https://{value}:443"][form % 4]
    if kind == "node_port":
        return [f"8080:{value}/TCP", f"https://10.1.2.3:{value}"][form % 2] if form % 2 == 0 else \
            f"8080:{value}/TCP"
    if kind == "resource_version":
        return f'resourceVersion: "{value}"'
    if kind == "hex":
        return [value, f"docker://{value}", f"{value}-1142138393.us-east-1.elb.amazonaws.com"][form % 3]
    if kind in ("pod", "rs"):
        return [value, f"pod/{value}", f"default/{value}"][form % 3]
    return value


@st.composite
def documents(draw: st.DrawFn) -> tuple[list[list[tuple]], list[Entity], int]:
    """Lines as token lists; a token is ("lit", word) or ("vol", entity index, form)."""
    entities = draw(st.lists(st.builds(Entity, st.sampled_from(KINDS), st.sampled_from(BASES)),
                             min_size=1, max_size=6))
    token = st.one_of(
        st.tuples(st.just("lit"), st.sampled_from(LITERALS)),
        st.tuples(st.just("vol"), st.integers(0, len(entities) - 1), st.integers(0, 5)),
        st.tuples(st.just("age"), st.integers(0, 10**6)),
    )
    lines = draw(st.lists(st.lists(token, min_size=1, max_size=6), min_size=1, max_size=8))
    seed = draw(st.integers(0, 2**32 - 1))
    return lines, entities, seed


AGES = ["13s", "2m5s", "2m", "125m", "3h5m", "30h", "3d4h", "93d", "2y10d", "9y", "<invalid>"]


def build(lines: list[list[tuple]], values: list[str], entities: list[Entity], rng: random.Random,
          overrides: dict[tuple[int, int], str] | None = None) -> list[str]:
    out = []
    for n, tokens in enumerate(lines):
        words = []
        for k, token in enumerate(tokens):
            if token[0] == "lit":
                words.append(token[1])
            elif token[0] == "age":
                words.append(AGES[(token[1] + rng.randrange(7)) % len(AGES)])
            else:
                value = (overrides or {}).get((n, k), values[token[1]])
                words.append(render(entities[token[1]].kind, value, token[2]))
        out.append("".join(w + " " * rng.randint(1, 5) for w in words).rstrip())
    return out


def renaming(entities: list[Entity], rng: random.Random, avoid: set[str] = frozenset()) -> list[str]:
    values: list[str] = []
    while len(values) < len(entities):
        entity = entities[len(values)]
        value = make_value(entity.kind, entity.base, rng)
        if value not in values and value not in avoid:
            values.append(value)
    return values


def scenario(doc: tuple[list[list[tuple]], list[Entity], int]):  # type: ignore[no-untyped-def]
    lines, entities, seed = doc
    rng = random.Random(seed)
    documented = renaming(entities, rng)
    live_values = renaming(entities, rng)
    expected = build(lines, documented, entities, rng)
    live = build(lines, live_values, entities, rng)
    return lines, entities, rng, documented, live_values, expected, live


def used(lines: list[list[tuple]]) -> list[tuple[int, int, int]]:
    """(line, token, entity) of every volatile token."""
    return [(n, k, t[1]) for n, tokens in enumerate(lines) for k, t in enumerate(tokens) if t[0] == "vol"]


@SETTINGS
@given(documents())
def test_consistent_renaming_matches_and_binds_each_value(doc) -> None:  # type: ignore[no-untyped-def]
    lines, entities, rng, documented, live_values, expected, live = scenario(doc)
    result = match_output(expected, live, Bindings())
    assert result.ok, "\n".join(result.diff)
    for _, _, e in used(lines):
        assert result.bindings.get(documented[e]) == live_values[e]
    # the same holds when the bindings are already known, and in any order
    assert match_output(expected, live, result.bindings).ok
    shuffled = list(live)
    rng.shuffle(shuffled)
    assert match_output(expected, shuffled, Bindings(), unordered=True).ok


@SETTINGS
@given(documents())
def test_identity_matches(doc) -> None:  # type: ignore[no-untyped-def]
    lines, entities, rng, documented, _, expected, _ = scenario(doc)
    assert match_output(expected, build(lines, documented, entities, rng), Bindings()).ok


@SETTINGS
@given(documents(), st.data())
def test_one_documented_value_to_two_live_values_fails(doc, data) -> None:  # type: ignore[no-untyped-def]
    lines, entities, rng, documented, live_values, expected, _ = scenario(doc)
    places = used(lines)
    repeated = [p for p in places if sum(1 for q in places if q[2] == p[2]) >= 2]
    assume(repeated)
    n, k, e = data.draw(st.sampled_from(repeated))
    other = renaming([entities[e]], rng, avoid=set(live_values))[0]
    live = build(lines, live_values, entities, rng, {(n, k): other})
    assert not match_output(expected, live, Bindings()).ok
    assert not match_output(expected, live, Bindings(), unordered=True).ok


@SETTINGS
@given(documents(), st.data())
def test_two_documented_values_to_one_live_value_fails(doc, data) -> None:  # type: ignore[no-untyped-def]
    lines, entities, seed = doc
    present = sorted({e for _, _, e in used(lines)})
    assume(present)
    # a second entity of the same kind, documented with its own value, shown somewhere
    e = data.draw(st.sampled_from(present))
    entities = entities + [entities[e]]
    lines = [list(tokens) for tokens in lines]
    where = data.draw(st.integers(0, len(lines) - 1))
    lines[where].append(("vol", len(entities) - 1, data.draw(st.integers(0, 5))))
    rng = random.Random(seed)
    documented = renaming(entities, rng)
    live_values = renaming(entities, rng)
    expected = build(lines, documented, entities, rng)
    assert match_output(expected, build(lines, live_values, entities, rng), Bindings()).ok
    live_values[-1] = live_values[e]
    live = build(lines, live_values, entities, rng)
    assert not match_output(expected, live, Bindings()).ok
    assert not match_output(expected, live, Bindings(), unordered=True).ok


@SETTINGS
@given(documents(), st.data())
def test_a_changed_literal_character_fails(doc, data) -> None:  # type: ignore[no-untyped-def]
    lines, entities, rng, documented, live_values, expected, _ = scenario(doc)
    literals = [(n, k) for n, tokens in enumerate(lines) for k, t in enumerate(tokens) if t[0] == "lit"]
    assume(literals)
    n, k = data.draw(st.sampled_from(literals))
    word = lines[n][k][1]
    position = data.draw(st.integers(0, len(word) - 1))
    changed = word[:position] + ("Q" if word[position] != "Q" else "Z") + word[position + 1:]
    mutated = [list(tokens) for tokens in lines]
    mutated[n][k] = ("lit", changed)
    live = build(mutated, live_values, entities, rng)
    assert not match_output(expected, live, Bindings()).ok


@SETTINGS
@given(documents(), st.data())
def test_a_changed_base_name_fails(doc, data) -> None:  # type: ignore[no-untyped-def]
    lines, entities, rng, documented, live_values, expected, _ = scenario(doc)
    names = sorted({e for _, _, e in used(lines) if entities[e].kind in ("pod", "rs")})
    assume(names)
    e = data.draw(st.sampled_from(names))
    renamed = list(live_values)
    renamed[e] = "x" + renamed[e]
    assert not match_output(expected, build(lines, renamed, entities, rng), Bindings()).ok


@SETTINGS
@given(documents(), st.data())
def test_a_missing_or_extra_line_fails(doc, data) -> None:  # type: ignore[no-untyped-def]
    lines, entities, rng, documented, live_values, expected, live = scenario(doc)
    index = data.draw(st.integers(0, len(live) - 1))
    missing = live[:index] + live[index + 1:]
    assert not match_output(expected, missing, Bindings()).ok
    assert not match_output(expected, missing, Bindings(), unordered=True).ok
    extra_line = data.draw(st.sampled_from(live + ["Events:  <none>", ""]))
    assume(extra_line or index < len(live))   # a trailing blank line is not compared
    extra = live[:index] + [extra_line] + live[index:]
    assert not match_output(expected, extra, Bindings()).ok
    assert not match_output(expected, extra, Bindings(), unordered=True).ok


@SETTINGS
@given(documents(), st.data())
def test_an_ellipsis_absorbs_extra_lines_in_its_place_only(doc, data) -> None:  # type: ignore[no-untyped-def]
    lines, entities, rng, documented, live_values, expected, live = scenario(doc)
    index = data.draw(st.integers(0, len(live)))
    extra = data.draw(st.lists(st.sampled_from(["Events:  <none>", "x", "", "  more: 1"]), max_size=4))
    with_ellipsis = expected[:index] + ["..."] + expected[index:]
    assert match_output(with_ellipsis, live[:index] + extra + live[index:], Bindings()).ok
    assert match_output(with_ellipsis, live, Bindings()).ok
    # lines that are not in the ellipsis' place still count
    if index >= 1 and extra:
        assert not match_output(with_ellipsis, extra + live, Bindings()).ok


FILLER = st.text(alphabet=st.sampled_from("abcxyz019 ./:-=<>"), max_size=20)


@SETTINGS
@given(st.lists(st.sampled_from(LITERALS), min_size=2, max_size=8), st.data())
def test_an_ellipsis_inside_a_line_stands_for_any_text_there_only(words, data) -> None:  # type: ignore[no-untyped-def]
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, len(words)))
    expected = " ".join(words[:start] + ["..."] + words[end:])
    filler = data.draw(FILLER).strip()
    assume("..." not in filler)
    replaced = " ".join(words[:start] + ([filler] if filler else []) + words[end:])
    original = " ".join(words)
    assert match_output([expected], [original]).ok
    assert match_output([expected], [replaced]).ok
    # the text around the ellipsis still counts, character by character
    outside = [k for k in range(len(words)) if not start <= k < end]
    if outside:
        k = data.draw(st.sampled_from(outside))
        changed = list(words)
        changed[k] = changed[k] + "Q"
        assert not match_output([expected], [" ".join(changed)]).ok


COLUMNS = ["READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]


def _table(headers: list[str], rows: list[dict[str, str]]) -> list[str]:
    widths = [max(len(h), *(len(r[h]) for r in rows)) + 3 for h in headers]
    out = ["".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    out += ["".join(r[h].ljust(w) for h, w in zip(headers, widths)).rstrip() for r in rows]
    return out


@SETTINGS
@given(st.integers(1, 4), st.permutations(COLUMNS), st.integers(1, 6), st.integers(1, 6),
       st.integers(0, 2**32 - 1), st.booleans())
def test_a_table_whose_columns_moved_still_binds_by_header(count, order, doc_columns, live_columns,
                                                          seed, extra) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)

    def pods(base: str) -> list[dict[str, str]]:
        entities = [Entity("pod", base)] * count + [Entity("ip", "")] * count
        values = renaming(entities, rng)
        return [{"NAME": values[k], "IP": values[count + k], "READY": "1/1", "STATUS": "Running",
                 "RESTARTS": "0", "AGE": rng.choice(AGES[:6]), "NODE": "node-1",
                 "NOMINATED NODE": "<none>"} for k in range(count)]

    documented, live = pods("my-nginx"), pods("my-nginx")
    doc_headers = ["NAME"] + COLUMNS[:doc_columns]
    live_headers = ["NAME"] + list(order[:live_columns]) + (["NOMINATED NODE"] if extra else [])
    result = match_output(_table(doc_headers, documented), _table(live_headers, live))
    if result.ok:   # the same columns in the same order
        assert doc_headers == live_headers
    # each documented pod stands for one live pod, whatever the columns
    names = {row["NAME"] for row in live}
    bound = {doc["NAME"]: result.bindings.get(doc["NAME"]) for doc in documented}
    assert set(bound.values()) == names
    if "IP" in doc_headers and "IP" in live_headers:
        # and its address is that pod's address
        by_name = {row["NAME"]: row["IP"] for row in live}
        for doc in documented:
            assert result.bindings.get(doc["IP"]) == by_name[bound[doc["NAME"]]]
