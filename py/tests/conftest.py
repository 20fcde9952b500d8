"""Shared fixtures. The emulator fixture itself (`smsauth_emulator`) comes from the pytest plugin
that the installed wheel registers — these tests use the package exactly as users get it."""

from __future__ import annotations

import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import smsauth
from smsauth.testing import Emulator

PHONE = "13800138000"
SECRET = "Sup3r-Secret-Value-1234567890abcd"

OK_SEND = {
    "AccessDeniedDetail": "",
    "Code": "OK",
    "Message": "成功",
    "Model": {"BizId": "112233445566^0", "OutId": "", "RequestId": "a1b2c3", "VerifyCode": "4232"},
    "RequestId": "CANNED-0000-0001",
    "Success": True,
}


class Captured:
    """One request as the canned server saw it."""

    def __init__(self, method: str, path: str, query: str, headers: List[Tuple[str, str]], body: bytes) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body


class CannedServer:
    """A loopback HTTP server answering every request with the next queued reply (or OK_SEND),
    recording what it received. For answers the emulator cannot give (HTML, exact bytes)."""

    def __init__(self) -> None:
        self.requests: List[Captured] = []
        self.replies: List[Tuple[int, bytes, Dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                outer.requests.append(Captured(self.command, path, query, list(self.headers.items()), body))
                if outer.replies:
                    status, payload, headers = outer.replies.pop(0)
                else:
                    status, payload, headers = 200, json.dumps(OK_SEND).encode(), {}
                self.send_response(status)
                headers = {"Content-Type": "application/json;charset=utf-8", **headers}
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reply(self, status: int, body: Any, headers: Optional[Dict[str, str]] = None) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.replies.append((status, payload, headers or {}))

    def client(self, **options: Any) -> smsauth.Client:
        options.setdefault("sign_name", "速通互联验证码")
        options.setdefault("template_code", "100001")
        return smsauth.Client("testid", "testsecret", endpoint=self.endpoint, **options)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """An environment where the default credentials chain finds nothing, without network:
    no variables, an empty home (no CLI profile, no credentials file), no ECS metadata."""
    for name in list(os.environ):
        if name.startswith("ALIBABA_CLOUD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")


@pytest.fixture
def canned() -> Iterator[CannedServer]:
    server = CannedServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A port that accepts TCP connections (kernel backlog) but never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


#: The least slack a deadline check allows (seconds). The documented promise is "a call returns
#: within its deadline + 10 %"; a busy 2-core machine running the suites in parallel can delay a
#: thread by a few hundred milliseconds without the code being wrong. The same rule and numbers
#: as core/tests/support/deadline.rs, node/__test__/helpers.mjs and tests/c/harness.h.
SLACK_FLOOR = 0.25


def deadline_limit(deadline: float) -> float:
    """The most a call bounded by `deadline` (seconds) may take: + 10 %, at least + SLACK_FLOOR."""
    return deadline + max(deadline * 0.10, SLACK_FLOOR)


def refused_endpoint() -> str:
    """A loopback URL nothing listens on (the port was free a moment ago): connection refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def closed_endpoint() -> str:
    """A port nothing listens on (connection refused)."""
    return refused_endpoint()


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """An emulator of the test module's own (unlike the shared ``smsauth_emulator``): thousands
    of load-test messages, or a delayed answer still being served, cannot disturb other tests."""
    emulator = Emulator()
    try:
        yield emulator
    finally:
        emulator.stop()


WRONG_CODE = "Zq7Wm3Px"


def send_wrong_check_and_throttled_send(client: Any, emulator: Emulator) -> Tuple[str, str]:
    """The observability scenario: a send, a wrong check, a throttled send (``biz.FREQUENCY``).
    Returns the code sent and the wrong one. With ``code_length=8`` and a wrong code with letters,
    neither can turn up by chance in a request id, a BizId or a port: finding one means it leaked."""
    client.send_code(PHONE)
    code = emulator.last_code(PHONE)
    assert code is not None
    assert not client.check_code(PHONE, WRONG_CODE).passed
    with pytest.raises(smsauth.ThrottledError):
        client.send_code(PHONE)
    return code, WRONG_CODE
