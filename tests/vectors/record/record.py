"""Record the official SDKs' requests for tests/vectors/official-{python,node}.json, and compare.

Usage (tests/interop/run.sh runs the check; both after its SDK install):
    build/venv-official/bin/python tests/vectors/record/record.py [--write]

For every vector in the committed files, the official SDK of that file (the Python one in this
process; the Node one through `node record_node.js`, both at the versions pinned in
tests/interop/) sends the vector's `inputs` — action, keys, STS token, signature version and
business parameters — to a recording server on 127.0.0.1:47911 (the endpoint the vectors were
recorded against: V3 signs the `host` header, so the port is part of every signature). The
SDKs' nonce and timestamp functions are replaced by ones returning the vector's `nonce` and
`timestamp` (the `client_config.patched` entries of each file); nothing else is patched.

What is re-recorded and compared, per vector: `recorded` (method, path, request target, raw and
decoded query, every header in wire order and case, body) and `signature` (taken apart from the
`Authorization` header, or V1's `Signature` parameter); and the file's `sdk` block (the installed
package versions and the runtime's version), and `client_config.endpoint`. Not re-recorded (kept
as committed, and not checked here): `description`, `inputs` (they define the cases),
`sdk_result`, `independent_recomputation` (checked by the core's own tests against the core's
signer), `error_cases`, `documented_examples` and `documented_examples_via_sdk_helpers`.

Without --write: prints one "ok - …" / "not ok - …" line per vector and SDK block and exits
non-zero on any difference (with the first differing field). With --write: rewrites the
re-recorded fields of the committed files instead.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qsl, urlsplit

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent
HOST, PORT = "127.0.0.1", 47911
ENDPOINT = f"{HOST}:{PORT}"
PYTHON_PACKAGES = [
    "alibabacloud-dypnsapi20170525",
    "alibabacloud-tea-openapi",
    "alibabacloud-credentials",
    "alibabacloud-openapi-util",
    "alibabacloud-tea-util",
    "alibabacloud-tea",
    "darabonba-core",
    "requests",
    "urllib3",
]
# A success answer for both actions; the SDKs' result is not part of what is compared.
ANSWER = json.dumps(
    {
        "RequestId": "A1B2C3D4-0000-4000-8000-000000000001",
        "Code": "OK",
        "Message": "成功",
        "Success": True,
        "AccessDeniedDetail": "",
        "Model": {"BizId": "112233445566^0", "OutId": "", "RequestId": "a1b2c3d4e5f6", "VerifyCode": "4232"},
    }
).encode()


class Recorder(BaseHTTPRequestHandler):
    """Keeps every request as it arrived (headers in wire order and case) and answers 200."""

    protocol_version = "HTTP/1.1"
    requests: List[Tuple[str, str, List[List[str]], str]] = []

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        headers = [[k, v] for k, v in self.headers.raw_items()]
        Recorder.requests.append((self.command, self.path, headers, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)

    do_GET = do_POST = _record

    def log_message(self, *args: Any) -> None:
        pass


def recorded(method: str, target: str, headers: List[List[str]], body: str) -> Dict[str, Any]:
    parts = urlsplit(target)
    return {
        "method": method,
        "path": parts.path,
        "request_target": target,
        "raw_query": parts.query,
        "query_decoded": [list(p) for p in parse_qsl(parts.query, keep_blank_values=True)],
        "headers": headers,
        "body": body,
    }


def signature(vector: Dict[str, Any], rec: Dict[str, Any]) -> Dict[str, Any]:
    """The signature fields, taken apart as the committed files have them."""
    headers = {k.lower(): v for k, v in rec["headers"]}
    auth = headers.get("authorization")
    if auth is None:  # V1: a query parameter, HMAC-SHA1 keyed with the secret and "&"
        return {
            "Signature": dict(rec["query_decoded"])["Signature"],
            "hmac_key": vector["inputs"]["access_key_secret"] + "&",
        }
    algorithm, rest = auth.split(" ", 1)
    fields = dict(part.split("=", 1) for part in rest.split(","))
    return {
        "authorization": auth,
        "algorithm": algorithm,
        "credential": fields["Credential"],
        "signed_headers": fields["SignedHeaders"],
        "signature": fields["Signature"],
        "x-acs-content-sha256": headers["x-acs-content-sha256"],
    }


def is_v1(vector: Dict[str, Any]) -> bool:
    return vector["inputs"]["signature_mode"].startswith("V1")


def record_python(vectors: List[Dict[str, Any]]) -> None:
    """Send every vector through the official Python SDK (one request each)."""
    from alibabacloud_dypnsapi20170525 import models
    from alibabacloud_dypnsapi20170525.client import Client
    from alibabacloud_tea_openapi import models as openapi_models
    from alibabacloud_tea_openapi.utils import Utils

    for vector in vectors:
        inputs = vector["inputs"]
        Utils.get_nonce = staticmethod(lambda n=inputs["nonce"]: n)
        Utils.get_timestamp = staticmethod(lambda t=inputs["timestamp"]: t)
        config = openapi_models.Config(
            access_key_id=inputs["access_key_id"],
            access_key_secret=inputs["access_key_secret"],
            security_token=inputs["security_token"],
            endpoint=ENDPOINT,
            protocol="http",
        )
        if is_v1(vector):
            config.signature_algorithm = "v2"
        client = Client(config)
        if inputs["action"] == "SendSmsVerifyCode":
            client.send_sms_verify_code(models.SendSmsVerifyCodeRequest().from_map(inputs["params"]))
        else:
            client.check_sms_verify_code(models.CheckSmsVerifyCodeRequest().from_map(inputs["params"]))


def python_sdk_block() -> Dict[str, str]:
    block = {name: importlib.metadata.version(name) for name in PYTHON_PACKAGES}
    block["python"] = platform.python_version()
    return block


def record_node(vectors: List[Dict[str, Any]]) -> Dict[str, str]:
    """Send every vector through the official Node SDK; returns its `sdk` block."""
    cases = json.dumps([{"v1": is_v1(v), **v["inputs"]} for v in vectors])
    out = subprocess.run(
        ["node", str(HERE / "record_node.js"), ENDPOINT],
        input=cases,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"record_node.js failed ({out.returncode}):\n{out.stdout}{out.stderr}")
    return json.loads(out.stdout)


def first_difference(path: str, old: Any, new: Any) -> str:
    if type(old) is not type(new):
        return f"{path}: {old!r} != {new!r}"
    if isinstance(old, dict):
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                return first_difference(f"{path}.{key}", old.get(key), new.get(key))
    if isinstance(old, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new)):
            if a != b:
                return first_difference(f"{path}[{i}]", a, b)
    return f"{path}: committed {old!r}, recorded {new!r}"


def main() -> int:
    write = "--write" in sys.argv[1:]
    try:
        server = ThreadingHTTPServer((HOST, PORT), Recorder)
    except OSError as e:
        sys.exit(f"cannot listen on {ENDPOINT} (the vectors' endpoint, signed into every V3 request): {e}")
    threading.Thread(target=server.serve_forever, daemon=True).start()

    failed = 0
    passed = 0
    for sdk, record in (("python", record_python), ("node", record_node)):
        name = VECTORS / f"official-{sdk}.json"
        data = json.loads(name.read_text(encoding="utf-8"))
        Recorder.requests.clear()
        block = record(data["vectors"])
        fresh_sdk = python_sdk_block() if sdk == "python" else block
        if len(Recorder.requests) != len(data["vectors"]):
            sys.exit(f"{sdk}: {len(Recorder.requests)} requests for {len(data['vectors'])} vectors")
        fresh = {"sdk": fresh_sdk, "endpoint": ENDPOINT}
        committed = {"sdk": data["sdk"], "endpoint": data["client_config"]["endpoint"]}
        for vector, request in zip(data["vectors"], Recorder.requests):
            rec = recorded(*request)
            fresh[vector["id"]] = {"recorded": rec, "signature": signature(vector, rec)}
            committed[vector["id"]] = {"recorded": vector["recorded"], "signature": vector["signature"]}
        if write:
            data["sdk"] = fresh["sdk"]
            data["client_config"]["endpoint"] = fresh["endpoint"]
            for vector in data["vectors"]:
                vector.update(fresh[vector["id"]])
        else:
            for what, old in committed.items():
                if old == fresh[what]:
                    passed += 1
                    print(f"ok - {sdk}: {what} equals a fresh recording")
                else:
                    failed += 1
                    print(f"not ok - {sdk}: {what}: {first_difference(what, old, fresh[what])}")
        if write:
            name.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            print(f"wrote {name}")
    server.shutdown()
    if not write:
        print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
