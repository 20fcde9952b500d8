"""Example: a Flask sign-up flow tested offline with the `smsauth_emulator` fixture.

This is the pattern the README documents: the app takes an `smsauth.Client`; the test gives it
one pointed at the emulator, reads the SMS from the emulator's outbox, and drives the app.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

import flask
import pytest

import smsauth
from smsauth.testing import Emulator


def create_app(sms: smsauth.Client) -> Any:
    app = flask.Flask(__name__)
    users: Dict[str, Dict[str, str]] = {}

    @app.post("/signup/code")
    def send_code() -> Tuple[Dict[str, Any], int]:
        phone = flask.request.get_json()["phone"]
        try:
            sms.send_code(phone)
        except smsauth.InvalidInputError as exc:
            return {"error": exc.message, "field": exc.field}, 400
        except smsauth.ThrottledError:
            return {"error": "a code was sent recently; try again in a minute"}, 429
        return {"sent": True}, 202

    @app.post("/signup/verify")
    def verify() -> Tuple[Dict[str, Any], int]:
        body = flask.request.get_json()
        try:
            result = sms.check_code(body["phone"], body["code"])
        except smsauth.InvalidInputError as exc:
            return {"error": exc.message}, 400
        if not result:
            return {"error": "wrong or expired code"}, 400
        users[body["phone"]] = {"name": body["name"]}
        return {"user": body["phone"]}, 201

    @app.errorhandler(smsauth.SmsAuthError)
    def sms_down(exc: smsauth.SmsAuthError) -> Tuple[Dict[str, Any], int]:
        # Anything else (network, service, …): say so, keep the request id for support.
        return {"error": "SMS service unavailable", "request_id": exc.request_id}, 503

    app.config["users"] = users
    return app


@pytest.fixture
def app(smsauth_emulator: Emulator) -> Any:
    return create_app(smsauth_emulator.client())


def test_sign_up_with_the_code_from_the_sms(app: Any, smsauth_emulator: Emulator) -> None:
    web = app.test_client()
    assert web.post("/signup/code", json={"phone": "+86 138 0013 8000"}).status_code == 202
    [sms] = smsauth_emulator.messages("13800138000")
    assert sms.code in sms.text
    wrong = web.post("/signup/verify", json={"phone": "13800138000", "code": "0000a", "name": "Li"})
    assert wrong.status_code == 400 and wrong.get_json() == {"error": "wrong or expired code"}
    ok = web.post("/signup/verify", json={"phone": "13800138000", "code": sms.code, "name": "Li"})
    assert ok.status_code == 201 and app.config["users"] == {"13800138000": {"name": "Li"}}


def test_expired_code_is_refused(app: Any, smsauth_emulator: Emulator) -> None:
    web = app.test_client()
    web.post("/signup/code", json={"phone": "13800138000"})
    smsauth_emulator.advance_clock(5 * 60 + 1)
    code = smsauth_emulator.last_code("13800138000")
    response = web.post("/signup/verify", json={"phone": "13800138000", "code": code, "name": "Li"})
    assert response.status_code == 400


def test_bad_number_and_too_many_codes(app: Any) -> None:
    web = app.test_client()
    bad = web.post("/signup/code", json={"phone": "12345"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "PhoneNumber"
    assert web.post("/signup/code", json={"phone": "13800138000"}).status_code == 202
    assert web.post("/signup/code", json={"phone": "13800138000"}).status_code == 429


def test_service_outage_is_a_503_with_the_request_id(app: Any, smsauth_emulator: Emulator) -> None:
    smsauth_emulator.add_fault("server_error", status=500)
    response = app.test_client().post("/signup/code", json={"phone": "13800138000"})
    assert response.status_code == 503 and response.get_json()["request_id"]
