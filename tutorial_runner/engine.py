"""Runs one session of blocks against a live shell and says, block by block, what held.

The body of a transcript is only partly known before it runs: a line after a command is
more input when bash shows its continuation prompt, input to a program when that program
waits at a prompt the line begins with, and expected output otherwise.  So the engine
types a line, looks at how the terminal stopped, and only then decides what the next
documented line is.
"""

from __future__ import annotations

import errno
import os
import shlex
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from tutorial_runner.environment import Environment, SessionEnvironment
from tutorial_runner.match import ELLIPSIS, EMPTY, Bindings, match_output, match_prompt, substitute
from tutorial_runner.model import Block, Session
from tutorial_runner.sandbox import SandboxUnavailable
from tutorial_runner.session import CommandOutput, SessionError, ShellSession
from tutorial_runner.transcript import INTERACTIVE_PROMPT, Line, classify_block

VERIFIED, FAILED, DRIFT, UNEXPECTED, SKIPPED, ERROR = (
    "verified", "failed", "drift", "unexpected-match", "skipped", "error")
GOOD_STATUSES = frozenset({VERIFIED, DRIFT, SKIPPED})


@dataclass
class StepResult:
    """One input (a command with its continuation lines, or one line typed to a program)."""

    line: int                       # document line of the input
    command: str                    # as documented (continuation lines joined by newlines)
    expected: list[str]
    live: list[str]
    ok: bool
    diff: list[str] = field(default_factory=list)
    bindings: dict[str, str] = field(default_factory=dict)
    typed: str = ""                 # what was really typed (bound values substituted)
    state: str = "prompt"           # how the terminal stopped (session.CommandOutput.state)
    exit_status: int | None = None
    note: str = ""                  # why a step failed besides its output: timeout, overflow …
    binary: bool = False            # the output was not UTF-8 (bad bytes shown as U+FFFD)
    prompt: str = "$ "              # shown before .command; "" when .command holds its own prompt


@dataclass
class BlockResult:
    block: Block
    status: str
    message: str = ""
    steps: list[StepResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in GOOD_STATUSES


@dataclass
class SessionResult:
    session: Session
    blocks: list[BlockResult]
    environment: str = ""
    profile: str | None = None
    elapsed: float = 0.0
    cached: bool = False

    @property
    def ok(self) -> bool:
        return all(block.ok for block in self.blocks)

    @property
    def failures(self) -> list[BlockResult]:
        return [block for block in self.blocks if not block.ok]


Progress = Callable[[Session, BlockResult, int, int], None]


class Hooks:
    """Lets a caller watch (and take part in) a run as it happens: ``tutorial-runner play``."""

    def block_started(self, block: Block) -> None:
        """Before each block, skipped ones included."""

    def before_input(self, block: Block, documented: str, typed: str, shell: ShellSession) -> None:
        """Before an input is typed; ``shell`` may be used to run other commands first."""

    def step_done(self, block: Block, step: StepResult) -> None:
        """After an input's output was matched."""


class _HookRaised(Exception):
    """An exception raised by the caller's hooks: passed on to the caller unchanged."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


class _SessionOver(Exception):
    """The shell is gone: the remaining blocks cannot run."""


def run_session(
    session: Session,
    environment: Environment,
    sandbox: str = "auto",
    cache: Any | None = None,
    progress: Progress | None = None,
    hooks: Hooks | None = None,
    kubectl: str | None = None,
    default_kubectl: str | None = None,
    default_profile: str | None = None,
    clock: str = "virtual",
) -> SessionResult:
    """Every block of ``session`` run in order in one fresh shell and environment.

    The session's kubectl: ``kubectl`` (the command line's ``--kubectl``) if given, else the
    session's own ``:kubectl:``, else ``default_kubectl`` (conf.py), else the environment's.
    Its cluster profile: the session's ``:cluster:``, else ``default_profile`` (the command
    line's ``--profile``), else the environment's default.

    ``clock``: ``"virtual"`` when nobody watches the run, ``"real"`` when a person follows it
    (``play``); the session's shell has it as ``TUTORIAL_RUNNER_TIME`` (see environment.py)."""
    profile = session.cluster or default_profile
    client = kubectl or session.kubectl or default_kubectl
    key = None
    if hooks is not None:
        cache = None
    if cache is not None:
        key = cache.key(session, environment, profile, client)
        hit = cache.load(key, session)
        if hit is not None:
            if progress is not None:
                for index, block_result in enumerate(hit.blocks):
                    progress(session, block_result, index + 1, len(hit.blocks))
            return hit
    started = time.monotonic()
    runner = _Runner(session, progress, hooks or Hooks())
    try:
        runner.run(environment, profile, sandbox, client, clock)
    finally:
        try:
            runner.close()
        except Exception:  # teardown trouble must not hide the results
            pass
    result = SessionResult(session, runner.results, environment.name, profile,
                           time.monotonic() - started)
    if cache is not None and key is not None and all(b.status != ERROR for b in result.blocks):
        cache.store(key, result)
    return result


