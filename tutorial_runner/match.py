"""Expected output against live output, up to a consistent renaming of volatile values.

Pure functions, no I/O. An expected line is compiled once (cached) into a regular
expression whose groups are the line's volatile values: values that identify something
(addresses, generated names, UIDs, node ports, resource versions, long hex ids, and the
block's ``:vars:`` tokens) become *binding* slots, values that only measure time (ages,
timestamps, dates) become slots that match any value of their kind. A match then checks
the captured live values against the :class:`Bindings` in force: one documented value
always stands for the same live value, and two documented values never share one.

Whitespace: trailing whitespace never counts (documents cannot keep it reliably); by
default a run of spaces or tabs matches any run, so re-aligned and collapsed table columns
match, while the presence of whitespace still does (``ab`` is not ``a b``). Trailing blank
lines of an output are not compared either.

Generated names are strict on their base: ``curl-131556218-9fnch`` needs a live
``curl-<segment>-<segment>``, never a bare ``curl`` (what a newer kubectl names the pod of
``kubectl run``): such a document is out of date and says so.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = [
    "Bindings",
    "MatchResult",
    "Volatile",
    "ELLIPSIS",
    "find_volatile",
    "match_line",
    "match_output",
    "match_prompt",
    "substitute",
    "rewrite_expected",
    "parse_vars",
]

ELLIPSIS = "..."

# -- bindings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bindings:
    """Documented value -> live value, one-to-one. Immutable: :meth:`bind` returns a new one."""

    forward: Mapping[str, str] = field(default_factory=dict)
    reverse: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.reverse) != len(self.forward):
            reverse = {live: doc for doc, live in self.forward.items()}
            if len(reverse) != len(self.forward):
                raise ValueError("two documented values bound to one live value")
            object.__setattr__(self, "reverse", reverse)

    @classmethod
    def of(cls, pairs: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> Bindings:
        return cls(dict(pairs))

    def bind(self, doc: str, live: str) -> Bindings | None:
        """These bindings plus ``doc -> live``; None if that breaks the one-to-one rule."""
        known = self.forward.get(doc)
        if known is not None:
            return self if known == live else None
        if live in self.reverse:
            return None
        forward = dict(self.forward)
        forward[doc] = live
        reverse = dict(self.reverse)
        reverse[live] = doc
        return Bindings(forward, reverse)

    def bind_all(self, pairs: Iterable[tuple[str, str]]) -> Bindings | None:
        result: Bindings | None = self
        for doc, live in pairs:
            result = result.bind(doc, live)
            if result is None:
                return None
        return result

    def get(self, doc: str) -> str | None:
        return self.forward.get(doc)

    def documented(self, live: str) -> str | None:
        return self.reverse.get(live)

    def __contains__(self, doc: object) -> bool:
        return doc in self.forward

    def __len__(self) -> int:
        return len(self.forward)

    def __iter__(self) -> Iterator[str]:
        return iter(self.forward)

    def items(self) -> Iterable[tuple[str, str]]:
        return self.forward.items()

    def as_dict(self) -> dict[str, str]:
        return dict(self.forward)

    def __hash__(self) -> int:
        return hash(frozenset(self.forward.items()))


EMPTY = Bindings()


@dataclass(frozen=True)
class MatchResult:
    ok: bool
    bindings: Bindings
    diff: list[str]

    def __bool__(self) -> bool:
        return self.ok


# -- volatile values ----------------------------------------------------------------------

_AGE = r"(?:<invalid>|\d+y\d+d|\d+y|\d+d\d+h|\d+d|\d+h\d+m|\d+h|\d+m\d+s|\d+m|\d+s)"
_AGE_COUNTED = rf"{_AGE}(?: \(x\d+ over {_AGE}\))?"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_RFC3339 = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
_HTTP_DATE = rf"{_DAY}, \d{{1,2}} {_MONTH} \d{{4}} \d{{2}}:\d{{2}}:\d{{2}} (?:GMT|UTC|[+-]\d{{4}})"
_GO_TIME = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? [+-]\d{4} [A-Z]{2,5}"
_UNIX_DATE = rf"{_DAY} {_MONTH} [ \d]\d \d{{2}}:\d{{2}}:\d{{2}} [A-Z]{{2,5}} \d{{4}}"
_LOG_TIME = r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}"
_ACCESS_TIME = rf"\d{{2}}/{_MONTH}/\d{{4}}:\d{{2}}:\d{{2}}:\d{{2}} [+-]\d{{4}}"
_KLOG_TIME = r"\d{4} \d{2}:\d{2}:\d{2}\.\d{6}"          # klog's header: I0911 09:19:26.677397
_DAY_MONTH_TIME = rf"\d{{1,2}} {_MONTH} \d{{4}} \d{{2}}:\d{{2}}:\d{{2}}\.\d{{3}}"   # redis' log
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_IPV4 = r"\d{1,3}(?:\.\d{1,3}){3}"
_NODE_PORT = r"3[0-2]\d{3}"

# The documented side: where volatile values are, in order of precedence at one position.
_DETECTORS: tuple[tuple[str, str], ...] = (
    ("rfc3339", rf"(?<![\w.]){_RFC3339}(?![\w.])"),
    ("http_date", rf"(?<!\w){_HTTP_DATE}(?!\w)"),
    ("go_time", rf"(?<![\w.]){_GO_TIME}(?!\w)"),
    ("unix_date", rf"(?<!\w){_UNIX_DATE}(?!\w)"),
    ("log_time", rf"(?<![\w/]){_LOG_TIME}(?![\w/])"),
    ("access_time", rf"(?<=\[){_ACCESS_TIME}(?=\])"),
    ("klog_time", rf"(?<=(?<![\w])[IWEF]){_KLOG_TIME}(?!\d)"),
    ("day_month_time", rf"(?<![\w]){_DAY_MONTH_TIME}(?!\d)"),
    ("http_age", r"(?<=^Age: )\d+$"),
    ("etag", r'(?<=^[Ee][Tt]ag: )(?:W/)?"[^"\s]+"'),
    ("uuid", rf"(?<![\w-]){_UUID}(?![\w-])"),
    ("hex", r"(?<![0-9A-Za-z])[0-9a-f]{16,}(?![0-9A-Za-z])"),
    ("elb_id", r"(?<=[0-9a-f]{16}-)\d{6,12}(?=\.[\w-]+\.elb\.amazonaws\.com)"),
    ("hex", r"(?<![0-9A-Za-z-])[0-9a-f]{13}\.\.\.(?!\S)"),
    ("ipv6", r"(?<![\w:.])[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?![\w:])"),
    ("ipv4", rf"(?<![\w.]){_IPV4}(?!\d|\.\d)"),
    ("name", r"(?<![\w-])[a-z0-9]+(?:-[a-z0-9]+)+(?![\w-])"),
    ("node_port", rf"(?<=[:\s]){_NODE_PORT}(?=/(?:TCP|UDP|SCTP)\b)"),
    ("node_port", rf"(?<=[nN]odePort: ){_NODE_PORT}(?!\d)"),
    ("node_port", rf"(?<=[nN]odePort\": ){_NODE_PORT}(?!\d)"),
    ("node_port", rf"(?<=[\w\]]:){_NODE_PORT}(?![\d:])"),
    ("resource_version", r"(?<=resourceVersion: \")\d+(?=\")"),
    ("resource_version", r"(?<=\"resourceVersion\": \")\d+(?=\")"),
    ("resource_version", r"(?<=resourceVersion: )\d+(?!\S)"),
    ("age", rf"(?<!\S)(?<!cpu: ){_AGE_COUNTED}(?!\S)"),
    ("age", rf"(?<=\(){_AGE}(?= ago\))"),
)

# The live side: what a live value of each kind looks like.
_LIVE: dict[str, str] = {
    "rfc3339": _RFC3339,
    "http_date": _HTTP_DATE,
    "go_time": _GO_TIME,
    "unix_date": _UNIX_DATE,
    "log_time": _LOG_TIME,
    "access_time": _ACCESS_TIME,
    "klog_time": _KLOG_TIME,
    "day_month_time": _DAY_MONTH_TIME,
    "http_age": r"\d+",
    "etag": r'(?:W/)?"[^"\s]+"',
    "uuid": _UUID,
    "ipv4": _IPV4,
    "ipv6": r"[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}",
    "node_port": _NODE_PORT,
    "resource_version": r"\d+",
    "elb_id": r"\d{6,12}",
    "age": _AGE_COUNTED,
    "var": r"\S+?",
}
TIME_KINDS = frozenset({"rfc3339", "http_date", "go_time", "unix_date", "log_time",
                        "access_time", "klog_time", "day_month_time", "http_age", "age"})

# Generated-name segments: ReplicaSet hashes (decimal in old kubectl, the "safe" alphabet
# since), pod and token suffixes. A segment must look random, not like a word.
_SAFE = frozenset("bcdfghjklmnpqrstvwxz2456789")
_HASH_ALPHABET = frozenset("456789bcdf")
_HEX = frozenset("0123456789abcdef")
_NOT_GENERATED = frozenset({
    "amd64", "arm64", "ppc64", "s390x", "i386", "x8664", "ipv4", "ipv6", "http2", "sha1",
    "sha256", "sha512", "base64", "utf8", "k8s", "h2c", "md5", "v1", "v2",
})
_API_VERSION = re.compile(r"v\d+(?:alpha|beta)\d+")


def _looks_random(segment: str, sizes: range) -> bool:
    if len(segment) not in sizes or segment in _NOT_GENERATED or _API_VERSION.fullmatch(segment):
        return False
    has_digit = any(c.isdigit() for c in segment)
    return has_digit or set(segment) <= _SAFE


def _is_hash(segment: str) -> bool:
    """A pod-template hash (decimal in old kubectl, ``456789bcdf`` since) or a node pool's
    hex id; ``central1`` of ``us-central1`` is a word with a digit, not a hash."""
    if not 6 <= len(segment) <= 10 or segment in _NOT_GENERATED:
        return False
    chars = set(segment)
    digits = sum(c.isdigit() for c in segment)
    return (chars <= _HASH_ALPHABET or segment.isdigit()
            or (digits >= 2 and (chars <= _HEX or chars <= _SAFE)))


def _is_suffix(segment: str) -> bool:
    has_letter = any(c.isalpha() for c in segment)
    has_digit = any(c.isdigit() for c in segment)
    if len(segment) == 5:
        return _looks_random(segment, range(5, 6)) and (has_letter or not has_digit)
    return len(segment) == 4 and has_letter and has_digit and segment not in _NOT_GENERATED


def generated_segments(name: str) -> int:
    """How many trailing ``-``-segments of ``name`` are generated (0: an ordinary name)."""
    segments = name.split("-")
    count = 0
    if _is_suffix(segments[-1]):
        count = 1
        if len(segments) >= 3 and _is_hash(segments[-2]):
            count = 2
    elif _is_hash(segments[-1]):
        count = 1
    return count if len(segments) - count >= 1 else 0


class Volatile(NamedTuple):
    """A volatile value found in a documented line."""

    kind: str
    start: int
    end: int
    value: str
    key: str | None        # binding key (the documented value, or a var's alias); None: time
    live_pattern: str


def parse_vars(vars: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """``TOKEN`` or ``TOKEN=DOCUMENTED`` -> (token, binding key)."""
    parsed = []
    for item in vars:
        token, _, documented = item.partition("=")
        if token:
            parsed.append((token, documented or token))
    return tuple(parsed)


def _bounded(value: str) -> str:
    """``value`` as a whole token: not glued to word characters that would extend it."""
    pattern = re.escape(value)
    if value[:1].isalnum():
        pattern = r"(?<![\w.-])" + pattern
    if value[-1:].isalnum():
        pattern += r"(?![\w-])(?!\.\w)"
    return pattern


@functools.lru_cache(maxsize=64)
def _detector(vars: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    parts = []
    if vars:
        tokens = sorted({token for token, _ in vars}, key=len, reverse=True)
        parts.append("(?P<var>" + "|".join(_bounded(t) for t in tokens) + ")")
    for index, (kind, pattern) in enumerate(_DETECTORS):
        parts.append(f"(?P<{kind}_{index}>{pattern})")
    return re.compile("|".join(parts))


def _detected_kind(value: str) -> tuple[str, str] | None:
    """(kind, live pattern) of a documented value that is itself volatile, e.g. an alias."""
    found = _find((), value)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(value):
        return found[0].kind, found[0].live_pattern
    return None


def _find(vars: tuple[tuple[str, str], ...], line: str) -> list[Volatile]:
    aliases = dict(vars)
    found = []
    for m in _detector(vars).finditer(line):
        group = m.lastgroup or ""
        kind = group.rsplit("_", 1)[0] if group != "var" else "var"
        value = m.group()
        live_pattern = _LIVE.get(kind, "")
        key: str | None = value
        if kind == "var":
            key = aliases[value]
            known = _detected_kind(key) if key != value else None
            if known:
                kind, live_pattern = known
        elif kind == "name":
            count = generated_segments(value)
            if not count:
                continue
            base = value.rsplit("-", count)[0]
            live_pattern = re.escape(base) + r"-[a-z0-9]{1,12}" * count
        elif kind == "hex":
            if value.endswith("..."):
                live_pattern = r"[0-9a-f]{13}\.\.\."
            else:
                live_pattern = r"[0-9a-f]{16,64}"
        elif kind == "ipv6":
            try:
                ipaddress.IPv6Address(value)
            except ValueError:
                continue
            if ("::" not in value and value.count(":") != 7) or value.strip(":") == "":
                continue
        elif kind == "node_port" and int(value) > 32767:
            continue
        if kind in TIME_KINDS:
            key = None
        found.append(Volatile(kind, m.start(), m.end(), value, key, live_pattern))
    return found


def find_volatile(line: str, vars: Iterable[str] = ()) -> list[Volatile]:
    """The volatile values of a documented line, left to right."""
    return _find(parse_vars(vars), line)


# -- compiled expected lines --------------------------------------------------------------

_WS_RUN = re.compile(r"[ \t]+")


class _Slot(NamedTuple):
    key: str | None
    live_pattern: str


@dataclass(frozen=True)
class _Compiled:
    text: str
    pieces: tuple[str | _Slot, ...]   # regex source of literal parts, slots between them
    regex: re.Pattern[str]
    groups: tuple[tuple[str, str], ...]  # (group name, binding key), first occurrence only


def _literal(text: str, exact_whitespace: bool) -> str:
    if exact_whitespace:
        return re.escape(text)
    return "[ \\t]+".join(re.escape(part) for part in _WS_RUN.split(text))


def _assemble(pieces: Sequence[str | _Slot], bound: Mapping[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Regex source: slots whose key is in ``bound`` become that live value, literally."""
    source = []
    names: dict[str, str] = {}
    for piece in pieces:
        if isinstance(piece, str):
            source.append(piece)
        elif piece.key is None:
            source.append(f"(?:{piece.live_pattern})")
        elif piece.key in bound:
            source.append(re.escape(bound[piece.key]))
        elif piece.key in names:
            source.append(f"(?P={names[piece.key]})")
        else:
            names[piece.key] = f"g{len(names)}"
            source.append(f"(?P<{names[piece.key]}>{piece.live_pattern})")
    return "".join(source), tuple((name, key) for key, name in names.items())


