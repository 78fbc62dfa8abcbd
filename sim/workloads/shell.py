"""A small POSIX sh: lists, pipelines, redirections, quoting, parameter and command
substitution, and the compound commands scripts in pods use (while, until, for, if)."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from sim.workloads.fs import FsError
from sim.workloads.proc import BufferSink, FileSink, Forever, NullSink, Proc, Sink

OPERATORS = ("&&", "||", ";;", ">>", "2>>", "2>&1", ">&2", "1>&2", "&>", "2>", "1>", "<", ">",
             "|", ";", "&", "(", ")")
RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in",
            "{", "}", "!", "case", "esac"}
LOOP_LIMIT = 1000


class ShellSyntaxError(Exception):
    pass


class ShellExit(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


# lexing ----------------------------------------------------------------------
def tokenize(text: str) -> list[tuple[str, str]]:
    """(kind, text) with kind WORD, OP or NL; words keep their quotes for expansion."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t":
            i += 1
            continue
        if c == "\\" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            continue
        if c == "\n":
            tokens.append(("NL", "\n"))
            i += 1
            continue
        if c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        op = next((o for o in sorted(OPERATORS, key=len, reverse=True) if text.startswith(o, i)), None)
        if op is not None and not (op[0].isdigit() and tokens and tokens[-1][0] == "WORD"
                                   and i > 0 and text[i - 1] not in " \t"):
            tokens.append(("OP", op))
            i += len(op)
            continue
        start = i
        while i < n and text[i] not in " \t\n;&|()<>":
            c = text[i]
            if c == "\\":
                i += 2
            elif c == "'":
                end = text.find("'", i + 1)
                if end < 0:
                    raise ShellSyntaxError("Unterminated quoted string")
                i = end + 1
            elif c == '"':
                i = _skip_double(text, i + 1)
            elif c == "$" and text.startswith("$(", i):
                i = _skip_parens(text, i + 2)
            elif c == "$" and text.startswith("${", i):
                end = text.find("}", i)
                if end < 0:
                    raise ShellSyntaxError("bad substitution")
                i = end + 1
            elif c == "`":
                end = text.find("`", i + 1)
                if end < 0:
                    raise ShellSyntaxError("Unterminated quoted string")
                i = end + 1
            else:
                i += 1
        tokens.append(("WORD", text[start:i]))
    return tokens


def _skip_double(text: str, i: int) -> int:
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i + 1
        if text.startswith("$(", i):
            i = _skip_parens(text, i + 2)
            continue
        i += 1
    raise ShellSyntaxError("Unterminated quoted string")


def _skip_parens(text: str, i: int) -> int:
    depth = 1
    while i < len(text):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        elif c == "'":
            i = text.find("'", i + 1)
            if i < 0:
                break
        elif c == '"':
            i = _skip_double(text, i + 1) - 1
        i += 1
    raise ShellSyntaxError("end of file unexpected (expecting \")\")")


# syntax tree -----------------------------------------------------------------
@dataclass
class Redirect:
    op: str
    target: str


@dataclass
class Simple:
    words: list[str]
    assigns: list[str] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class Pipeline:
    commands: list[Any]
    negate: bool = False


@dataclass
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]]


@dataclass
class Sequence:
    items: list[Any]


@dataclass
class Loop:
    condition: Sequence
    body: Sequence
    until: bool = False
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class ForLoop:
    name: str
    words: list[str] | None
    body: Sequence
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class IfElse:
    branches: list[tuple[Sequence, Sequence]]
    otherwise: Sequence | None
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class Group:
    body: Sequence
    subshell: bool
    redirects: list[Redirect] = field(default_factory=list)


class Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ShellSyntaxError("Syntax error: end of file unexpected")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "WORD" and token[1] in words

    def expect_word(self, word: str) -> None:
        token = self.peek()
        if token is None:
            raise ShellSyntaxError(f'end of file unexpected (expecting "{word}")')
        if token[0] != "WORD" or token[1] != word:
            raise ShellSyntaxError(f'Syntax error: "{token[1]}" unexpected (expecting "{word}")')
        self.pos += 1

    def skip_newlines(self) -> None:
        while self.peek() is not None and self.peek()[0] == "NL":
            self.pos += 1

    def parse(self) -> Sequence:
        body = self.sequence(())
        if self.peek() is not None:
            raise ShellSyntaxError(f'Syntax error: "{self.peek()[1]}" unexpected')
        return body

    def sequence(self, terminators: tuple[str, ...]) -> Sequence:
        items: list[Any] = []
        self.skip_newlines()
        while self.peek() is not None:
            token = self.peek()
            if token[0] == "WORD" and token[1] in terminators:
                break
            if token[0] == "OP" and token[1] == ")":
                break
            items.append(self.and_or())
            token = self.peek()
            if token is None:
                break
            if token[0] == "NL" or (token[0] == "OP" and token[1] in {";", "&"}):
                self.pos += 1
                self.skip_newlines()
                continue
            break
        return Sequence(items)

    def and_or(self) -> AndOr:
        first = self.pipeline()
        rest = []
        while self.peek() is not None and self.peek()[0] == "OP" and self.peek()[1] in {"&&", "||"}:
            op = self.take()[1]
            self.skip_newlines()
            rest.append((op, self.pipeline()))
        return AndOr(first, rest)

    def pipeline(self) -> Pipeline:
        negate = False
        if self.at_word("!"):
            self.pos += 1
            negate = True
        commands = [self.command()]
        while self.peek() is not None and self.peek() == ("OP", "|"):
            self.pos += 1
            self.skip_newlines()
            commands.append(self.command())
        return Pipeline(commands, negate)

    def redirects(self) -> list[Redirect]:
        found = []
        while self.peek() is not None and self.peek()[0] == "OP" and self.peek()[1] in {
                ">", ">>", "<", "2>", "2>>", "1>", "&>", "2>&1", ">&2", "1>&2"}:
            op = self.take()[1]
            if op in {"2>&1", ">&2", "1>&2"}:
                found.append(Redirect(op, ""))
                continue
            token = self.peek()
            if token is None or token[0] != "WORD":
                raise ShellSyntaxError(f'Syntax error: {"newline" if token is None else token[1]} unexpected')
            found.append(Redirect(op, self.take()[1]))
        return found

    def command(self) -> Any:
        token = self.peek()
        if token is None:
            raise ShellSyntaxError("Syntax error: end of file unexpected")
        if token == ("OP", "("):
            self.pos += 1
            body = self.sequence(())
            if self.peek() != ("OP", ")"):
                raise ShellSyntaxError('Syntax error: end of file unexpected (expecting ")")')
            self.pos += 1
            return Group(body, True, self.redirects())
        if token[0] == "OP" and token[1] not in {">", ">>", "<", "2>", "2>>", "1>", "&>", "2>&1", ">&2", "1>&2"}:
            raise ShellSyntaxError(f'Syntax error: "{token[1]}" unexpected')
        if token[0] == "WORD":
            word = token[1]
            if word in {"while", "until"}:
                self.pos += 1
                condition = self.sequence(("do",))
                self.expect_word("do")
                body = self.sequence(("done",))
                self.expect_word("done")
                return Loop(condition, body, word == "until", self.redirects())
            if word == "for":
                self.pos += 1
                kind, name = self.take()
                if kind != "WORD" or not name.isidentifier():
                    raise ShellSyntaxError(f'Syntax error: Bad for loop variable')
                words = None
                self.skip_newlines()
                if self.at_word("in"):
                    self.pos += 1
                    words = []
                    while self.peek() is not None and self.peek()[0] == "WORD":
                        words.append(self.take()[1])
                if self.peek() is not None and (self.peek()[0] == "NL" or self.peek() == ("OP", ";")):
                    self.pos += 1
                self.skip_newlines()
                self.expect_word("do")
                body = self.sequence(("done",))
                self.expect_word("done")
                return ForLoop(name, words, body, self.redirects())
            if word == "if":
                self.pos += 1
                branches = []
                condition = self.sequence(("then",))
                self.expect_word("then")
                branches.append((condition, self.sequence(("elif", "else", "fi"))))
                otherwise = None
                while True:
                    if self.at_word("elif"):
                        self.pos += 1
                        condition = self.sequence(("then",))
                        self.expect_word("then")
                        branches.append((condition, self.sequence(("elif", "else", "fi"))))
                        continue
                    if self.at_word("else"):
                        self.pos += 1
                        otherwise = self.sequence(("fi",))
                    self.expect_word("fi")
                    break
                return IfElse(branches, otherwise, self.redirects())
            if word == "{":
                self.pos += 1
                body = self.sequence(("}",))
                self.expect_word("}")
                return Group(body, False, self.redirects())
            if word in {"do", "done", "then", "fi", "elif", "else", "}"}:
                raise ShellSyntaxError(f'Syntax error: "{word}" unexpected')
        simple = Simple([])
        while True:
            token = self.peek()
            if token is None or token[0] == "NL":
                break
            if token[0] == "OP":
                if token[1] in {">", ">>", "<", "2>", "2>>", "1>", "&>", "2>&1", ">&2", "1>&2"}:
                    simple.redirects.extend(self.redirects())
                    continue
                break
            word = self.take()[1]
            if not simple.words and "=" in word and word.split("=", 1)[0].isidentifier():
                simple.assigns.append(word)
            else:
                simple.words.append(word)
        return simple