class _Runner:
    def __init__(self, session: Session, progress: Progress | None, hooks: Hooks):
        self.session = session
        self.hooks = hooks
        self.progress = progress
        self.results: list[BlockResult] = []
        self.shell: ShellSession | None = None
        self.env = SessionEnvironment()
        self.bindings: Bindings = EMPTY
        self.prompt: str | None = None   # an interactive program waits at this prompt
        self.lines: dict[int, list[Line]] = {}
        self._partial_steps: list[StepResult] = []

    # -- the session ---------------------------------------------------------------------

    def run(self, environment: Environment, profile: str | None, sandbox: str,
            kubectl: str | None = None, clock: str = "virtual") -> None:
        blocks = self.session.blocks
        try:
            self.shell = ShellSession(sandbox=sandbox, clock=clock)
            # asked for only when chosen, so an environment without the option still works
            chosen = {"kubectl": kubectl} if kubectl else {}
            try:
                self.env = environment.prepare(self.shell.workdir, self.shell.statedir, profile,
                                               **chosen)
            except TypeError as error:
                if not chosen or "kubectl" not in str(error):
                    raise
                raise ValueError(f"the {environment.name} environment cannot run another "
                                 f"kubectl ({kubectl})") from None
            self.shell.start(self.env)
        except (SandboxUnavailable, SessionError, LookupError, ValueError, OSError) as error:
            self._give_up(0, f"the session could not start: {error}")
            return
        except Exception as error:  # an environment's own failure: report it, go on
            self._give_up(0, f"the environment failed to start: {type(error).__name__}: {error}")
            return
        prompts = list(self.env.input_prompts)
        for index, block in enumerate(blocks):
            if block.kind == "transcript":
                self.lines[index] = classify_block(block, prompts)
        for index, block in enumerate(blocks):
            self.hooks.block_started(block)
            try:
                result = self._run_block(index, block)
            except _SessionOver as over:
                self._add(BlockResult(block, ERROR, str(over), self._partial_steps))
                self._give_up(index + 1, f"not run: {over}")
                return
            except _HookRaised as raised:  # the caller's own exception (play's quit): theirs
                raise raised.error from None
            except Exception as error:  # a session failure is a result, never a crash
                message = f"the session failed: {type(error).__name__}: {error}"
                self._add(BlockResult(block, ERROR, message, self._partial_steps))
                self._give_up(index + 1, f"not run: {message}")
                return
            self._add(result)

    @staticmethod
    def _hook(method: Callable[..., None], *args: Any) -> None:
        try:
            method(*args)
        except Exception as error:
            raise _HookRaised(error) from error

    def close(self) -> None:
        if self.shell is not None:
            self.shell.close()

    def _add(self, result: BlockResult) -> None:
        self.results.append(result)
        if self.progress is not None:
            self.progress(self.session, result, len(self.results), len(self.session.blocks))

    def _give_up(self, start: int, message: str) -> None:
        for block in self.session.blocks[start:]:
            if block.options.skip is not None:
                self._add(BlockResult(block, SKIPPED, block.options.skip))
            else:
                self._add(BlockResult(block, ERROR, message))

    # -- blocks --------------------------------------------------------------------------

    def _run_block(self, index: int, block: Block) -> BlockResult:
        self._partial_steps: list[StepResult] = []
        if block.options.skip is not None:
            return BlockResult(block, SKIPPED, block.options.skip)
        if block.kind == "file":
            return self._write_file(block)
        steps = self._run_transcript(index, block)
        matched = all(step.ok for step in steps)
        if block.options.expect_drift is not None:
            status = UNEXPECTED if matched else DRIFT
            message = (f"expected to drift ({block.options.expect_drift}) but it matched"
                       if matched else block.options.expect_drift)
            return BlockResult(block, status, message, steps)
        return BlockResult(block, VERIFIED if matched else FAILED, "", steps)

    def _write_file(self, block: Block) -> BlockResult:
        assert self.shell is not None
        name = block.filename or ""
        parts = _safe_parts(name)
        if parts is None:
            return BlockResult(block, ERROR, f"unsafe file name {name!r}: "
                                             "a relative path inside the working directory is needed")
        try:
            write_inside(self.shell.workdir, parts, (block.text + "\n").encode("utf-8"))
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR, errno.EEXIST):
                return BlockResult(block, ERROR, f"unsafe file name {name!r}: a symbolic link "
                                                 "or a file is in the way inside the working directory")
            return BlockResult(block, ERROR, f"cannot write {name}: {error.strerror or error}")
        return BlockResult(block, VERIFIED, f"wrote {name}")

    def _run_transcript(self, index: int, block: Block) -> list[StepResult]:
        lines = self.lines[index]
        steps = self._partial_steps
        k = 0
        while k < len(lines):
            line = lines[k]
            if line.kind == "comment":
                k += 1
                continue
            if line.kind == "command":
                typed = substitute(line.content, self.bindings, block.options.vars)
                k = self._step(index, block, k, line, line.content, typed, interactive=False)
            elif line.kind == "prompted":
                prefix = self.env.input_prompts[line.prompt]
                body = substitute(line.content, self.bindings, block.options.vars)
                typed = shlex.join(prefix) + " " + shlex.quote(body)
                k = self._step(index, block, k, line, line.text, typed, interactive=False)
            else:
                at_prompt = self._program_prompt(line.text, block)
                other_prompt = INTERACTIVE_PROMPT.match(line.text) if self.prompt else None
                if at_prompt is not None:
                    self.bindings, rest = at_prompt
                    wrong = ""
                elif other_prompt is not None:
                    # A program waits, at a prompt other than the documented one: type the
                    # input all the same, so that the rest of the session stays in step.
                    rest = line.text[other_prompt.end():]
                    wrong = f"the program's prompt is {self.prompt.rstrip()!r}, not {other_prompt.group().rstrip()!r}"
                else:
                    k = self._orphan_output(index, block, k)
                    continue
                typed = substitute(rest, self.bindings, block.options.vars)
                k = self._step(index, block, k, line, line.text, typed, interactive=True, wrong=wrong)
        return steps

    def _program_prompt(self, text: str, block: Block) -> tuple[Bindings, str] | None:
        if self.prompt is None:
            return None
        return match_prompt(text, self.prompt, self.bindings, block.options.vars)

    def _orphan_output(self, index: int, block: Block, k: int) -> int:
        """Output documented where nothing was typed: it can only be wrong."""
        lines = self.lines[index]
        end = self._output_end(lines, k + 1)
        expected = [line.text for line in lines[k:end]]
        result = match_output(expected, [], self.bindings, vars=block.options.vars)
        self._partial_steps.append(StepResult(
            lines[k].number, "", expected, [], result.ok, result.diff,
            self.bindings.as_dict(), note="" if result.ok else "output documented where no input was typed",
            prompt=""))
        return end

    @staticmethod
    def _output_end(lines: list[Line], k: int) -> int:
        while k < len(lines) and lines[k].kind in ("other", "ellipsis"):
            k += 1
        return k

    # -- one input -----------------------------------------------------------------------

    def _step(self, index: int, block: Block, k: int, line: Line, documented: str, typed: str,
              interactive: bool, wrong: str = "") -> int:
        """Type one input (and its continuation lines); match its output; return the next k."""
        assert self.shell is not None
        lines = self.lines[index]
        options = block.options
        cursor = {"k": k + 1, "prompt_at": None}

        def is_prompt(partial: str) -> bool:
            candidates = list(self._prompt_candidates(index, cursor["k"]))
            for at, text in candidates:
                if match_prompt(text, partial, self.bindings, options.vars) is not None:
                    cursor["prompt_at"] = at
                    return True
            # A prompt of another shape than documented (a generated pod name that is
            # now a plain one, say) still means the program waits for the next input line.
            if INTERACTIVE_PROMPT.match(partial):
                for at, text in candidates:
                    if INTERACTIVE_PROMPT.match(text):
                        cursor["prompt_at"] = at
                        return True
            return False

        documented_parts, typed_parts = [documented], [typed]
        self._hook(self.hooks.before_input, block, documented, typed, self.shell)
        try:
            if interactive:
                out = self.shell.send_input(typed, options.timeout, is_prompt)
            else:
                out = self.shell.run(typed, options.timeout, is_prompt)
            texts = [out.text]
            binary = out.binary
            note = ""
            while out.state == "continuation":
                more = cursor["k"]
                if more < len(lines) and lines[more].kind in ("other", "ellipsis"):
                    text = lines[more].text
                    text = text[2:] if text.startswith("> ") else text
                    documented_parts.append(text)
                    typed_parts.append(substitute(text, self.bindings, options.vars))
                    cursor["k"] = more + 1
                    out = self.shell.send_input(typed_parts[-1], options.timeout, is_prompt,
                                                strip_echo=False)
                    texts.append(out.text)
                    binary = binary or out.binary
                else:
                    note = "the shell wanted more input than the transcript gives"
                    back = self.shell.interrupt()
                    if back.state != "prompt":
                        raise _SessionOver(f"the shell did not come back after {line.number}")
                    out = CommandOutput("", back.exit_status, "prompt")
                    break
        except SessionError as error:
            raise _SessionOver(f"the shell ended before line {line.number}: {error}") from error

        live_text = "".join(texts)
        live = live_text[:-1].split("\n") if live_text.endswith("\n") else (
            live_text.split("\n") if live_text else [])
        next_k = cursor["k"]
        if out.state == "interactive" and cursor["prompt_at"] is not None:
            at_block, at_line = cursor["prompt_at"]
            end = at_line if at_block == index else self._output_end(lines, next_k)
            self.prompt = out.prompt
        else:
            end = self._output_end(lines, next_k)
            self.prompt = None
        expected = [entry.text for entry in lines[next_k:end]]
        result = match_output(expected, live, self.bindings, vars=options.vars,
                              unordered=options.unordered, exact_whitespace=options.exact_whitespace)
        self.bindings = result.bindings
        state_note = {
            "timeout": f"timed out after {options.timeout:g} s",
            "overflow": f"output over {self.shell.output_limit} bytes: stopped",
            "exited": "the shell exited",
            "waiting": _waiting_note(out),
        }.get(out.state, "")
        hidden = "" if note or state_note or wrong else _hidden_failure(expected, out, options)
        note = note or state_note or wrong or hidden
        diff = list(result.diff)
        if state_note and result.ok:
            diff = [f"! {state_note}"]
        if out.state == "waiting" and result.ok and live:
            # the screen as it stood, the prompt nobody answered included
            diff = ["--- expected", "+++ live"] + [f" {text}" for text in live]
        if hidden and result.ok:
            # what the ... stood for: the screen, where the error shows
            diff = ["--- expected", "+++ live", " " + ELLIPSIS] + [" " + text for text in live]
        if binary and not result.ok:
            note = note or "the output is not UTF-8 (shown with U+FFFD)"
        step = StepResult(
            line.number, "\n".join(documented_parts), expected, live, result.ok and not note,
            diff, self.bindings.as_dict(), "\n".join(typed_parts), out.state, out.exit_status, note,
            binary, "$ " if line.kind == "command" else "")
        self._partial_steps.append(step)
        self._hook(self.hooks.step_done, block, step)
        if out.state == "exited" or (out.state in ("timeout", "overflow", "waiting")
                                     and not out.recovered):
            raise _SessionOver(f"{state_note} at {block.path}:{line.number}"
                               + ("" if out.state == "exited" else " and did not recover"))
        return end

    def _prompt_candidates(self, index: int, k: int):
        """Documented lines that may begin at a program's prompt: the rest of this output run,
        and the first line of the session's next transcript block."""
        lines = self.lines[index]
        end = self._output_end(lines, k)
        for at in range(k, end):
            if lines[at].kind == "other":
                yield (index, at), lines[at].text
        if any(line.kind != "comment" for line in lines[end:]):
            return
        for later in range(index + 1, len(self.session.blocks)):
            block = self.session.blocks[later]
            if block.kind != "transcript" or block.options.skip is not None:
                continue
            for entry in self.lines.get(later, []):
                if entry.kind == "comment":
                    continue
                if entry.kind == "other":
                    yield (later, entry.index), entry.text
                return
            return


