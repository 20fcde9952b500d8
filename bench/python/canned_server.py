"""A canned-reply HTTP/1.1 server for the benchmark: every request on 127.0.0.1:<port> gets the
same `CheckSmsVerifyCode` answer (`Code: OK`, `VerifyResult: UNKNOWN`), with keep-alive.

An asyncio Protocol with no HTTP library, so that it is much faster than the clients it serves.
It prints `http://127.0.0.1:PORT` and runs until stdin closes.
"""

from __future__ import annotations

import asyncio
import json
import sys

BODY = json.dumps(
    {
        "AccessDeniedDetail": "",
        "Code": "OK",
        "Message": "成功",
        "Model": {"OutId": "", "VerifyResult": "UNKNOWN"},
        "RequestId": "C0FFEE00-0000-4000-8000-000000000001",
        "Success": True,
    },
    ensure_ascii=False,
).encode()
RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/json;charset=utf-8\r\n"
    b"x-acs-request-id: C0FFEE00-0000-4000-8000-000000000001\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY
)


class Canned(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].lower()
            length = 0
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                line_end = head.find(b"\r\n", at + 2)
                length = int(head[at + 17 : line_end if line_end >= 0 else None].strip() or 0)
            if len(self.buf) < end + 4 + length:
                return
            self.buf = self.buf[end + 4 + length :]
            self.transport.write(RESPONSE)  # type: ignore[attr-defined]
            if b"\r\nconnection: close" in head:
                self.transport.close()
                return


async def main() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Canned, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