# ``...`` inside a line (with the whitespace around it): any text, none included
_INLINE_ELLIPSIS = re.compile(r"([ \t]*)(?<!\.)\.\.\.(?!\.)([ \t]*)")


def _inline_ellipsis(before: str, after: str, at_start: bool, at_end: bool,
                     exact_whitespace: bool) -> str:
    """The live pattern of an ``...`` inside a line, given the whitespace written around
    it: ``a ... b`` is ``a b`` or ``a`` + whitespace + anything + whitespace + ``b``."""
    def ws(text: str) -> str:
        return re.escape(text) if exact_whitespace else "[ \\t]+"

    if before and after:
        return f"{ws(before)}(?:.*?{ws(after)})?"
    if before:
        return f"(?:{ws(before)}.*)?" if at_end else f"{ws(before)}.*?"
    if after:
        return f"(?:.*?{ws(after)})?" if at_start else f".*?{ws(after)}"
    return ".*?"


def _literal_pieces(text: str, offset: int, length: int,
                    exact_whitespace: bool) -> list[str | _Slot]:
    """A literal stretch of a line (starting at ``offset`` of a line of ``length``): regex
    source, with a match-anything slot for each ``...`` in it."""
    pieces: list[str | _Slot] = []
    position = 0
    for m in _INLINE_ELLIPSIS.finditer(text):
        pieces.append(_literal(text[position:m.start()], exact_whitespace))
        pattern = _inline_ellipsis(m.group(1), m.group(2), offset + m.start() == 0,
                                   offset + m.end() == length, exact_whitespace)
        pieces.append(_Slot(None, pattern))
        position = m.end()
    pieces.append(_literal(text[position:], exact_whitespace))
    return pieces


