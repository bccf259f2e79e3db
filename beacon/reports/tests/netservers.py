"""Real network servers on loopback for the hosting and liveness tests: a UDP DNS server answering
from a dict zone, a scripted HTTP server, and a forward proxy. Only reserved names (*.test,
example.org) and documentation or loopback addresses."""

import http.client
import http.server
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

# --- DNS --------------------------------------------------------------------------------------


class DnsServer:
    """Answers from `zone`: {name: {"CNAME": target} or {"A": [...], "AAAA": [...]}}. A name that is
    not in the zone is NXDOMAIN; a name under `silent` gets no answer at all (a timeout)."""

    def __init__(self, zone: dict[str, dict], silent: tuple[str, ...] = ()):
        self.zone = {name.rstrip(".").lower(): records for name, records in zone.items()}
        self.silent = silent
        self.queries: list[tuple[str, str]] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, client = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            query = dns.message.from_wire(wire)
            question = query.question[0]
            name = question.name.to_text(omit_final_dot=True).lower()
            rdtype = dns.rdatatype.to_text(question.rdtype)
            self.queries.append((name, rdtype))
            if any(name == s or name.endswith("." + s) for s in self.silent):
                continue
            self.sock.sendto(self._answer(query, name, rdtype).to_wire(), client)

    def _answer(self, query: dns.message.Message, name: str, rdtype: str) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.RA
        records = self.zone.get(name)
        if records is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response
        if "CNAME" in records:
            # Like an authoritative server: the alias only, the client follows it.
            response.answer.append(
                dns.rrset.from_text(
                    question_name(query), 60, "IN", "CNAME", records["CNAME"].rstrip(".") + "."
                )
            )
            return response
        values = records.get(rdtype, [])
        if values:
            response.answer.append(
                dns.rrset.from_text_list(question_name(query), 60, "IN", rdtype, values)
            )
        return response

    def __enter__(self) -> "DnsServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def question_name(query: dns.message.Message) -> dns.name.Name:
    return query.question[0].name


# --- HTTP -------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class ScriptedServer(http.server.ThreadingHTTPServer):
    """Answers each path from a script: a list of answers used in turn (the last one repeats)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ScriptedHandler)
        self.script: dict[str, list[Answer]] = {}
        self.seen: list[Seen] = []
        self.no_head: set[str] = set()
        self.port = self.server_address[1]

    def answer(self, path: str, *answers: Answer, head_allowed: bool = True) -> None:
        self.script[path] = list(answers)
        if not head_allowed:
            self.no_head.add(path)

    def next_answer(self, method: str, path: str) -> Answer:
        if method == "HEAD" and path in self.no_head:
            return Answer(405, {"Allow": "GET"})
        answers = self.script.get(path)
        if not answers:
            return Answer(404)
        return answers.pop(0) if len(answers) > 1 else answers[0]


class _ScriptedHandler(http.server.BaseHTTPRequestHandler):
    server: ScriptedServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass

    def _respond(self) -> None:
        self.server.seen.append(Seen(self.command, self.path, dict(self.headers.items())))
        answer = self.server.next_answer(self.command, self.path)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and answer.body:
            # The checker closes without reading: what it is meant to do.
            with suppress(OSError):
                self.wfile.write(answer.body)
        self.close_connection = True

    do_HEAD = do_GET = _respond


@contextmanager
def scripted_server(tls: tuple[str, str] | None = None) -> Iterator[ScriptedServer]:
    """The server; with `tls` (certificate file, key file) it speaks HTTPS."""
    server = ScriptedServer()
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# --- Forward proxy ----------------------------------------------------------------------------


class ForwardProxy(http.server.ThreadingHTTPServer):
    """A tiny forward proxy: http:// absolute-URI requests and CONNECT tunnels, every name on
    loopback."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.seen: list[Seen] = []
        self.port = self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: ForwardProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass

    def _forward(self) -> None:
        self.server.seen.append(Seen(self.command, self.path, dict(self.headers.items())))
        target = urlsplit(self.path)
        if target.scheme != "http" or target.port is None:
            self.send_error(400)
            return
        upstream = http.client.HTTPConnection("127.0.0.1", target.port, timeout=5)
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-connection"}
        upstream.request(self.command, path, headers=headers)
        response = upstream.getresponse()
        body = response.read() if self.command != "HEAD" else b""
        upstream.close()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in {"connection", "content-length", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if body:
            with suppress(OSError):
                self.wfile.write(body)
        self.close_connection = True

    do_HEAD = do_GET = _forward

    def do_CONNECT(self) -> None:
        """A tunnel to a loopback port (for https URLs): bytes both ways until one side closes."""
        self.server.seen.append(Seen(self.command, self.path, dict(self.headers.items())))
        port = int(self.path.rpartition(":")[2])
        upstream = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.send_response(200, "Connection established")
        self.end_headers()
        sockets = [self.connection, upstream]
        while True:
            readable, _, _ = select.select(sockets, [], [], 5)
            if not readable:
                break
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    upstream.close()
                    self.close_connection = True
                    return
                (upstream if sock is self.connection else self.connection).sendall(data)
        upstream.close()
        self.close_connection = True


@contextmanager
def forward_proxy() -> Iterator[ForwardProxy]:
    proxy = ForwardProxy()
    thread = threading.Thread(target=proxy.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
