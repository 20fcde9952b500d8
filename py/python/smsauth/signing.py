"""Signing and verification helpers, mirroring the core's ``smsauth::sign``.

For debugging (what exactly did we sign?), reproducing a captured request, or accepting requests
signed with Alibaba Cloud AccessKeys in your own service::

    >>> import smsauth
    >>> req = smsauth.sign("SendSmsVerifyCode", {"PhoneNumber": "13800138000"},
    ...                    access_key_id="testid", access_key_secret="testsecret",
    ...                    timestamp=1735787045, nonce="3d1e1b2c4f5a6b7c8d9e0f1a2b3c4d5e")
    >>> req.header("authorization").split(",")[0]
    'ACS3-HMAC-SHA256 Credential=testid'
    >>> ok = smsauth.verify(req.method, req.path, req.query, req.headers,
    ...                     secrets={"testid": "testsecret"}, now=1735787045)
    >>> ok.param("PhoneNumber")
    '13800138000'

A verification failure raises :class:`smsauth.AuthenticationError` whose ``code`` is the
gateway's (``SignatureDoesNotMatch``, ``InvalidTimeStamp.Expired``, ``SignatureNonceUsed``, …)
and whose message carries the server-side string-to-sign on a mismatch.
"""

from __future__ import annotations

from ._native import (
    Explanation,
    SignedRequest,
    Verified,
    Verifier,
    explain_v1,
    explain_v3,
    format_timestamp,
    parse_timestamp,
    percent_encode,
    sign,
    verify,
)

__all__ = [
    "Explanation",
    "SignedRequest",
    "Verified",
    "Verifier",
    "explain_v1",
    "explain_v3",
    "format_timestamp",
    "parse_timestamp",
    "percent_encode",
    "sign",
    "verify",
]