@functools.lru_cache(maxsize=4096)
def _compile(line: str, vars: tuple[tuple[str, str], ...], exact_whitespace: bool) -> _Compiled:
    text = line.rstrip()
    pieces: list[str | _Slot] = []
    position = 0
    for value in _find(vars, text):
        pieces += _literal_pieces(text[position:value.start], position, len(text), exact_whitespace)
        pieces.append(_Slot(value.key, value.live_pattern))
        position = value.end
    pieces += _literal_pieces(text[position:], position, len(text), exact_whitespace)
    pieces = [p for p in pieces if p != ""]
    source, groups = _assemble(pieces, {})
    return _Compiled(text, tuple(pieces), re.compile(source), groups)


@functools.lru_cache(maxsize=4096)
def _specialised(compiled: _Compiled, bound: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], tuple[tuple[str, str], ...]]:
    source, groups = _assemble(compiled.pieces, dict(bound))
    return re.compile(source), groups


def _match_compiled(compiled: _Compiled, live: str, bindings: Bindings) -> Bindings | None:
    m = compiled.regex.fullmatch(live)
    if m is None:
        return None
    if not compiled.groups:
        return bindings
    result = bindings.bind_all((key, m.group(name)) for name, key in compiled.groups)
    if result is not None:
        return result
    # The first split clashed with the bindings in force: try again with the bound values
    # written in, so that the regex itself searches for a consistent split.
    bound = tuple((key, bindings.forward[key]) for _, key in compiled.groups if key in bindings)
    if not bound:
        return None
    regex, groups = _specialised(compiled, bound)
    m = regex.fullmatch(live)
    if m is None:
        return None
    return bindings.bind_all((key, m.group(name)) for name, key in groups)


