"""Command-line parsing with pflag's rules, so that errors read as kubectl's do.

pflag accepts flags anywhere among the arguments (interspersed), ``--name=value`` and
``--name value``, bool flags without a value, short clusters such as ``-it`` or
``-nkube-system``, and stops at ``--``.  What follows ``--`` is kept apart because
``exec`` and ``run`` treat it as the command to run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.kubectl.errors import UsageError

BOOL, STRING, INT, ARRAY, SLICE = "bool", "string", "int", "stringArray", "stringSlice"


@dataclass(frozen=True)
class Flag:
    name: str
    short: str = ""
    kind: str = STRING
    default: Any = None
    # pflag's NoOptDefVal: the value a flag takes when given without one (--dry-run).
    no_value: str | None = None

    def initial(self) -> Any:
        if self.kind in (ARRAY, SLICE):
            return list(self.default or [])
        if self.kind == BOOL:
            return bool(self.default)
        if self.kind == INT:
            return 0 if self.default is None else self.default
        return "" if self.default is None else self.default


def f(name: str, short: str = "", kind: str = STRING, default: Any = None,
      no_value: str | None = None) -> Flag:
    return Flag(name, short, kind, default, no_value)


# kubectl's persistent (global) flags: accepted by every command, mostly ignored here.
GLOBAL_FLAGS: tuple[Flag, ...] = (
    f("namespace", "n"), f("context"), f("kubeconfig"), f("cluster"), f("user"),
    f("server", "s"), f("token"), f("request-timeout", default="0"), f("as"),
    f("as-group", kind=ARRAY), f("as-uid"), f("certificate-authority"),
    f("client-certificate"), f("client-key"), f("tls-server-name"), f("cache-dir"),
    f("profile", default="none"), f("profile-output", default="profile.pprof"),
    f("v", "v", default="0"), f("vmodule"), f("log-flush-frequency", default="5s"),
    f("password"), f("username"), f("kuberc"),
    f("insecure-skip-tls-verify", kind=BOOL), f("match-server-version", kind=BOOL),
    f("warnings-as-errors", kind=BOOL), f("disable-compression", kind=BOOL),
    f("help", "h", kind=BOOL),
)


@dataclass
class Parsed:
    values: dict[str, Any]
    args: list[str]
    # Arguments after ``--`` (cobra's ArgsLenAtDash), also included at the end of ``args``.
    dash_at: int = -1
    given: set[str] = field(default_factory=set)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def changed(self, name: str) -> bool:
        return name in self.given

    @property
    def after_dash(self) -> list[str]:
        return self.args[self.dash_at:] if self.dash_at >= 0 else []

    @property
    def before_dash(self) -> list[str]:
        return self.args[:self.dash_at] if self.dash_at >= 0 else list(self.args)


class FlagSet:
    def __init__(self, flags: tuple[Flag, ...] | list[Flag], interspersed: bool = True):
        self.flags = list(flags) + [g for g in GLOBAL_FLAGS
                                    if g.name not in {x.name for x in flags}]
        self.by_name = {x.name: x for x in self.flags}
        self.by_short = {x.short: x for x in self.flags if x.short}
        self.interspersed = interspersed

    def parse(self, argv: list[str]) -> Parsed:
        values = {x.name: x.initial() for x in self.flags}
        given: set[str] = set()
        args: list[str] = []
        dash_at = -1
        i = 0
        while i < len(argv):
            a = argv[i]
            i += 1
            if a == "--":
                dash_at = len(args)
                args.extend(argv[i:])
                break
            if not a.startswith("-") or a == "-":
                args.append(a)
                if not self.interspersed:
                    args.extend(argv[i:])
                    break
                continue
            if a.startswith("--"):
                i = self._long(a[2:], argv, i, values, given)
            else:
                i = self._short(a[1:], argv, i, values, given)
        return Parsed(values, args, dash_at, given)

    def _set(self, flag: Flag, raw: str, shown: str, values: dict, given: set) -> None:
        if flag.kind == BOOL:
            lowered = raw.lower()
            if lowered in ("1", "t", "true"):
                value: Any = True
            elif lowered in ("0", "f", "false"):
                value = False
            else:
                raise UsageError(f'invalid argument "{raw}" for "{shown}" flag: '
                                 f'strconv.ParseBool: parsing "{raw}": invalid syntax')
            values[flag.name] = value
        elif flag.kind == INT:
            try:
                values[flag.name] = int(raw, 10)
            except ValueError:
                raise UsageError(f'invalid argument "{raw}" for "{shown}" flag: '
                                 f'strconv.ParseInt: parsing "{raw}": invalid syntax') from None
        elif flag.kind == ARRAY:
            if flag.name not in given:
                values[flag.name] = []
            values[flag.name].append(raw)
        elif flag.kind == SLICE:
            if flag.name not in given:
                values[flag.name] = []
            values[flag.name].extend(_split_csv(raw))
        else:
            values[flag.name] = raw
        given.add(flag.name)

    def _long(self, body: str, argv: list[str], i: int, values: dict, given: set) -> int:
        name, eq, raw = body.partition("=")
        flag = self.by_name.get(name)
        if flag is None:
            raise UsageError(f"unknown flag: --{name}")
        shown = f"--{name}"
        if eq:
            self._set(flag, raw, shown, values, given)
        elif flag.kind == BOOL:
            self._set(flag, "true", shown, values, given)
        elif flag.no_value is not None:
            self._set(flag, flag.no_value, shown, values, given)
        elif i < len(argv):
            self._set(flag, argv[i], shown, values, given)
            i += 1
        else:
            raise UsageError(f"flag needs an argument: {shown}")
        return i

    def _short(self, body: str, argv: list[str], i: int, values: dict, given: set) -> int:
        whole = "-" + body
        k = 0
        while k < len(body):
            c = body[k]
            flag = self.by_short.get(c)
            if flag is None:
                raise UsageError(f"unknown shorthand flag: '{c}' in {whole}")
            shown = f"-{c}"
            rest = body[k + 1:]
            if rest.startswith("="):
                self._set(flag, rest[1:], shown, values, given)
                return i
            if flag.kind == BOOL:
                self._set(flag, "true", shown, values, given)
                k += 1
                continue
            if flag.no_value is not None and not rest:
                self._set(flag, flag.no_value, shown, values, given)
                return i
            if rest:
                self._set(flag, rest, shown, values, given)
                return i
            if i < len(argv):
                self._set(flag, argv[i], shown, values, given)
                return i + 1
            raise UsageError(f"flag needs an argument: '{c}' in {whole}")
        return i


def _split_csv(raw: str) -> list[str]:
    """pflag's stringSlice reads its value as one CSV record."""
    if raw == "":
        return []
    out: list[str] = []
    cur = ""
    quoted = False
    j = 0
    while j < len(raw):
        ch = raw[j]
        if ch == '"' and cur == "" and not quoted:
            quoted = True
        elif ch == '"' and quoted:
            if j + 1 < len(raw) and raw[j + 1] == '"':
                cur += '"'
                j += 1
            else:
                quoted = False
        elif ch == "," and not quoted:
            out.append(cur)
            cur = ""
        else:
            cur += ch
        j += 1
    out.append(cur)
    return out
