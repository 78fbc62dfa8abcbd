"""busybox wget: progress bar on stderr, files named after the URL, busybox's messages."""

from __future__ import annotations

from typing import Any

from sim.net import client as net
from sim.workloads.fs import FsError


WITH_VALUE = set("OoPUTYt")        # busybox wget's options that take a value (getopt32)
LONG_VALUE = {"--output-document": "O", "--header": "header", "--timeout": "T",
              "--user-agent": "U", "--output-file": "o", "--directory-prefix": "P"}


def _options(args: list[str]) -> tuple[set[str], dict[str, list[str]], list[str]]:
    """getopt's reading of wget's arguments: ``-qO -``, ``-qO-`` and ``-q -O-`` alike."""
    flags: set[str] = set()
    values: dict[str, list[str]] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i + 1:]
            break
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name in LONG_VALUE:
                if not eq:
                    i += 1
                    value = args[i] if i < len(args) else ""
                values.setdefault(LONG_VALUE[name], []).append(value)
            else:
                flags.add(name)
        elif arg.startswith("-") and len(arg) > 1:
            for index, letter in enumerate(arg[1:], start=1):
                if letter in WITH_VALUE:
                    value = arg[index + 1:]
                    if not value:
                        i += 1
                        value = args[i] if i < len(args) else ""
                    values.setdefault(letter, []).append(value)
                    break
                flags.add(letter)
        else:
            rest.append(arg)
        i += 1
    return flags, values, rest


def wget(proc: Any, argv: list[str]) -> int:
    flags, values, urls = _options(argv[1:])
    quiet = "q" in flags or "--quiet" in flags
    output = values["O"][-1] if "O" in values else None
    headers = values.get("header", [])
    spider = "--spider" in flags
    if not urls:
        proc.error("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n"
                   "Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n")
        return 1
    old = proc.image.family == "busyboxplus"
    client = proc.client()
    status = 0
    for text in urls:
        try:
            url = net.parse_url(text)
        except net.UrlError:
            proc.error(f"wget: not an http or ftp url: {text}\n")
            return 1
        ips = client.resolve(url.host)
        if not ips:
            proc.error(f"wget: bad address '{url.host}'\n")
            return 1
        if not quiet:
            proc.error(f"Connecting to {url.host_header} ({ips[0]}:{url.port})\n")
        request = [("Host", url.host_header), ("User-Agent", "Wget")]
        for raw in headers:
            name, _, value = raw.partition(":")
            request = [(k, v) for k, v in request if k.lower() != name.strip().lower()] + [(name.strip(), value.strip())]
        result = net.exchange(client, url, "GET", request, b"", None, False, ip=ips[0])
        if result.failure is not None:
            kind = result.failure.kind
            if kind == "refused":
                proc.error(f"wget: can't connect to remote host ({ips[0]}): Connection refused\n")
            elif kind == "timeout":
                proc.error("wget: download timed out\n")
            elif kind == "tls-verify":
                proc.error("wget: TLS certificate verification failed\n" if not old else
                           "wget: not an http or ftp url: " + text + "\n")
            else:
                proc.error("wget: error getting response\n")
            return 1
        response = result.response
        if response.status >= 400:
            proc.error(f"wget: server returned error: HTTP/1.1 {response.status} {response.reason_phrase}\n")
            return 1
        if spider:
            continue
        name = output or (url.target.split("?", 1)[0].rsplit("/", 1)[-1] or "index.html")
        size = len(response.body)
        bar = f"{name[:20]:<20} 100% |{'*' * 31 if old else '*' * 32}| {size:>5}  0:00:00 ETA\n"
        if name == "-":
            if not quiet and not old:
                proc.error("writing to stdout\n")
            proc.write(response.body)
            if not quiet:
                proc.error(bar.replace(f"{name[:20]:<20}", f"{'-':<20}") + ("written to stdout\n" if not old else ""))
            continue
        try:
            if proc.fs.exists(proc.path(name)) and output is None:
                proc.error(f"wget: can't open '{name}': File exists\n")
                return 1
            proc.fs.write(proc.path(name), response.body, proc.now().timestamp())
        except FsError as exc:
            proc.error(f"wget: can't open '{name}': {exc.message}\n")
            return 1
        if not quiet:
            if not old:
                proc.error(f"saving to '{name}'\n")
            proc.error(bar + ("" if old else f"'{name}' saved\n"))
    return status


PROGRAMS = {"wget": wget}