def match_line(expected: str, live: str, bindings: Bindings = EMPTY, *,
               vars: Iterable[str] = (), exact_whitespace: bool = False) -> Bindings | None:
    """One expected line against one live line: the bindings after the match, or None."""
    compiled = _compile(expected, parse_vars(vars), exact_whitespace)
    return _match_compiled(compiled, live.rstrip(), bindings)


# -- whole outputs --------------------------------------------------------------------------

_STEP_BUDGET = 200_000


class _Budget:
    def __init__(self) -> None:
        self.left = _STEP_BUDGET

    def spend(self) -> bool:
        self.left -= 1
        return self.left >= 0


def _trim(lines: Sequence[str]) -> list[str]:
    result = [line.rstrip() for line in lines]
    while result and not result[-1]:
        result.pop()
    return result


def _prepare(expected: Sequence[str], vars: Iterable[str], exact_whitespace: bool) -> list[_Compiled | None]:
    parsed = parse_vars(vars)
    return [None if line.rstrip() == ELLIPSIS else _compile(line, parsed, exact_whitespace)
            for line in _trim(expected)]


def _ordered(exp: list[_Compiled | None], live: list[str], bindings: Bindings,
             budget: _Budget) -> Bindings | None:
    needed = [0] * (len(exp) + 1)       # non-ellipsis lines from i on
    ellipsis_after = [False] * (len(exp) + 1)
    for i in range(len(exp) - 1, -1, -1):
        needed[i] = needed[i + 1] + (exp[i] is not None)
        ellipsis_after[i] = ellipsis_after[i + 1] or exp[i] is None
    failed: set[tuple[int, int, Bindings]] = set()

    def run(i: int, j: int, b: Bindings) -> Bindings | None:
        while i < len(exp) and exp[i] is not None:
            if j >= len(live) or not budget.spend():
                return None
            b = _match_compiled(exp[i], live[j], b)  # type: ignore[arg-type]
            if b is None:
                return None
            i, j = i + 1, j + 1
        if i == len(exp):
            return b if j == len(live) else None
        while i < len(exp) and exp[i] is None:
            i += 1
        last = len(live) - needed[i]
        first = last if not ellipsis_after[i] else j
        for k in range(max(first, j), last + 1):
            if (i, k, b) in failed or not budget.spend():
                continue
            if i < len(exp) and exp[i].regex.fullmatch(live[k]) is None:  # type: ignore[union-attr]
                continue
            result = run(i, k, b)
            if result is not None:
                return result
            failed.add((i, k, b))
        return None

    if needed[0] > len(live):
        return None
    return run(0, 0, bindings)


