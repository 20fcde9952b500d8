"""The shared behaviour table's sign and verify rows (tests/behaviour/sign.json) through the
Python API: ``smsauth.sign(...)`` and ``smsauth.verify(...)``, asserted the Python way
(keyword arguments, exception classes with ``kind``, ``field`` and ``code``)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

import smsauth
from smsauth.signing import parse_timestamp

TABLE = Path(__file__).resolve().parents[2] / "tests" / "behaviour" / "sign.json"
ROWS: List[Dict[str, Any]] = json.loads(TABLE.read_text(encoding="utf-8"))["cases"]


def param(row: Dict[str, Any]) -> Any:
    why = row.get("skip", {}).get("python")
    return pytest.param(row, id=row["name"], marks=[pytest.mark.skip(reason=why)] if why else [])


def sign(s: Dict[str, Any]) -> smsauth.SignedRequest:
    """The row's inputs as `smsauth.sign` takes them (the API version is `api_version`)."""
    return smsauth.sign(
        s["action"],
        [tuple(p) for p in s.get("params", [])],
        access_key_id=s.get("access_key_id", "testid"),
        access_key_secret=s.get("access_key_secret", "testsecret"),
        security_token=s.get("security_token"),
        host=s.get("host"),
        api_version=s.get("version"),
        signature_version=s.get("signature_version"),
        timestamp=s.get("timestamp"),
        nonce=s.get("nonce"),
        method=s.get("method"),
        headers=[tuple(p) for p in s.get("headers", [])],
    )


def outcome(row: Dict[str, Any]) -> Any:
    signed = sign(row["sign"])
    v = row.get("verify")
    if v is None:
        return signed
    query = v.get("query_prefix", "") + signed.query
    if "replace" in v:
        query = query.replace(*v["replace"])
    return smsauth.verify(
        signed.method, signed.path, query, signed.headers, secrets={"testid": "testsecret"}, now=v["now"]
    )


def test_the_table_has_rows() -> None:
    assert len(ROWS) >= 15


@pytest.mark.parametrize("row", [param(r) for r in ROWS])
def test_sign_row(row: Dict[str, Any]) -> None:
    e = row["expect"]
    if "kind" in e:
        with pytest.raises(smsauth.SmsAuthError) as info:
            outcome(row)
        assert info.value.kind == e["kind"], repr(info.value)
        if "field" in e:
            assert info.value.field == e["field"], repr(info.value)
        assert info.value.code == e.get("code"), repr(info.value)
        return
    got = outcome(row)
    if isinstance(got, smsauth.Verified):
        assert got.action == e["action"]
        assert got.param(e["param"][0]) == e["param"][1]
        return
    if "version" in e:
        assert got.version == e["version"]
    if "method" in e:
        assert got.method == e["method"]
    for name, value in e.get("headers", []):
        assert got.header(name) == value, name
    if "query" in e:
        assert got.query == e["query"]
    if "signature" in e:
        assert got.explanation.signature == e["signature"]
    if e.get("fresh"):
        assert re.fullmatch(r"[0-9a-f]{32}", got.header("x-acs-signature-nonce") or "")
        date = parse_timestamp(got.header("x-acs-date") or "")
        assert date is not None and abs(date - time.time()) <= 60
