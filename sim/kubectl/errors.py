"""The ways a kubectl command fails, each rendered as cmdutil.CheckErr renders it."""

from __future__ import annotations


class KubectlError(Exception):
    """A failure whose complete stderr text is known; exit code 1 as kubectl's default."""

    def __init__(self, text: str, code: int = 1):
        super().__init__(text)
        self.text = text
        self.code = code


class UsageError(Exception):
    """A flag the command line cannot accept (cobra's flag error: '--help' for usage)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def fail(message: str) -> KubectlError:
    """cmdutil.CheckErr of a plain error: prefixed ``error: `` unless it already is."""
    if message.startswith("error: "):
        return KubectlError(message)
    return KubectlError("error: " + message)


def usage(command_path: str, message: str) -> KubectlError:
    """cmdutil.UsageErrorf: the hint names ``-h``, unlike flag errors."""
    return KubectlError(f"error: {message}\nSee '{command_path} -h' for help and examples")


def from_api(err: Exception) -> KubectlError:
    text = getattr(err, "kubectl_text", None)
    if callable(text):
        return KubectlError(text())
    return fail(str(err))


def api_text(err: Exception) -> str:
    text = getattr(err, "kubectl_text", None)
    return text() if callable(text) else "error: " + str(err)


def is_api_error(err: BaseException) -> bool:
    return hasattr(err, "reason") and hasattr(err, "code") and hasattr(err, "kubectl_text")


def api_reason(err: BaseException) -> str:
    return getattr(err, "reason", "")


def with_source(text: str, action: str, source: str | None) -> str:
    """cmdutil.AddSourceToErr: a server error names the file it came from."""
    prefix = "Error from server ("
    if not source or not text.startswith(prefix):
        return text
    reason, _, rest = text[len(prefix):].partition("): ")
    return f'{prefix}{reason}): error when {action} "{source}": {rest}'