def _candidates(lines: list[_Compiled], live: list[str]) -> list[list[int]]:
    """For each expected line, the live lines it could match (bindings aside). Lines
    without volatile values are looked up by their text, the others tried one by one."""
    by_text: dict[str, list[int]] = {}
    for j, text in enumerate(live):
        by_text.setdefault(" ".join(text.split()), []).append(j)
    result = []
    for e in lines:
        if e.groups or any(not isinstance(p, str) for p in e.pieces):
            result.append([j for j, text in enumerate(live) if e.regex.fullmatch(text)])
        else:
            key = " ".join(e.text.split())
            result.append([j for j in by_text.get(key, []) if e.regex.fullmatch(live[j])])
    return result


def _unordered(exp: list[_Compiled | None], live: list[str], bindings: Bindings,
               budget: _Budget) -> Bindings | None:
    lines = [e for e in exp if e is not None]
    absorbs = len(lines) != len(exp)
    if len(lines) > len(live) or (not absorbs and len(lines) != len(live)):
        return None
    if not absorbs:  # often the order is the documented one after all
        in_order = _ordered(exp, live, bindings, budget)
        if in_order is not None:
            return in_order
    candidates = _candidates(lines, live)
    order = sorted(range(len(lines)), key=lambda e: len(candidates[e]))
    used = [False] * len(live)

    def run(position: int, b: Bindings) -> Bindings | None:
        if position == len(order):
            return b
        e = order[position]
        for j in candidates[e]:
            if used[j] or not budget.spend():
                continue
            after = _match_compiled(lines[e], live[j], b)
            if after is None:
                continue
            used[j] = True
            result = run(position + 1, after)
            used[j] = False
            if result is not None:
                return result
        return None

    return run(0, bindings)


def match_output(expected: Sequence[str], live: Sequence[str], bindings: Bindings = EMPTY, *,
                 vars: Iterable[str] = (), unordered: bool = False,
                 exact_whitespace: bool = False) -> MatchResult:
    """The expected output lines of one command against what it printed live.

    On success the result carries the bindings extended by this output. On failure it
    carries the bindings learned from the lines that did line up, and a diff.
    """
    exp = _prepare(expected, vars, exact_whitespace)
    got = _trim(live)
    search = _unordered if unordered else _ordered
    result = search(exp, got, bindings, _Budget())
    if result is not None:
        return MatchResult(True, result, [])
    if unordered:
        learned, diff = _unordered_diff(exp, got, bindings)
    else:
        learned, diff = _ordered_diff(_align(exp, got, bindings), exp, got, bindings)
    learned = _table_bindings(_trim(expected), got, learned, parse_vars(vars), exact_whitespace)
    return MatchResult(False, learned, diff)


# -- tables whose columns changed --------------------------------------------------------------

# A column header as kubectl and most tools print it: upper-case words (``NOMINATED NODE``,
# ``PORT(S)``, ``CPU(cores)``), cells apart by two or more spaces (or a tab).
_HEADER_WORD = r"[A-Z][A-Z0-9_/%.#:-]*(?:\([A-Za-z0-9_/%. -]*\))?"
_HEADER_CELL = re.compile(rf"{_HEADER_WORD}(?: {_HEADER_WORD})*")
_CELL_GAP = re.compile(r"\t+ *| {2,}\t*")
_TABLE_PAIRS = 20_000     # documented rows x live rows looked at, at most, per output


class _Table(NamedTuple):
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


_ONE_SPACE = re.compile(r"[ \t]+")


def _header(line: str) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """The headers of a table's first line and where each begins; None if not one. A
    header whose columns a page collapsed to single spaces has one word a column."""
    stripped = line.rstrip()
    if not stripped or stripped[0].isspace():
        return None
    found = _header_cells(stripped, _CELL_GAP)
    if found is None or len(found[0]) < 2:
        found = _header_cells(stripped, _ONE_SPACE)
    if found is None or len(found[0]) < 2 or len(set(found[0])) != len(found[0]):
        return None
    return found


def _header_cells(stripped: str, gaps: re.Pattern[str]) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    cells, starts, position = [], [], 0
    for gap in [*gaps.finditer(stripped), None]:
        end = gap.start() if gap else len(stripped)
        cell = stripped[position:end]
        if not _HEADER_CELL.fullmatch(cell):
            return None
        cells.append(cell)
        starts.append(position)
        position = gap.end() if gap else position
    return tuple(cells), tuple(starts)


def _row(line: str, starts: tuple[int, ...]) -> tuple[str, ...] | None:
    """A row's cells: by where the headers begin when the row is aligned with them, else
    by runs of two or more spaces, else by whitespace, when that gives one cell a column."""
    text = line.rstrip()
    count = len(starts)
    if not text or text[0].isspace():
        return None
    if all(s < len(text) and text[s - 1].isspace() and not text[s].isspace() for s in starts[1:]):
        bounds = list(starts) + [len(text)]
        cells = tuple(text[bounds[k]:bounds[k + 1]].strip() for k in range(count))
        if all(cells):
            return cells
    for splitter in (_CELL_GAP, re.compile(r"\s+")):
        cells = tuple(splitter.split(text))
        if len(cells) == count:
            return cells
    return None