def _waiting_note(out: CommandOutput) -> str:
    """Why a step that waits for the keyboard failed at once, with the line it waits at."""
    lines = out.lines
    screen = lines[-1].rstrip() if lines else ""
    at = f" at {screen!r}" if screen else ""
    return (f"waiting for input{at} that the transcript does not give: {out.waiting} "
            f"reads the terminal (stopped at once, not after the timeout)")


def _hidden_failure(expected: list[str], out: CommandOutput, options: Any) -> str:
    """A command whose documented output is only ``...`` shows nothing that its output could
    contradict: then its exit status is what tells success, unless the page expects an error
    (``:expect-error:``)."""
    shown = [text.strip() for text in expected if text.strip()]
    if (not shown or any(text != ELLIPSIS for text in shown) or options.expect_error
            or out.state != "prompt" or not out.exit_status):
        return ""
    return (f"exited with status {out.exit_status}, and the documented output (only ...) "
            f"shows no error (a page that expects one says :expect-error:)")


def _safe_parts(name: str) -> list[str] | None:
    """The components of ``name``; None for absolute paths, ``..`` and the like."""
    if not name or "\0" in name or "\\" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("..", "") for part in path.parts) or name.endswith("/"):
        return None
    parts = [part for part in path.parts if part != "."]
    return parts or None


_NOFOLLOW_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def write_inside(root: Path, parts: list[str], data: bytes) -> None:
    """Write ``data`` to ``root/parts…`` without following any symbolic link on the way.

    The session's processes may change the working directory while this runs: each
    component is opened relative to its parent's descriptor with O_NOFOLLOW, so a swapped
    in link fails (ELOOP/ENOTDIR) instead of leading outside."""
    fd = os.open(root, _NOFOLLOW_DIR)
    try:
        for part in parts[:-1]:
            try:
                os.mkdir(part, 0o777, dir_fd=fd)
            except FileExistsError:
                pass
            inner = os.open(part, _NOFOLLOW_DIR, dir_fd=fd)
            os.close(fd)
            fd = inner
        out = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_NONBLOCK
                      | os.O_CLOEXEC, 0o666, dir_fd=fd)
        try:
            if not stat.S_ISREG(os.fstat(out).st_mode):
                raise OSError(errno.EEXIST, "not a regular file", parts[-1])
            view = memoryview(data)
            while view:
                view = view[os.write(out, view):]
        finally:
            os.close(out)
    finally:
        os.close(fd)
