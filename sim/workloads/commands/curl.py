"""curl, as the curl 7.x builds in the images (and on the hosts) behave: options, the
progress meter, verbose output, and curl's own error messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable
from urllib.parse import urljoin

from sim.net import client as net
from sim.net import tls

SSL_PARAGRAPH_NEW = (
    "More details here: https://curl.haxx.se/docs/sslcerts.html\n\n"
    "curl failed to verify the legitimacy of the server and therefore could not\n"
    "establish a secure connection to it. To learn more about this situation and\n"
    "how to fix it, please visit the web page mentioned above.\n"
)
SSL_PARAGRAPH_OLD = (
    "More details here: http://curl.haxx.se/docs/sslcerts.html\n\n"
    'curl performs SSL certificate verification by default, using a "bundle"\n'
    " of Certificate Authority (CA) public keys (CA certs). If the default\n"
    " bundle file isn't adequate, you can specify an alternate file\n"
    " using the --cacert option.\n"
    "If this HTTPS server uses a certificate signed by a CA represented in\n"
    " the bundle, the certificate verification probably failed due to a\n"
    " problem with the certificate (it might be expired, or the name might\n"
    " not match the domain name in the URL).\n"
    "If you'd like to turn off curl's verification of the certificate, use\n"
    " the -k (or --insecure) option.\n"
)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


@dataclass
class Host:
    """Where curl runs: the network view, files, streams and the clock."""

    client: net.Client
    version: str
    read_file: Callable[[str], bytes]
    write_file: Callable[[str, bytes], None]
    out: Callable[[bytes], None]
    err: Callable[[bytes], None]
    stdout_tty: bool
    now: Callable[[], datetime]


@dataclass
class Options:
    urls: list[str] = field(default_factory=list)
    silent: bool = False
    show_error: bool = False
    location: bool = False
    head: bool = False
    include: bool = False
    insecure: bool = False
    verbose: bool = False
    fail: bool = False
    headers: list[str] = field(default_factory=list)
    output: str | None = None
    remote_name: bool = False
    write_out: str | None = None
    method: str | None = None
    data: bytes | None = None
    cacert: str | None = None
    connect_timeout: float | None = None
    max_time: float | None = None
    user_agent: str | None = None
    resolve: list[str] = field(default_factory=list)


WITH_VALUE = {
    "-H": "headers", "--header": "headers", "-o": "output", "--output": "output",
    "-w": "write_out", "--write-out": "write_out", "-X": "method", "--request": "method",
    "-d": "data", "--data": "data", "--data-raw": "data", "--data-binary": "data",
    "--cacert": "cacert", "--connect-timeout": "connect_timeout", "-m": "max_time",
    "--max-time": "max_time", "-A": "user_agent", "--user-agent": "user_agent",
    "--resolve": "resolve", "-u": None, "--user": None, "-e": None, "--referer": None,
    "--capath": None, "--cert": None, "--key": None, "-x": None, "--proxy": None,
    "--noproxy": None, "--retry": None, "--max-redirs": None, "-b": None, "--cookie": None,
    "-c": None, "--cookie-jar": None, "--interface": None,
}
FLAGS = {
    "-s": "silent", "--silent": "silent", "-S": "show_error", "--show-error": "show_error",
    "-L": "location", "--location": "location", "-I": "head", "--head": "head",
    "-i": "include", "--include": "include", "-k": "insecure", "--insecure": "insecure",
    "-v": "verbose", "--verbose": "verbose", "-f": "fail", "--fail": "fail",
    "-O": "remote_name", "--remote-name": "remote_name",
}
IGNORED = {"--compressed", "-4", "-6", "--http1.1", "--http1.0", "--http2", "-#",
           "--progress-bar", "-N", "--no-buffer", "--tcp-nodelay", "-g", "--globoff", "-q"}


class UsageError(Exception):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def _set(options: Options, name: str | None, value: str) -> None:
    if name is None:
        return
    if name in {"headers", "resolve"}:
        getattr(options, name).append(value)
    elif name in {"connect_timeout", "max_time"}:
        try:
            setattr(options, name, float(value))
        except ValueError:
            flag = "-m" if name == "max_time" else "--connect-timeout"
            raise UsageError(f"curl: option {flag}: expected a proper numerical parameter\n"
                             "curl: try 'curl --help' or 'curl --manual' for more information\n") from None
    elif name == "data":
        options.data = (options.data + b"&" if options.data else b"") + value.encode()
    else:
        setattr(options, name, value)


def parse(argv: list[str]) -> Options:
    options = Options()
    args = argv[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--"):
            key, _, inline = arg.partition("=")
            if key in FLAGS:
                setattr(options, FLAGS[key], True)
            elif key in WITH_VALUE:
                if not inline:
                    if i + 1 >= len(args):
                        raise UsageError(f"curl: option {key}: requires parameter\n"
                                         "curl: try 'curl --help' or 'curl --manual' for more information\n")
                    inline = args[i + 1]
                    i += 1
                _set(options, WITH_VALUE[key], inline)
            elif key == "--url":
                options.urls.append(args[i + 1])
                i += 1
            elif key not in IGNORED:
                raise UsageError(f"curl: option {key}: is unknown\n"
                                 "curl: try 'curl --help' or 'curl --manual' for more information\n")
            i += 1
            continue
        if arg.startswith("-") and len(arg) > 1:
            j = 1
            while j < len(arg):
                flag = "-" + arg[j]
                if flag in FLAGS:
                    setattr(options, FLAGS[flag], True)
                    j += 1
                    continue
                if flag in WITH_VALUE:
                    value = arg[j + 1:]
                    if not value:
                        if i + 1 >= len(args):
                            raise UsageError(f"curl: option {flag}: requires parameter\n"
                                             "curl: try 'curl --help' or 'curl --manual' for more information\n")
                        value = args[i + 1]
                        i += 1
                    _set(options, WITH_VALUE[flag], value)
                    break
                if flag in IGNORED:
                    j += 1
                    continue
                raise UsageError(f"curl: option {arg}: is unknown\n"
                                 "curl: try 'curl --help' or 'curl --manual' for more information\n")
            i += 1
            continue
        options.urls.append(arg)
        i += 1
    return options


def _max5(value: int) -> str:
    if value < 100000:
        return f"{value:5d}"
    if value < 10000 * 1024:
        return f"{value // 1024:4d}k"
    if value < 100 * 1024 * 1024:
        return f"{value // (1024 * 1024):2d}.{(value % (1024 * 1024)) * 10 // (1024 * 1024)}M"
    return f"{value // (1024 * 1024):4d}M"


METER_HEAD = ("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
              "                                 Dload  Upload   Total   Spent    Left  Speed\n")


def _meter_line(total: int, received: int) -> str:
    """One line of curl's progress meter (lib/progress.c), for a transfer taking 1 ms."""
    percent = 100 if total and received >= total else 0
    speed = received * 1000
    return (f"{percent:3d} {_max5(total)}  {percent:3d} {_max5(received)}  {0:3d} {_max5(0)}  "
            f"{_max5(speed)}  {_max5(0)} --:--:-- --:--:-- --:--:-- {_max5(speed)}")