def _tables(lines: Sequence[str]) -> list[_Table]:
    """The tables in an output: a header line, then the rows under it (``...`` skipped)."""
    tables = []
    k = 0
    while k < len(lines):
        found = _header(lines[k])
        k += 1
        if found is None:
            continue
        headers, starts = found
        rows = []
        while k < len(lines):
            if lines[k].strip() == ELLIPSIS:
                k += 1
                continue
            cells = _row(lines[k], starts) if _header(lines[k]) is None else None
            if cells is None:
                break
            rows.append(cells)
            k += 1
        if rows:
            tables.append(_Table(headers, tuple(rows)))
    return tables


def _pair_rows(doc: _Table, live: _Table, bindings: Bindings,
               vars: tuple[tuple[str, str], ...], exact_whitespace: bool) -> tuple[Bindings, int]:
    """Bindings from the cells of the columns both tables have, rows paired by their key
    (the NAME column, else the first shared one): each documented row with the live row
    whose shared cells match best. Returns the bindings and the number of cells matched."""
    shared = [(doc.headers.index(h), live.headers.index(h)) for h in doc.headers if h in live.headers]
    if not shared:
        return bindings, 0
    key = next(((d, l) for d, l in shared if doc.headers[d] == "NAME"), shared[0])
    rest = [pair for pair in shared if pair != key]
    used: set[int] = set()
    matched = 0
    for row in doc.rows:
        best: tuple[int, int, Bindings] | None = None
        for j, live_row in enumerate(live.rows):
            if j in used:
                continue
            b = _match_compiled(_compile(row[key[0]], vars, exact_whitespace), live_row[key[1]], bindings)
            if b is None:
                continue
            score = 1
            for d, l in rest:
                after = _match_compiled(_compile(row[d], vars, exact_whitespace), live_row[l], b)
                if after is not None:
                    b, score = after, score + 1
            if best is None or score > best[0]:
                best = (score, j, b)
        if best is not None:
            matched += best[0]
            used.add(best[1])
            bindings = best[2]
    return bindings, matched


def _table_bindings(expected: Sequence[str], live: Sequence[str], bindings: Bindings,
                    vars: tuple[tuple[str, str], ...], exact_whitespace: bool) -> Bindings:
    """What a failed output still teaches: the values of tables whose columns moved, were
    added or dropped (an older kubectl's table), bound by column header rather than by
    line, so that later commands reach the live objects the documented rows name."""
    doc_tables = _tables(expected)
    if not doc_tables:
        return bindings
    live_tables = _tables(live)
    budget = _TABLE_PAIRS
    used: set[int] = set()
    for doc in doc_tables:
        best: tuple[int, int, Bindings] | None = None
        for j, candidate in enumerate(live_tables):
            if j in used:
                continue
            budget -= len(doc.rows) * len(candidate.rows)
            if budget < 0:
                return bindings
            after, matched = _pair_rows(doc, candidate, bindings, vars, exact_whitespace)
            if matched and (best is None or matched > best[0]):
                best = (matched, j, after)
        if best is not None:
            used.add(best[1])
            bindings = best[2]
    return bindings


# -- alignment (diffs and rewriting) --------------------------------------------------------

# Alignment operations: ("=", i, j) expected i matches live j; ("!", i, j) expected i
# became live j; ("-", i, None) expected i has no counterpart (or, for an ellipsis, ends);
# ("+", None, j) live j is extra; ("~", i, j) live j falls under the ellipsis at i.
_Op = tuple[str, int | None, int | None]
_ALIGN_CELLS = 400_000


def _align(exp: list[_Compiled | None], live: list[str], bindings: Bindings) -> list[_Op]:
    """A least-cost alignment. Each pair is judged against ``bindings`` alone (not what
    earlier pairs would bind): the result is replayed in order afterwards."""
    n, m = len(exp), len(live)

    def fits(i: int, j: int) -> bool:
        return exp[i] is not None and _match_compiled(exp[i], live[j], bindings) is not None  # type: ignore[arg-type]

    start = 0
    while start < min(n, m) and fits(start, start):
        start += 1
    end = 0
    while end < min(n, m) - start and fits(n - 1 - end, m - 1 - end):
        end += 1
    ops: list[_Op] = [("=", k, k) for k in range(start)]
    sub_e, sub_l = exp[start:n - end], live[start:m - end]
    if (len(sub_e) + 1) * (len(sub_l) + 1) > _ALIGN_CELLS:
        ops += [("-", start + i, None) for i in range(len(sub_e))]
        ops += [("+", None, start + j) for j in range(len(sub_l))]
    else:
        ops += [(op, None if i is None else i + start, None if j is None else j + start)
                for op, i, j in _align_core(sub_e, sub_l, bindings)]
    ops += [("=", n - end + k, m - end + k) for k in range(end)]
    return ops


