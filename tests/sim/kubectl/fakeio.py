"""A ToolIO for tests: captured streams, scripted stdin and editor, a closed flag."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class FakeIO:
    cwd: str = "/"
    env: dict = field(default_factory=dict)
    stdin: bytes = b""
    lines: list[bytes] = field(default_factory=list)
    stdin_is_tty: bool = False
    stdout_is_tty: bool = False
    editor: Callable[[str], str | None] | None = None
    out: list[str] = field(default_factory=list)
    errs: list[str] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    raw: list[bool] = field(default_factory=list)
    is_closed: bool = True

    def write_out(self, data: str | bytes) -> None:
        text = data.decode() if isinstance(data, bytes) else data
        self.out.append(text)
        self.events.append(("out", text))

    def write_err(self, data: str | bytes) -> None:
        text = data.decode() if isinstance(data, bytes) else data
        self.errs.append(text)
        self.events.append(("err", text))

    def read_stdin(self) -> bytes:
        data, self.stdin = self.stdin, b""
        return data

    def read_line(self) -> bytes | None:
        return self.lines.pop(0) if self.lines else None

    def edit(self, text: str, suffix: str) -> str | None:
        self.edited.append(text)
        return self.editor(text) if self.editor else text

    def set_raw(self, on: bool) -> None:
        self.raw.append(on)

    def exec_local(self, argv: list[str]):
        raise SystemExit(f"exec_local {argv}")

    def closed(self) -> bool:
        return self.is_closed

    def wait_closed(self) -> None:
        self.events.append(("wait", ""))

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.errs)