def parse(text: str) -> Sequence:
    return Parser(tokenize(text)).parse()


# expansion -------------------------------------------------------------------
class Expander:
    def __init__(self, shell: "Shell", proc: Proc):
        self.shell, self.proc = shell, proc

    def variable(self, name: str) -> str:
        proc = self.proc
        if name == "?":
            return str(proc.status)
        if name == "$":
            return "1"
        if name == "#":
            return str(len(proc.positional))
        if name in {"@", "*"}:
            return " ".join(proc.positional)
        if name.isdigit():
            index = int(name)
            if index == 0:
                return proc.shell
            return proc.positional[index - 1] if index <= len(proc.positional) else ""
        return proc.env.get(name, self.shell.locals.get(name, ""))

    def braced(self, body: str) -> str:
        for op in (":-", ":=", ":+", "-", "+"):
            if op in body:
                name, word = body.split(op, 1)
                value = self.variable(name)
                exists = name in self.proc.env or name in self.shell.locals
                if op == ":-":
                    return value if value else self.text(word)
                if op == ":=":
                    if not value:
                        self.shell.locals[name] = self.text(word)
                        return self.shell.locals[name]
                    return value
                if op == ":+":
                    return self.text(word) if value else ""
                if op == "-":
                    return value if exists else self.text(word)
                return self.text(word) if exists else ""
        if body.startswith("#"):
            return str(len(self.variable(body[1:])))
        return self.variable(body)

    def substitute(self, script: str) -> str:
        sink = BufferSink()
        child = self.proc.child(out=sink)
        try:
            self.shell.run_text(script, child)
        except ShellExit:
            pass
        self.proc.status = child.status
        return sink.data.decode("utf-8", "replace").rstrip("\n")

    def dollar(self, word: str, i: int) -> tuple[str, int]:
        """Expand the $ construct at word[i]; returns (value, next index)."""
        if word.startswith("$((", i):
            end = _skip_parens(word, i + 2)
            return self.arithmetic(word[i + 3:end - 2]), end
        if word.startswith("$(", i):
            end = _skip_parens(word, i + 2)
            return self.substitute(word[i + 2:end - 1]), end
        if word.startswith("${", i):
            end = word.index("}", i)
            return self.braced(word[i + 2:end]), end + 1
        j = i + 1
        if j < len(word) and (word[j] in "?$#@*" or word[j].isdigit()):
            return self.variable(word[j]), j + 1
        while j < len(word) and (word[j].isalnum() or word[j] == "_"):
            j += 1
        if j == i + 1:
            return "$", j
        return self.variable(word[i + 1:j]), j

    def arithmetic(self, expression: str) -> str:
        """$(( )): integers, + - * / % and parentheses, variables by name."""
        import re as _re

        def value(match: _re.Match) -> str:
            found = self.variable(match.group(0).lstrip("$"))
            return found if found.lstrip("-").isdigit() else "0"

        text = _re.sub(r"\$?[A-Za-z_][A-Za-z0-9_]*", value, expression)
        if not _re.fullmatch(r"[\d\s+\-*/%()]*", text):
            return "0"
        try:
            return str(int(eval(text.replace("/", "//"), {"__builtins__": {}}, {})))  # noqa: S307
        except (SyntaxError, ZeroDivisionError, TypeError):
            return "0"

    def text(self, word: str) -> str:
        """Expansion without field splitting (assignments, redirect targets, here)."""
        return "".join(ch for ch, _ in self.chars(word)[0])

    def chars(self, word: str) -> tuple[list[tuple[str, str]], bool]:
        """Characters tagged q (quoted), l (literal) or x (unquoted expansion)."""
        out: list[tuple[str, str]] = []
        quoted_any = False
        i, n = 0, len(word)
        if word.startswith("~") and (n == 1 or word[1] == "/"):
            out += [(c, "q") for c in self.proc.env.get("HOME", "/root")]
            i = 1
        while i < n:
            c = word[i]
            if c == "\\":
                if i + 1 < n:
                    out.append((word[i + 1], "q"))
                quoted_any = True
                i += 2
            elif c == "'":
                end = word.index("'", i + 1)
                out += [(ch, "q") for ch in word[i + 1:end]]
                quoted_any = True
                i = end + 1
            elif c == '"':
                quoted_any = True
                i += 1
                while i < n and word[i] != '"':
                    if word[i] == "\\" and i + 1 < n and word[i + 1] in '$`"\\\n':
                        out.append((word[i + 1], "q"))
                        i += 2
                    elif word[i] == "$":
                        value, i = self.dollar(word, i)
                        out += [(ch, "q") for ch in value]
                    elif word[i] == "`":
                        end = word.index("`", i + 1)
                        out += [(ch, "q") for ch in self.substitute(word[i + 1:end])]
                        i = end + 1
                    else:
                        out.append((word[i], "q"))
                        i += 1
                i += 1
            elif c == "$":
                value, i = self.dollar(word, i)
                out += [(ch, "x") for ch in value]
            elif c == "`":
                end = word.index("`", i + 1)
                out += [(ch, "x") for ch in self.substitute(word[i + 1:end])]
                i = end + 1
            else:
                out.append((c, "l"))
                i += 1
        return out, quoted_any

    def fields(self, word: str) -> list[str]:
        chars, quoted_any = self.chars(word)
        fields: list[list[tuple[str, str]]] = [[]]
        for ch, kind in chars:
            if kind == "x" and ch in " \t\n":
                if fields[-1]:
                    fields.append([])
                continue
            fields[-1].append((ch, kind))
        if not fields[-1]:
            fields.pop()
        if not fields:
            return [""] if quoted_any else []
        result: list[str] = []
        for field_chars in fields:
            text = "".join(ch for ch, _ in field_chars)
            if any(ch in "*?[" and kind != "q" for ch, kind in field_chars):
                result.extend(self.glob(text))
            else:
                result.append(text)
        return result

    def glob(self, pattern: str) -> list[str]:
        fs = self.proc.fs
        absolute = pattern.startswith("/")
        parts = [p for p in pattern.split("/") if p]
        candidates = ["/" if absolute else ""]
        for part in parts:
            nxt = []
            for base in candidates:
                directory = self.proc.path(base or ".")
                if any(ch in part for ch in "*?["):
                    try:
                        names = fs.listdir(directory)
                    except FsError:
                        continue
                    for name in names:
                        if fnmatch.fnmatchcase(name, part) and (part.startswith(".") or not name.startswith(".")):
                            nxt.append((base.rstrip("/") + "/" + name) if base else name)
                else:
                    candidate = (base.rstrip("/") + "/" + part) if base else part
                    if fs.exists(self.proc.path(candidate)):
                        nxt.append(candidate)
            candidates = nxt
        return sorted(candidates) or [pattern]