def _align_core(exp: list[_Compiled | None], live: list[str], bindings: Bindings) -> list[_Op]:
    n, m = len(exp), len(live)
    # An edit costs more than any number of lines left to an ellipsis; among equal edits,
    # fewer absorbed lines win, so that changed lines show (and get rewritten) as such.
    edit = m + 1
    inf = (n + m + 1) * edit
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    cost[n][m] = 0
    fits: dict[tuple[int, int], bool] = {}

    def fit(i: int, j: int) -> bool:
        if (i, j) not in fits:
            fits[(i, j)] = _match_compiled(exp[i], live[j], bindings) is not None  # type: ignore[arg-type]
        return fits[(i, j)]

    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            if i == n and j == m:
                continue
            best = inf
            if i < n and exp[i] is None:
                best = cost[i + 1][j]
                if j < m:
                    best = min(best, 1 + cost[i][j + 1])
            else:
                if i < n and j < m and fit(i, j):
                    best = cost[i + 1][j + 1]
                if i < n:
                    best = min(best, edit + cost[i + 1][j])
                if j < m:
                    best = min(best, edit + cost[i][j + 1])
                if i < n and j < m:
                    best = min(best, edit + cost[i + 1][j + 1])
            cost[i][j] = best
    ops: list[_Op] = []
    i = j = 0
    while i < n or j < m:
        here = cost[i][j]
        if i < n and exp[i] is None:
            if j < m and 1 + cost[i][j + 1] == here:
                ops.append(("~", i, j))
                j += 1
            else:
                ops.append(("-", i, None))
                i += 1
        elif i < n and j < m and fit(i, j) and cost[i + 1][j + 1] == here:
            ops.append(("=", i, j))
            i, j = i + 1, j + 1
        elif i < n and edit + cost[i + 1][j] == here:
            ops.append(("-", i, None))
            i += 1
        elif j < m and edit + cost[i][j + 1] == here:
            ops.append(("+", None, j))
            j += 1
        else:
            ops.append(("!", i, j))
            i, j = i + 1, j + 1
    return ops


def _conflict_note(compiled: _Compiled, live: str, bindings: Bindings) -> str:
    m = compiled.regex.fullmatch(live)
    notes = []
    if m:
        for name, key in compiled.groups:
            value = m.group(name)
            bound = bindings.get(key)
            if bound is not None and bound != value:
                notes.append(f"{key} is bound to {bound}, not {value}")
            elif bound is None and bindings.documented(value) not in (None, key):
                notes.append(f"{value} is already bound to {bindings.documented(value)}")
    return "? " + "; ".join(notes) if notes else ""


def _ordered_diff(ops: list[_Op], exp: list[_Compiled | None], live: list[str],
                  bindings: Bindings) -> tuple[Bindings, list[str]]:
    rows: list[str] = []
    b = bindings
    ellipsis_shown: set[int] = set()
    for op, i, j in ops:
        after = None
        if op in "=!":
            after = _match_compiled(exp[i], live[j], b)  # type: ignore[arg-type, index]
        if after is not None:
            b = after
            rows.append(" " + live[j])  # type: ignore[index]
        elif op in "=!":
            compiled = exp[i]  # type: ignore[index]
            rows.append("-" + compiled.text)  # type: ignore[union-attr]
            rows.append("+" + live[j])  # type: ignore[index]
            note = _conflict_note(compiled, live[j], b)  # type: ignore[arg-type, index]
            if note:
                rows.append(note)
        elif op == "~":
            if i not in ellipsis_shown:
                rows.append(" " + ELLIPSIS)
                ellipsis_shown.add(i)  # type: ignore[arg-type]
            rows.append(" " + live[j])  # type: ignore[index]
        elif op == "-" and exp[i] is None:  # type: ignore[index]
            if i not in ellipsis_shown:
                rows.append(" " + ELLIPSIS)
                ellipsis_shown.add(i)  # type: ignore[arg-type]
        elif op == "-":
            rows.append("-" + exp[i].text)  # type: ignore[index, union-attr]
        else:
            rows.append("+" + live[j])  # type: ignore[index]
    return b, _hunks(rows)


def _hunks(rows: list[str], context: int = 3) -> list[str]:
    """Unified-diff style: changed rows with a few rows of context, in ``@@`` hunks."""
    changed = [k for k, row in enumerate(rows) if row[:1] in "-+?"]
    header = ["--- expected", "+++ live"]
    if not changed:
        return header + rows
    keep = set()
    for k in changed:
        keep.update(range(max(0, k - context), min(len(rows), k + context + 1)))
    out = list(header)
    k = 0
    while k < len(rows):
        if k not in keep:
            k += 1
            continue
        end = k
        while end < len(rows) and end in keep:
            end += 1
        chunk = rows[k:end]
        old_start = sum(1 for r in rows[:k] if r[:1] in " -") + 1
        new_start = sum(1 for r in rows[:k] if r[:1] in " +") + 1
        old_len = sum(1 for r in chunk if r[:1] in " -")
        new_len = sum(1 for r in chunk if r[:1] in " +")
        out.append(f"@@ -{old_start},{old_len} +{new_start},{new_len} @@")
        out.extend(chunk)
        k = end
    return out


