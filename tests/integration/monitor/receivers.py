"""Real endpoints on loopback that alert channels post to, for the tests.

``Receiver`` is an HTTP server in a thread standing in for a webhook, Slack, a
DingTalk / Feishu / WeCom robot: it checks the robots' signatures the way those
services document (and refuses a bad one with their error codes), records every
request, and can be told to answer 500 or to hang for a while.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class Receiver:
    secret: str = ""
    requests: list[Request] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)  # path -> requests to answer 500
    hang: dict[str, float] = field(default_factory=dict)  # path -> seconds to wait first

    def start(self) -> str:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                url = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw or b"null")
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                receiver.requests.append(Request(url.path, query, body))
                time.sleep(receiver.hang.get(url.path, 0))
                if receiver.fail.get(url.path, 0) > 0:
                    receiver.fail[url.path] -= 1
                    return self._answer(500, {"error": "try later"})
                self._answer(200, receiver.check(url.path, query, body))

            def _answer(self, status: int, data: dict[str, Any]) -> None:
                out = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except BrokenPipeError:
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def check(self, path: str, query: dict[str, str], body: Any) -> dict[str, Any]:
        """What the real service would answer (robots: 200 with an error code)."""
        if path.startswith("/dingtalk"):
            ts = query.get("timestamp", "")
            mac = hmac.new(self.secret.encode(), f"{ts}\n{self.secret}".encode(), hashlib.sha256)
            ok = query.get("sign") == base64.b64encode(mac.digest()).decode()
            if not ok or abs(time.time() * 1000 - int(ts or 0)) > 3_600_000:
                return {"errcode": 310000, "errmsg": "sign not match"}
            return {"errcode": 0, "errmsg": "ok"}
        if path.startswith("/feishu"):
            ts = body.get("timestamp", "")
            mac = hmac.new(f"{ts}\n{self.secret}".encode(), b"", hashlib.sha256)
            if body.get("sign") != base64.b64encode(mac.digest()).decode():
                return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}
            return {"code": 0, "msg": "success"}
        if path.startswith("/wecom"):
            return {"errcode": 0, "errmsg": "ok"}
        return {"ok": True}