class Curl:
    def __init__(self, host: Host, options: Options):
        self.host, self.options = host, options
        self.new = _version_tuple(host.version) >= (7, 52)
        self.newest = _version_tuple(host.version) >= (7, 75)
        self.meter = not options.silent and (options.output is not None or options.remote_name
                                             or not host.stdout_tty)
        self.meter_started = False

    # output helpers
    def err(self, text: str) -> None:
        self.host.err(text.encode())

    def fail(self, code: int, message: str, extra: str = "") -> int:
        if self.meter_started and self.meter:
            self.err("\n" if self.newest else "")
        if not self.options.silent or self.options.show_error:
            self.err(f"curl: ({code}) {message}\n" + extra)
        return code

    def start_meter(self) -> None:
        if self.meter and not self.meter_started:
            self.err(METER_HEAD + "\r" + _meter_line(0, 0))
            self.meter_started = True

    def finish_meter(self, total: int, received: int) -> None:
        if self.meter:
            self.err("\r" + _meter_line(total, received) + "\n")
            self.meter_started = False

    # messages
    def connect_failure(self, kind: str, host: str, ip: str, port: int) -> int:
        timeout = self.options.connect_timeout or self.options.max_time
        if kind == "timeout" and timeout:
            ms = int(timeout * 1000) + 1
            if self.newest:
                return self.fail(28, f"Failed to connect to {host} port {port} after {ms} ms: Timeout was reached")
            return self.fail(28, f"Connection timed out after {ms} milliseconds")
        if not self.new and _version_tuple(self.host.version) < (7, 21):
            return self.fail(7, "couldn't connect to host")
        reason = "Connection refused" if kind == "refused" else "Connection timed out"
        if self.newest:
            ms = 0 if kind == "refused" else 129000
            return self.fail(7, f"Failed to connect to {host} port {port} after {ms} ms: Couldn't connect to server")
        return self.fail(7, f"Failed to connect to {host} port {port}: {reason}")

    def resolve_failure(self, host: str) -> int:
        if _version_tuple(self.host.version) < (7, 21):
            return self.fail(6, f"Couldn't resolve host '{host}'")
        return self.fail(6, f"Could not resolve host: {host}")

    def verify_failure(self, problem: tls.Failure, host: str) -> int:
        paragraph = SSL_PARAGRAPH_NEW if self.new else SSL_PARAGRAPH_OLD
        if problem.kind == "name-mismatch":
            if self.new:
                return self.fail(60, f"SSL: no alternative certificate subject name matches target host name '{host}'",
                                 paragraph)
            return self.fail(51, f"SSL: no alternative certificate subject name matches target host name '{host}'")
        if problem.kind == "cn-mismatch":
            message = f"SSL: certificate subject name '{problem.detail}' does not match target host name '{host}'"
            return self.fail(60, message, paragraph) if self.new else self.fail(51, message)
        words = {
            "self-signed": "self signed certificate",
            "self-signed-in-chain": "self signed certificate in certificate chain",
            "unknown-issuer": "unable to get local issuer certificate",
            "expired": "certificate has expired",
            "not-yet-valid": "certificate is not yet valid",
        }[problem.kind]
        return self.fail(60, f"SSL certificate problem: {words}", paragraph)

    # the transfer
    def request_headers(self, url: net.Url) -> list[tuple[str, str]]:
        headers: list[tuple[str, str]] = [("Host", url.host_header),
                                          ("User-Agent", self.options.user_agent or f"curl/{self.host.version}"),
                                          ("Accept", "*/*")]
        for raw in self.options.headers:
            name, _, value = raw.partition(":")
            value = value.strip()
            headers = [(k, v) for k, v in headers if k.lower() != name.strip().lower()]
            if value or raw.rstrip().endswith(";"):
                headers.append((name.strip(), value))
        if self.options.data is not None:
            headers.append(("Content-Length", str(len(self.options.data))))
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        order = {"host": 0, "user-agent": 1, "accept": 2}
        return sorted(headers, key=lambda h: order.get(h[0].lower(), 3))

    def anchors(self) -> list[Any] | None | int:
        if self.options.cacert is None:
            return None
        try:
            pem = self.host.read_file(self.options.cacert)
        except (OSError, Exception):
            return self.fail(77, "error setting certificate verify locations:\n"
                                 f"  CAfile: {self.options.cacert}\n  CApath: none")
        chain = tls.load_chain(pem)
        return chain

    def one(self, url_text: str) -> int:
        options = self.options
        try:
            url = net.parse_url(url_text)
        except net.UrlError as exc:
            if str(exc) not in {"port", ""}:
                scheme = url_text.split("://", 1)[0]
                return self.fail(1, f'Protocol "{scheme}" not supported or disabled in libcurl')
            return self.fail(3, "URL using bad/illegal format or missing URL")
        if not url.host:
            return self.fail(3, "URL using bad/illegal format or missing URL" if self.new
                             else f"<url> malformed")
        anchors = self.anchors()
        if isinstance(anchors, int):
            return anchors
        method = options.method or ("HEAD" if options.head else "POST" if options.data is not None else "GET")
        self.start_meter()
        for _ in range(50):
            pinned = self._pinned(url)
            ips = [pinned] if pinned else self.host.client.resolve(url.host)
            if not ips:
                return self.resolve_failure(url.host)
            if options.verbose:
                self.err(f"*   Trying {ips[0]}...\n" + ("* TCP_NODELAY set\n" if self.new else ""))
            headers = self.request_headers(url)
            result = net.exchange(self.host.client, url, method, headers, options.data or b"",
                                  anchors, options.insecure, ip=ips[0])
            if result.failure is not None and result.failure.kind in {"refused", "timeout"}:
                if options.verbose:
                    self.err(f"* connect to {ips[0]} port {url.port} failed: "
                             f"{'Connection refused' if result.failure.kind == 'refused' else 'Connection timed out'}\n")
                return self.connect_failure(result.failure.kind, url.host, ips[0], url.port)
            if options.verbose:
                self.err(f"* Connected to {url.host} ({ips[0]}) port {url.port} (#0)\n")
                if url.scheme == "https" and result.chain:
                    self._verbose_tls(result.chain[0], url.host)
            if result.failure is not None:
                kind = result.failure.kind
                if kind == "tls-plain":
                    if self.newest:
                        return self.fail(35, "OpenSSL/3.0.15: error:0A00010B:SSL routines::wrong version number")
                    return self.fail(35, "error:1408F10B:SSL routines:ssl3_get_record:wrong version number"
                                     if self.new else "Unknown SSL protocol error in connection to "
                                     f"{url.host}:{url.port} ")
                if kind == "tls-verify":
                    return self.verify_failure(result.failure.detail, url.host)
                return self.fail(52, "Empty reply from server")
            response = result.response
            if options.verbose:
                self.err(f"> {method} {url.target} HTTP/1.1\n")
                for name, value in headers:
                    self.err(f"> {name}: {value}\n")
                self.err(">\n" if not self.new else "> \n")
                self.err(f"< {response.version} {response.status} {response.reason_phrase}\n")
                for name, value in response.headers:
                    self.err(f"< {name}: {value}\n")
                self.err("< \n")
            location = response.header("Location")
            if options.location and location and 300 <= response.status < 400:
                if options.head or options.include:
                    self._headers_out(response)
                url = net.parse_url(urljoin(f"{url.scheme}://{url.host_header}{url.target}", location))
                if response.status in {301, 302, 303} and method == "POST":
                    method = "GET"
                continue
            return self.deliver(url, response, method, ips[0])
        return self.fail(47, "Maximum (50) redirects followed")

    def _pinned(self, url: net.Url) -> str | None:
        for entry in self.options.resolve:
            parts = entry.split(":")
            if len(parts) >= 3 and parts[0] == url.host and parts[1] == str(url.port):
                return parts[2]
        return None

    def _verbose_tls(self, cert: Any, host: str) -> None:
        subject = "; ".join(f"{a.oid._name}={a.value}" for a in cert.subject)
        issuer = "; ".join(f"{a.oid._name}={a.value}" for a in cert.issuer)
        self.err("* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384\n* Server certificate:\n"
                 f"*  subject: {subject.replace('commonName', 'CN').replace('organizationName', 'O')}\n"
                 f"*  start date: {cert.not_valid_before_utc.strftime('%b %e %H:%M:%S %Y GMT')}\n"
                 f"*  expire date: {cert.not_valid_after_utc.strftime('%b %e %H:%M:%S %Y GMT')}\n"
                 f"*  issuer: {issuer.replace('commonName', 'CN').replace('organizationName', 'O')}\n"
                 + ("*  SSL certificate verify ok.\n" if not self.options.insecure else
                    "*  SSL certificate verify result: self signed certificate (18), continuing anyway.\n"))

    def _headers_out(self, response: Any) -> None:
        text = f"{response.version} {response.status} {response.reason_phrase}\r\n"
        text += "".join(f"{k}: {v}\r\n" for k, v in response.headers) + "\r\n"
        self._emit(text.encode())

    def _emit(self, data: bytes) -> None:
        if self.options.output is not None and self.options.output != "-":
            self.host.write_file(self.options.output, data)
        else:
            self.host.out(data)

    def deliver(self, url: net.Url, response: Any, method: str, ip: str) -> int:
        options = self.options
        if options.fail and response.status >= 400:
            return self.fail(22, f"The requested URL returned error: {response.status}"
                             + (f" {response.reason_phrase}"
                                if (7, 21) <= _version_tuple(self.host.version) < (7, 76) else ""))
        body = response.body if method != "HEAD" else b""
        payload = b""
        if options.head or options.include:
            payload += (f"{response.version} {response.status} {response.reason_phrase}\r\n"
                        + "".join(f"{k}: {v}\r\n" for k, v in response.headers) + "\r\n").encode()
        payload += body
        target = options.output
        if options.remote_name:
            target = url.target.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or None
            if target is None:
                return self.fail(23, "Remote file name has no length!")
        if target is not None and target != "-":
            try:
                self.host.write_file(target, payload)
            except Exception as exc:  # the file system's own refusal, reported as curl does
                reason = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
                self.err(f"Warning: Failed to create the file {target}: {reason}\n")
                return self.fail(23, f"Failed writing body (0 != {len(payload)})")
        else:
            self.host.out(payload)
        length = int(response.header("Content-Length") or len(body))
        self.finish_meter(length, len(body))
        if options.verbose:
            self.err(f"* Connection #0 to host {url.host} left intact\n")
        if options.write_out is not None:
            self.host.out(self._write_out(url, response, ip, len(body)).encode())
        return 0

    def _write_out(self, url: net.Url, response: Any, ip: str, size: int) -> str:
        values = {
            "http_code": f"{response.status:03d}", "response_code": f"{response.status:03d}",
            "url_effective": f"{url.scheme}://{url.host_header}{url.target}",
            "remote_ip": ip, "remote_port": str(url.port), "size_download": str(size),
            "content_type": response.header("Content-Type") or "", "time_total": "0.001000",
            "time_connect": "0.000500", "num_redirects": "0", "scheme": url.scheme.upper(),
        }
        text = self.options.write_out or ""
        out, i = "", 0
        while i < len(text):
            if text.startswith("%{", i):
                end = text.find("}", i)
                out += values.get(text[i + 2:end], "")
                i = end + 1
            elif text.startswith("\\n", i):
                out += "\n"
                i += 2
            elif text.startswith("\\t", i):
                out += "\t"
                i += 2
            else:
                out += text[i]
                i += 1
        return out


def run_curl(host: Host, argv: list[str]) -> int:
    try:
        options = parse(argv)
    except UsageError as exc:
        host.err(str(exc).encode())
        return exc.code
    if not options.urls:
        host.err(b"curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n")
        return 2
    code = 0
    for url in options.urls:
        code = Curl(host, options).one(url)
    return code


def curl(proc: Any, argv: list[str]) -> int:
    """curl inside a container."""
    from sim.workloads.fs import FileSystem

    def read_file(path: str) -> bytes:
        return proc.fs.read(FileSystem.norm(path, proc.cwd))

    def write_file(path: str, data: bytes) -> None:
        proc.fs.write(FileSystem.norm(path, proc.cwd), data, proc.now().timestamp())

    host = Host(proc.client(), proc.image.curl_version,
                read_file, write_file, proc.write, proc.error, proc.stdout_tty, proc.now)
    return run_curl(host, argv)


PROGRAMS = {"curl": curl}
