"""smsauth.Guard: the core's abuse guard in front of Client / AsyncClient, against the emulator.
A refusal is a GuardDeniedError naming the rule, raised before any request leaves the process."""

from __future__ import annotations

import asyncio
import pickle

import pytest

import smsauth
from smsauth.testing import Emulator

from conftest import PHONE

DEFAULT_REPR = (
    "smsauth.Guard(phone=[(1, 60), (5, 3600), (10, 86400)], client=[(10, 3600)], prefix=[(30, 3600)], "
    "prefix_digits=7, daily_budget=1000, price_per_sms=None, daily_money_cap=None, wrong_code=(5, 3600, 900), "
    "require_client_key=False, dry_run=False, on_store_error='closed', max_keys=100000)"
)


def test_defaults_are_the_core_defaults_and_repr_is_readable() -> None:
    assert repr(smsauth.Guard()) == DEFAULT_REPR
    g = smsauth.Guard(phone=[(2, 120)], client=None, prefix=[], daily_budget=None, wrong_code=None,
                      price_per_sms=0.05, daily_money_cap=10, dry_run=True, on_store_error="open", max_keys=64)
    assert repr(g) == (
        "smsauth.Guard(phone=[(2, 120)], client=[], prefix=[], prefix_digits=7, daily_budget=None, "
        "price_per_sms=0.05, daily_money_cap=10.0, wrong_code=None, require_client_key=False, dry_run=True, "
        "on_store_error='open', max_keys=64)"
    )
    assert g.stats() == dict.fromkeys(
        ["sends_allowed", "sends_denied", "checks_allowed", "checks_denied", "dry_run_denials", "store_errors",
         "failed_open", "refunds"], 0)


def test_phone_limit_denial_sends_nothing(smsauth_emulator: Emulator) -> None:
    guard = smsauth.Guard()
    client = smsauth_emulator.client(guard=guard)
    assert "guard=smsauth.Guard(phone=[(1, 60)" in repr(client)
    client.send_code(PHONE)
    assert smsauth_emulator.request_count() == 1
    with pytest.raises(smsauth.GuardDeniedError) as info:
        client.send_code("+86 138 0013 8000")  # the same number, written differently
    e = info.value
    assert e.rule == e.guard_rule == "phone:1/60s"
    assert e.retry_after is not None and 55 <= e.retry_after <= 60
    assert e.kind == "guard_denied" and e.kind_code == 10 and not e.may_have_been_received
    assert "try again in" in e.message
    assert smsauth_emulator.request_count() == 1  # the denied call never reached the emulator
    assert len(smsauth_emulator.messages(PHONE)) == 1
    assert guard.stats()["sends_denied"] == 1 and guard.stats()["sends_allowed"] == 1
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is smsauth.GuardDeniedError and copy.rule == "phone:1/60s"


def test_client_key_limit(smsauth_emulator: Emulator) -> None:
    guard = smsauth.Guard(phone=None, prefix=None, client=[(2, 3600)])
    client = smsauth_emulator.client(guard=guard)
    client.send_code("13900000001", client_key="203.0.113.9")
    client.send_code("13900000002", client_key="203.0.113.9")
    with pytest.raises(smsauth.GuardDeniedError) as info:
        client.send_code("13900000003", client_key="203.0.113.9")
    assert info.value.rule == "client:2/3600s"
    assert info.value.retry_after is not None and info.value.retry_after > 3500
    assert smsauth_emulator.request_count() == 2
    # Another client key, and a call without one, are not limited by this key's count.
    client.send_code("13900000003", client_key="198.51.100.7")
    client.send_code("13900000004")
    assert smsauth_emulator.request_count() == 4
    # Overrides still work next to client_key.
    client.send_code("13900000005", client_key="198.51.100.7", code_length=6)
    assert len(smsauth_emulator.last_code("13900000005") or "") == 6


