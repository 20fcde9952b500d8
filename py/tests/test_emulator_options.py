"""``Emulator(**options)`` is read by the emulator's one option table (the same names, types and
errors as Node's ``startEmulator`` and C's ``smsauth_emulator_start_with_options``)."""

from __future__ import annotations

from typing import Any, Dict

import pytest

import smsauth
from smsauth.testing import Emulator


def test_every_spelling_of_the_key_pair_and_window() -> None:
    with Emulator(access_key_id="k1", access_key_secret="s1", timestamp_window_seconds=60) as emu:
        assert (emu.access_key_id, emu.access_key_secret) == ("k1", "s1")
        assert emu.client().send_code("13800138000").request_id
    with Emulator(accounts=[("k2", "s2")], timestamp_window=60, seed=None) as emu:
        assert emu.access_key_id == "k2"


@pytest.mark.parametrize(
    "options, field, text",
    [
        ({"port": 70000}, "port", "must be at most 65535, got 70000"),
        ({"daily_limit": -1}, "daily_limit", "must not be negative"),
        ({"port": "x"}, "port", "invalid type"),
        ({"lenient": 1}, "lenient", "invalid type"),
        ({"templates": ["x"]}, "templates", "invalid type"),
        ({"prot": 0}, "options", "prot"),
    ],
)
def test_bad_options_name_the_option(options: Dict[str, Any], field: str, text: str) -> None:
    with pytest.raises(smsauth.InvalidInputError) as info:
        Emulator(**options)
    assert info.value.field == field
    assert text in str(info.value)