# execution -------------------------------------------------------------------
class Shell:
    """One shell process. ``flavor`` is busybox, dash or bash: their messages differ."""

    def __init__(self, flavor: str):
        self.flavor = flavor
        self.locals: dict[str, str] = {}
        self.line = 1

    # messages
    def not_found(self, proc: Proc, name: str) -> None:
        if self.flavor == "bash":
            proc.error(f"{proc.shell}: {name}: command not found\n")
        elif self.flavor == "dash":
            proc.error(f"{proc.shell}: {self.line}: {name}: not found\n")
        else:
            proc.error(f"{proc.shell}: {name}: not found\n")

    def syntax_error(self, proc: Proc, message: str) -> None:
        if self.flavor == "dash":
            proc.error(f"{proc.shell}: {self.line}: {message}\n")
        elif self.flavor == "bash":
            proc.error(f"{proc.shell}: -c: line {self.line}: syntax error near unexpected token\n")
        else:
            proc.error(f"{proc.shell}: {message.replace('Syntax error: ', 'syntax error: ')}\n")

    def cannot_create(self, proc: Proc, path: str, reason: str) -> None:
        if self.flavor == "bash":
            proc.error(f"{proc.shell}: {path}: {reason}\n")
        elif self.flavor == "dash":
            words = {"No such file or directory": "Directory nonexistent"}
            proc.error(f"{proc.shell}: {self.line}: cannot create {path}: {words.get(reason, reason)}\n")
        else:
            words = {"No such file or directory": "nonexistent directory"}
            proc.error(f"{proc.shell}: can't create {path}: {words.get(reason, reason)}\n")

    # entry points
    def run_text(self, text: str, proc: Proc) -> int:
        try:
            tree = parse(text)
        except ShellSyntaxError as exc:
            self.syntax_error(proc, str(exc))
            proc.status = 2
            return 2
        return self.run_sequence(tree, proc)

    def run_sequence(self, seq: Sequence, proc: Proc) -> int:
        for item in seq.items:
            self.run_and_or(item, proc)
        return proc.status

    def run_and_or(self, node: AndOr, proc: Proc) -> int:
        status = self.run_pipeline(node.first, proc)
        for op, pipeline in node.rest:
            if (op == "&&" and status == 0) or (op == "||" and status != 0):
                status = self.run_pipeline(pipeline, proc)
        proc.status = status
        return status

    def run_pipeline(self, node: Pipeline, proc: Proc) -> int:
        if len(node.commands) == 1:
            status = self.run_command(node.commands[0], proc)
        else:
            data: bytes | None = None
            status = 0
            for index, command in enumerate(node.commands):
                last = index == len(node.commands) - 1
                sink = proc.out if last else BufferSink()
                feed = data
                stage = proc.child(out=sink, stdin=(lambda d=feed: d) if feed is not None else proc.stdin,
                                   stdout_tty=proc.stdout_tty if last else False)
                try:
                    status = self.run_command(command, stage)
                except ShellExit as exc:
                    status = exc.code
                data = bytes(sink.data) if not last else None
        if node.negate:
            status = 0 if status else 1
        proc.status = status
        return status

    def _open(self, proc: Proc, redirects: list[Redirect], expander: Expander) -> Proc | None:
        out, err, stdin = proc.out, proc.err, proc.stdin
        tty = proc.stdout_tty
        for redirect in redirects:
            if redirect.op == "2>&1":
                err = out
                continue
            if redirect.op in {">&2", "1>&2"}:
                out = err
                continue
            target = expander.text(redirect.target)
            path = proc.path(target)
            if redirect.op == "<":
                try:
                    content = proc.fs.read(path) if path != "/dev/null" else b""
                except FsError as exc:
                    self.cannot_open(proc, target, exc.message)
                    return None
                stdin = lambda c=content: c  # noqa: E731
                continue
            sink: Sink
            if path == "/dev/null":
                sink = NullSink()
            else:
                try:
                    if redirect.op in {">", "1>", "2>", "&>"}:
                        proc.fs.write(path, b"", proc.now().timestamp())
                    else:
                        proc.fs.write(path, b"", proc.now().timestamp(), append=True)
                except FsError as exc:
                    self.cannot_create(proc, target, exc.message)
                    return None
                sink = FileSink(proc.fs, path, proc.now().timestamp())
            if redirect.op.startswith("2"):
                err = sink
            elif redirect.op == "&>":
                out = err = sink
                tty = False
            else:
                out = sink
                tty = False
        return proc.child(out=out, err=err, stdin=stdin, stdout_tty=tty) if redirects else proc

    def cannot_open(self, proc: Proc, path: str, reason: str) -> None:
        if self.flavor == "dash":
            proc.error(f"{proc.shell}: {self.line}: cannot open {path}: {reason}\n")
        elif self.flavor == "bash":
            proc.error(f"{proc.shell}: {path}: {reason}\n")
        else:
            proc.error(f"{proc.shell}: can't open '{path}': {reason}\n")

    def run_command(self, node: Any, proc: Proc) -> int:
        expander = Expander(self, proc)
        target = self._open(proc, getattr(node, "redirects", []), expander)
        if target is None:
            proc.status = 1 if self.flavor != "dash" else 2
            return proc.status
        if isinstance(node, Simple):
            status = self.run_simple(node, target, Expander(self, target))
        elif isinstance(node, Loop):
            status = self.run_loop(node, target)
        elif isinstance(node, ForLoop):
            status = 0
            words = node.words if node.words is not None else ['"$@"']
            values = [f for w in words for f in Expander(self, target).fields(w)]
            for value in values:
                if node.name in target.env:
                    target.env[node.name] = value
                else:
                    self.locals[node.name] = value
                try:
                    status = self.run_sequence(node.body, target)
                except _Break:
                    break
                except _Continue:
                    continue
        elif isinstance(node, IfElse):
            status = 0
            for condition, body in node.branches:
                if self.run_sequence(condition, target) == 0:
                    status = self.run_sequence(body, target)
                    break
            else:
                status = self.run_sequence(node.otherwise, target) if node.otherwise else 0
        elif isinstance(node, Group):
            if node.subshell:
                child = target.child()
                saved = dict(self.locals)
                try:
                    status = self.run_sequence(node.body, child)
                except ShellExit as exc:
                    status = exc.code
                self.locals = saved
            else:
                status = self.run_sequence(node.body, target)
        else:
            status = 0
        if target is not proc:
            proc.env, proc.cwd = target.env, target.cwd
        proc.status = status
        return status

    def run_loop(self, node: Loop, proc: Proc) -> int:
        status = 0
        trivially_true = (not node.until and len(node.condition.items) == 1
                          and not node.condition.items[0].rest
                          and len(node.condition.items[0].first.commands) == 1
                          and isinstance(node.condition.items[0].first.commands[0], Simple)
                          and node.condition.items[0].first.commands[0].words in (["true"], [":"]))
        for turn in range(LOOP_LIMIT):
            if trivially_true and proc.main and turn >= 1:
                raise Forever()
            result = self.run_sequence(node.condition, proc)
            if (result != 0) != node.until:
                break
            try:
                status = self.run_sequence(node.body, proc)
            except _Break:
                break
            except _Continue:
                continue
        else:
            raise Forever()
        proc.status = status
        return status

    def run_simple(self, node: Simple, proc: Proc, expander: Expander) -> int:
        argv = [f for w in node.words for f in expander.fields(w)]
        assigns = [(a.split("=", 1)[0], expander.text(a.split("=", 1)[1])) for a in node.assigns]
        if not argv:
            for name, value in assigns:
                if name in proc.env:
                    proc.env[name] = value
                else:
                    self.locals[name] = value
            proc.status = 0
            return 0
        if assigns:
            proc = proc.child()
            for name, value in assigns:
                proc.env[name] = value
        from sim.workloads import commands

        status = commands.run(self, proc, argv)
        proc.status = status
        return status