def _greedy_pairs(exp: list[_Compiled | None], live: list[str],
                  bindings: Bindings) -> tuple[Bindings, dict[int, int]]:
    """Expected index -> live index for the lines that pair up, one by one."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    b = bindings
    for i, compiled in enumerate(exp):
        if compiled is None:
            continue
        for j, text in enumerate(live):
            if j in used:
                continue
            after = _match_compiled(compiled, text, b)
            if after is not None:
                b = after
                pairs[i] = j
                used.add(j)
                break
    return b, pairs


def _unordered_diff(exp: list[_Compiled | None], live: list[str],
                    bindings: Bindings) -> tuple[Bindings, list[str]]:
    b, pairs = _greedy_pairs(exp, live, bindings)
    matched = set(pairs.values())
    rows = ["-" + e.text for i, e in enumerate(exp) if e is not None and i not in pairs]
    rows += [(" " if j in matched else "+") + text for j, text in enumerate(live)]
    if any(e is None for e in exp):
        rows.append(" " + ELLIPSIS)
    return b, ["--- expected (any order)", "+++ live"] + rows


# -- commands, prompts, rewriting -----------------------------------------------------------


def _replacer(mapping: Mapping[str, str]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    mapping = {k: v for k, v in mapping.items() if k and k != v}
    if not mapping:
        return None
    keys = sorted(mapping, key=len, reverse=True)
    return re.compile("|".join(_bounded(k) for k in keys)), mapping


@functools.lru_cache(maxsize=256)
def _replacer_cached(items: frozenset[tuple[str, str]]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    return _replacer(dict(items))


def _replace(text: str, mapping: Mapping[str, str]) -> str:
    replacer = _replacer_cached(frozenset(mapping.items()))
    if replacer is None:
        return text
    pattern, table = replacer
    return pattern.sub(lambda m: table[m.group()], text)


def substitute(command: str, bindings: Bindings, vars: Iterable[str] = ()) -> str:
    """``command`` with every bound documented value (or ``:vars:`` token) replaced by
    its live value, as whole tokens (also inside URLs and ``host:port``).

    An alias ``TOKEN=DOCUMENTED`` whose documented value is not bound runs as that
    documented value, as written: an unbound value always runs as documented, so a
    placeholder such as ``<secret-name>=tls-secret`` needs no earlier output to bind it.
    """
    mapping = dict(bindings.items())
    for token, key in parse_vars(vars):
        live = bindings.get(key)
        if live is not None:
            mapping[token] = live
        elif key != token:
            mapping[token] = key
    return _replace(command, mapping)


def match_prompt(documented_line: str, live_partial: str, bindings: Bindings = EMPTY,
                 vars: Iterable[str] = ()) -> tuple[Bindings, str] | None:
    """Does the prompt an interactive program shows begin ``documented_line``?

    ``live_partial`` is what the program printed before waiting for input (e.g.
    ``[ root@curl-5c7b8f6d9-x2k4q:/ ]$ ``). Returns the bindings after matching the
    prompt part of the documented line and the rest of that line (the input to type),
    or None. The prompt must end with ``$``, ``#``, ``>`` or ``%``; the shortest
    documented prefix that matches wins.
    """
    parsed = parse_vars(vars)
    live = live_partial.rstrip()
    if not live:
        return None
    for k, char in enumerate(documented_line):
        if char not in "$#>%":
            continue
        if k + 1 < len(documented_line) and not documented_line[k + 1].isspace():
            continue
        compiled = _compile(documented_line[: k + 1], parsed, False)
        after = _match_compiled(compiled, live, bindings)
        if after is not None:
            return after, documented_line[k + 1:].lstrip()
    return None


def rewrite_expected(expected: Sequence[str], live: Sequence[str], bindings: Bindings, *,
                     vars: Iterable[str] = (), unordered: bool = False,
                     exact_whitespace: bool = False) -> list[str]:
    """New expected lines for ``tutorial-runner update``.

    Lines that still match keep their documented text; an ``...`` stays where it was
    (absorbing what it lines up with); every other live line is written back with each
    bound live value replaced by its documented value (or its ``:vars:`` token). Times
    are written as the live run printed them.
    """
    exp = _prepare(expected, vars, exact_whitespace)
    got = _trim(live)
    back = {live_value: doc for doc, live_value in bindings.items()}
    for token, key in parse_vars(vars):
        live_value = bindings.get(key)
        if live_value is not None:
            back[live_value] = token

    def written_back(text: str) -> str:
        return _replace(text, back)

    if unordered:
        _, pairs = _greedy_pairs(exp, got, bindings)
        by_live = {j: exp[i].text for i, j in pairs.items()}  # type: ignore[union-attr]
        lines = [by_live.get(j) or written_back(text) for j, text in enumerate(got)]
        return lines + ([ELLIPSIS] if any(e is None for e in exp) else [])
    result: list[str] = []
    b = bindings
    for op, i, j in _align(exp, got, bindings):
        if op in "=!":
            after = _match_compiled(exp[i], got[j], b)  # type: ignore[arg-type, index]
            if after is not None:
                b = after
                result.append(exp[i].text)  # type: ignore[index, union-attr]
            else:
                result.append(written_back(got[j]))  # type: ignore[index]
        elif op == "~":
            if not result or result[-1] != ELLIPSIS:
                result.append(ELLIPSIS)
        elif op == "-":
            if exp[i] is None and (not result or result[-1] != ELLIPSIS):  # type: ignore[index]
                result.append(ELLIPSIS)
        else:
            result.append(written_back(got[j]))  # type: ignore[index]
    return result
