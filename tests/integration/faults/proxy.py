"""A fault-injecting HTTP proxy in front of a real Flink REST port.

``FaultProxy(upstream_port)`` listens on a free port of localhost and forwards each
HTTP/1.1 request to Flink on a fresh connection (``Connection: close`` both ways, so a
request is one exchange). A ``Rule`` matches a method and a path (a regular
expression searched in the path) and does one of:

- ``RESET_BEFORE``: reset the client's connection without forwarding (Flink never
  sees the request);
- ``RESET_AFTER``: forward, read Flink's whole answer, then reset the client's
  connection instead of answering (Flink did it; the client never hears);
- ``HOLD``: forward, then hold Flink's answer ``seconds`` before sending it (the client
  times out first when ``seconds`` is longer than its timeout);
- ``LATENCY``: wait ``seconds`` before forwarding, then answer normally;
- ``WATCH``: forward and answer normally, calling ``on_answer(status, body)`` first
  (a test stops a service at the moment Flink reports something).

A rule fires ``times`` times (None: always); ``hits`` counts the times it fired.
Rules are checked in order; the first that matches and still fires wins. ``close()``
stops the listener and every connection thread; the proxy runs in daemon threads of
the test process, so nothing outlives the test.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Action", "FaultProxy", "Rule"]


class Action(StrEnum):
    RESET_BEFORE = "reset-before"
    RESET_AFTER = "reset-after"
    HOLD = "hold"
    LATENCY = "latency"
    WATCH = "watch"


@dataclass
class Rule:
    method: str
    path: str  # a regular expression, searched in the request's path
    action: Action
    seconds: float = 0.0
    times: int | None = 1
    on_answer: Callable[[int, bytes], None] | None = None
    hits: int = 0
    seen: list[str] = field(default_factory=list)  # the paths it fired on

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return method == self.method and re.search(self.path, path) is not None


def _read_message(sock: socket.socket) -> bytes:
    """One HTTP message (head and body by Content-Length or chunked); b"" at EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    if "content-length" in headers:
        want = int(headers["content-length"])
        while len(body) < want:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while not body.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return head + b"\r\n\r\n" + body


def _close_header(message: bytes) -> bytes:
    """``message`` with ``Connection: close`` in place of any Connection header."""
    head, _, body = message.partition(b"\r\n\r\n")
    lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0): the client sees a connection reset."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    finally:
        sock.close()


class FaultProxy:
    def __init__(self, upstream_port: int, rules: list[Rule] | None = None) -> None:
        self.upstream = ("localhost", upstream_port)
        self.rules: list[Rule] = list(rules or [])
        self._server = socket.create_server(("localhost", 0))
        self.port = self._server.getsockname()[1]
        self._closed = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True, name="fault-proxy").start()

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def add(self, rule: Rule) -> Rule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def close(self) -> None:
        self._closed.set()
        self._server.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _rule_for(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.hits += 1
                    rule.seen.append(path)
                    return rule
        return None

    def _serve(self, client: socket.socket) -> None:
        try:
            request = _read_message(client)
            if not request:
                client.close()
                return
            method, path = request.split(b" ", 2)[:2]
            rule = self._rule_for(method.decode(), path.decode().split("?")[0])
            action = rule.action if rule else None
            if action is Action.RESET_BEFORE:
                _reset(client)
                return
            if action is Action.LATENCY and rule is not None:
                time.sleep(rule.seconds)
            answer = self._forward(request)
            if action is Action.RESET_AFTER:
                _reset(client)
                return
            if action is Action.HOLD and rule is not None:
                time.sleep(rule.seconds)
            if action is Action.WATCH and rule is not None and rule.on_answer is not None:
                status = int(answer.split(b" ", 2)[1]) if answer else 0
                rule.on_answer(status, answer.partition(b"\r\n\r\n")[2])
            client.sendall(_close_header(answer))
            client.close()
        except OSError:
            client.close()

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(self.upstream, timeout=120) as upstream:
            upstream.sendall(_close_header(request))
            return _read_message(upstream)
