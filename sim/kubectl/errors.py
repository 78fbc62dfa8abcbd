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


class Collected:
    """One of the errors a command that goes on past failures (``apply -f``, ``create -f``)
    returns: ``alone`` as cmdutil.CheckErr prints it when it is the only one, ``among`` as
    MultipleErrors prints it among others (no ``error: `` prefix; an API error as
    StandardErrorMessage gives it, ``Error from server (Reason): message``, even an Invalid
    one that alone prints from its details)."""

    def __init__(self, alone: str, among: str | None = None):
        self.alone = alone
        self.among = alone.removeprefix("error: ") if among is None else among


def collected_api_error(err: Exception, action: str, source: str | None,
                        among_message: str | None = None) -> Collected:
    """A server's error with cmdutil.AddSourceToErr's ``error when ACTION "SOURCE": ``;
    ``among_message`` replaces that whole wrapped message among others (apply's patch)."""
    text = api_text(err)
    wrapped = with_source(text, action, source)
    if text.startswith("Error from server ("):
        return Collected(wrapped)
    message = getattr(err, "message", str(err))
    if among_message is None:
        among_message = f'error when {action} "{source}": {message}' if source else message
    return Collected(text, f"Error from server ({api_reason(err)}): {among_message}")


def builder_errors(texts: list[str]) -> Collected:
    """The resource builder's errors (resource mappings) as one aggregate: alone, one
    prints as itself and several one per line; among others, several print as Go prints
    an aggregate, ``[first, second]``."""
    bare = [t.removeprefix("error: ") for t in texts]
    if len(texts) == 1:
        return Collected(texts[0], bare[0])
    return Collected("\n".join(bare), "[" + ", ".join(bare) + "]")


def report(errors: list[Collected]) -> str:
    """What cmdutil.CheckErr writes for the errors a command returns."""
    if len(errors) == 1:
        return errors[0].alone + "\n"
    return "".join(e.among + "\n" for e in errors)


def multiple_errors(texts: list[str]) -> str:
    """cmdutil.MultipleErrors: each error on its own line, without ``error: `` (get and
    describe return their errors as an aggregate, so even one prints this way)."""
    return "".join(t.removeprefix("error: ") + "\n" for t in texts)
