"""Real receivers on 127.0.0.1 that misbehave on purpose, for the outbox tests.

Each receiver follows a script of behaviours, one per delivery it receives (then "ok"):
  "error"  answers an error (HTTP 500, SMTP 451) without accepting the message;
  "slow"   accepts the message, then stalls past the sender's timeout (the answer is lost);
  "close"  reads the message and closes the connection without answering, accepting nothing;
  "ok"     accepts it, unless its idempotency key was accepted before (then drops the repeat
           and still answers success, as an idempotent receiver does).
`accepted` counts the accepted deliveries per idempotency key; `received` keeps every one.
"""

import asyncio
import email
import hashlib
import hmac
import http.server
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Script:
    behaviours: list[str]
    stall_seconds: float = 2.0
    received: list[dict] = field(default_factory=list)
    accepted: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self, record: dict) -> str:
        with self.lock:
            behaviour = self.behaviours.pop(0) if self.behaviours else "ok"
            record["behaviour"] = behaviour
            self.received.append(record)
            key = record["key"]
            if behaviour == "slow" or (behaviour == "ok" and key not in self.accepted):
                self.accepted[key] += 1
            return behaviour


class HttpReceiver:
    """A webhook endpoint that checks the signature with its own copy of the key."""

    def __init__(
        self,
        behaviours: list[str],
        *,
        signing_key: bytes,
        stall_seconds: float = 2.0,
        on_receive=None,
    ):
        self.script = Script(list(behaviours), stall_seconds)
        self.on_receive = on_receive  # called in the server's thread before it answers
        self.signing_key = signing_key
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                timestamp = self.headers.get("X-Beacon-Timestamp", "")
                expected = hmac.new(
                    receiver.signing_key, timestamp.encode() + b"." + body, hashlib.sha256
                ).hexdigest()
                record = {
                    "key": self.headers.get("Idempotency-Key"),
                    "reference": self.headers.get("X-Beacon-Reference"),
                    "signature_ok": hmac.compare_digest(
                        self.headers.get("X-Beacon-Signature", ""), f"sha256={expected}"
                    ),
                    "content_type": self.headers.get("Content-Type"),
                    "path": self.path,
                    "body": body,
                }
                behaviour = receiver.script.next(record)
                if receiver.on_receive is not None:
                    receiver.on_receive(record)
                if behaviour == "close":
                    self.close_connection = True
                    return  # nothing written: the server closes the socket
                if behaviour == "slow":
                    time.sleep(receiver.script.stall_seconds)
                code = 500 if behaviour == "error" else 200
                try:
                    self.send_response(code)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, format, *args) -> None:  # noqa: A002 - keep test output quiet
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notices?src=beacon"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "HttpReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def received(self) -> list[dict]:
        return self.script.received

    @property
    def accepted(self) -> Counter:
        return self.script.accepted


def _text_body(parsed) -> str:
    for part in parsed.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            return part.get_payload(decode=True).decode()
    return ""


class _SmtpHandler:
    def __init__(self, script: Script, refuse_recipients: bool) -> None:
        self.script = script
        self.refuse_recipients = refuse_recipients

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse_recipients:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        parsed = email.message_from_bytes(envelope.content)
        record = {
            "key": parsed["Message-ID"],
            "reference": parsed["X-Beacon-Reference"],
            "idempotency_key": parsed["X-Beacon-Idempotency-Key"],
            "to": list(envelope.rcpt_tos),
            "subject": parsed["Subject"],
            "body": _text_body(parsed),
            "attachments": [part.get_filename() for part in parsed.walk() if part.get_filename()],
        }
        behaviour = self.script.next(record)
        if behaviour == "error":
            return "451 4.3.0 try again later"
        if behaviour == "close":
            server.transport.close()
            return "250 OK"  # never reaches the sender: the connection is gone
        if behaviour == "slow":
            await asyncio.sleep(self.script.stall_seconds)
        return "250 OK"


class SmtpReceiver:
    """A mail server (aiosmtpd) whose idempotency key is the Message-ID."""

    def __init__(
        self,
        behaviours: list[str],
        *,
        stall_seconds: float = 2.0,
        refuse_recipients: bool = False,
    ):
        self.script = Script(list(behaviours), stall_seconds)
        self.port = free_port()
        self.controller = Controller(
            _SmtpHandler(self.script, refuse_recipients), hostname="127.0.0.1", port=self.port
        )

    def __enter__(self) -> "SmtpReceiver":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[dict]:
        return self.script.received

    @property
    def accepted(self) -> Counter:
        return self.script.accepted