def test_require_client_key_and_bad_keys(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client(guard=smsauth.Guard(require_client_key=True))
    with pytest.raises(smsauth.InvalidInputError) as info:
        client.send_code(PHONE)
    assert info.value.field == "client_key"
    with pytest.raises(smsauth.InvalidInputError) as info:
        client.send_code(PHONE, client_key="   ")
    assert info.value.field == "client_key"
    with pytest.raises(TypeError, match="send_code\\(\\) argument 'client_key' must be str, not int"):
        client.send_code(PHONE, client_key=42)  # type: ignore[arg-type]
    assert smsauth_emulator.request_count() == 0


def test_wrong_code_lock(smsauth_emulator: Emulator) -> None:
    guard = smsauth.Guard(wrong_code=(3, 3600, 900))
    client = smsauth_emulator.client(guard=guard)
    client.send_code(PHONE)
    code = smsauth_emulator.last_code(PHONE)
    assert code is not None
    wrong = "0000" if code != "0000" else "1111"
    for _ in range(3):
        assert not client.check_code(PHONE, wrong)
    requests = smsauth_emulator.request_count()
    with pytest.raises(smsauth.GuardDeniedError) as info:
        client.check_code(PHONE, code)  # even the right code: the number is locked
    assert info.value.rule == "check:locked"
    assert info.value.retry_after is not None and 890 <= info.value.retry_after <= 900
    assert smsauth_emulator.request_count() == requests
    assert guard.stats()["checks_denied"] == 1


def test_a_passing_code_resets_the_wrong_count(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client(guard=smsauth.Guard(wrong_code=(2, 3600, 900)))
    client.send_code(PHONE)
    code = smsauth_emulator.last_code(PHONE) or ""
    assert not client.check_code(PHONE, "0000" if code != "0000" else "1111")
    assert client.check_code(PHONE, code)


def test_dry_run_lets_the_call_through(smsauth_emulator: Emulator) -> None:
    guard = smsauth.Guard(phone=[(1, 3600)], dry_run=True)
    client = smsauth_emulator.client(guard=guard)
    client.send_code(PHONE)
    smsauth_emulator.advance_clock(61)  # past the emulator's own 60 s interval
    client.send_code(PHONE)  # the guard would refuse it, but only reports
    assert smsauth_emulator.request_count() == 2
    assert len(smsauth_emulator.messages(PHONE)) == 2
    assert guard.stats()["dry_run_denials"] == 1
    assert guard.stats()["sends_denied"] == 0


def test_async_client_denial(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.async_client(guard=smsauth.Guard(phone=None, prefix=None, client=[(1, 60)]))

    async def run() -> None:
        await client.send_code("13900000001", client_key="session-1")
        with pytest.raises(smsauth.GuardDeniedError) as info:
            await client.send_code("13900000002", client_key="session-1")
        assert info.value.rule == "client:1/60s" and info.value.retry_after is not None

    asyncio.run(run())
    assert smsauth_emulator.request_count() == 1


def test_one_guard_shared_by_two_clients(smsauth_emulator: Emulator) -> None:
    guard = smsauth.Guard(phone=[(1, 600)])
    smsauth_emulator.client(guard=guard).send_code(PHONE)
    with pytest.raises(smsauth.GuardDeniedError, match="phone"):
        asyncio.run(smsauth_emulator.async_client(guard=guard).send_code(PHONE))
    assert smsauth_emulator.request_count() == 1


def test_budget(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client(guard=smsauth.Guard(price_per_sms=0.05, daily_money_cap=0.1))
    client.send_code("13900000001")
    client.send_code("13900000002")
    with pytest.raises(smsauth.GuardDeniedError) as info:
        client.send_code("13900000003")
    assert info.value.rule == "budget:daily"
    assert smsauth_emulator.request_count() == 2


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"phone": [(0, 60)]}, "guard.phone.max"),
        ({"client": [(1, 0)]}, "guard.client.window_seconds"),
        ({"prefix": [(1, -5)]}, "guard.prefix"),
        ({"phone": [(1, 60, 3)]}, "guard.phone"),
        ({"prefix_digits": 12}, "guard.prefix_digits"),
        ({"daily_budget": 0}, "guard.daily_budget"),
        ({"price_per_sms": -1}, "guard.price_per_sms"),
        ({"daily_money_cap": 5.0}, "guard.daily_money_cap"),
        ({"wrong_code": (3, 60)}, "guard.wrong_code"),
        ({"wrong_code": (3, 60, 0)}, "guard.wrong_code.lockout_seconds"),
        ({"wrong_code": (1001, 60, 60)}, "guard.wrong_code.max_wrong"),
        ({"on_store_error": "maybe"}, "guard.on_store_error"),
        ({"max_keys": 3}, "guard.max_keys"),
    ],
)
def test_bad_values_raise_invalid_input(options: dict, field: str) -> None:
    with pytest.raises(smsauth.InvalidInputError) as info:
        smsauth.Guard(**options)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"phone": 5}, "Guard() argument 'phone' must be a list of (max, window_seconds) tuples, not int"),
        ({"phone": [5]}, "Guard() argument 'phone' must be a list of (max, window_seconds) tuples, not int"),
        ({"client": [("1", 60)]}, "Guard() argument 'client' item [0][0] must be int, not str"),
        ({"prefix_digits": "7"}, "Guard() argument 'prefix_digits' must be int, not str"),
        ({"prefix_digits": None}, "Guard() argument 'prefix_digits' must be int, not NoneType"),
        ({"daily_budget": 1.5}, "Guard() argument 'daily_budget' must be int, not float"),
        ({"price_per_sms": "0.05"}, "Guard() argument 'price_per_sms' must be int or float, not str"),
        ({"wrong_code": 5}, "Guard() argument 'wrong_code' must be a (max_wrong, window_seconds, lock_seconds)"),
        ({"dry_run": 1}, "Guard() argument 'dry_run' must be bool, not int"),
        ({"on_store_error": False}, "Guard() argument 'on_store_error' must be str, not bool"),
        ({"max_keys": True}, "Guard() argument 'max_keys' must be int, not bool"),
        ({"phone_limit": []}, "Guard() got an unexpected keyword argument 'phone_limit'"),
    ],
)
def test_wrong_types_raise_type_error(options: dict, message: str) -> None:
    with pytest.raises(TypeError) as info:
        smsauth.Guard(**options)
    assert str(info.value).startswith(message)


def test_positional_arguments_and_bad_guard_are_refused() -> None:
    with pytest.raises(TypeError):
        smsauth.Guard([(1, 60)])  # type: ignore[misc]
    with pytest.raises(TypeError, match="Client\\(\\) argument 'guard' must be smsauth.Guard or None, not dict"):
        smsauth.Client("id", "secret", guard={"phone": [(1, 60)]})  # type: ignore[typeddict-item]
    with pytest.raises(TypeError, match="AsyncClient\\(\\) argument 'guard' must be smsauth.Guard"):
        smsauth.AsyncClient("id", "secret", guard=3)  # type: ignore[typeddict-item]
    assert "guard" not in repr(smsauth.Client("id", "secret", guard=None))
