"""Release smoke test for an installed smsauth wheel: send + check against a running emulator.

    python smoke.py ENDPOINT ACCESS_KEY_ID ACCESS_KEY_SECRET PHONE

Sends a code, reads it from the emulator's outbox (GET /_emulator/messages), checks a wrong
code (not passed), the right one (passed), the same one again (not passed: a code passes once),
then sends again (ThrottledError, biz.FREQUENCY). Also runs the async client. Prints
"python smoke: ok (...)" or raises.
"""

import asyncio
import json
import platform
import sys
import urllib.parse
import urllib.request

import smsauth

endpoint, key_id, key_secret, phone = sys.argv[1:5]


def outbox_code(number: str) -> str:
    url = f"{endpoint}/_emulator/messages?phone={urllib.parse.quote(number)}"
    with urllib.request.urlopen(url, timeout=10) as resp:
        messages = json.load(resp)["messages"]
    assert messages, f"no message in the emulator's outbox for {number}"
    return messages[-1]["code"]


def wrong(code: str) -> str:
    return ("1" if code[0] == "0" else "0") + code[1:]


client = smsauth.Client(key_id, key_secret, endpoint=endpoint, sign_name="速通互联验证码", template_code="100001")
sent = client.send_code(phone, return_verify_code=True)
code = outbox_code(phone)
assert sent.verify_code == code, "the returned code differs from the outbox"
assert not client.check_code(phone, wrong(code)).passed, "a wrong code passed"
assert client.check_code(phone, code).passed, "the right code did not pass"
assert not client.check_code(phone, code).passed, "a used code passed again"
try:
    client.send_code(phone)
except smsauth.ThrottledError as exc:
    assert exc.code == "biz.FREQUENCY", exc.code
else:
    raise AssertionError("a second send within the interval was not refused")


async def run_async() -> None:
    # Another number (the first one is throttled now): the last digit plus 5, so the numbers
    # that release/run passes (…01, …02, …03) never share one.
    other = phone[:-1] + str((int(phone[-1]) + 5) % 10)
    aclient = smsauth.AsyncClient(
        key_id, key_secret, endpoint=endpoint, sign_name="速通互联验证码", template_code="100001"
    )
    await aclient.send_code(other)
    assert (await aclient.check_code(other, outbox_code(other))).passed, "async check failed"


asyncio.run(run_async())
native = smsauth._native.__file__.rsplit("/", 1)[-1]
print(f"python smoke: ok (smsauth {smsauth.__version__}, {native}, on {platform.machine()})")
