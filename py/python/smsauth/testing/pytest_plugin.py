"""pytest plugin (registered through the ``pytest11`` entry point): the ``smsauth_emulator``
fixture.

One emulator serves the whole test session; each test gets it freshly reset (empty outbox,
no faults, clock back at its start)::

    def test_sign_up(smsauth_emulator):
        client = smsauth_emulator.client()
        client.send_code("13800138000")
        assert client.check_code("13800138000", smsauth_emulator.last_code("13800138000"))
"""

from __future__ import annotations

from typing import Iterator

import pytest

from . import Emulator


@pytest.fixture(scope="session")
def smsauth_emulator_session() -> Iterator[Emulator]:
    """The session's emulator (not reset between tests; prefer ``smsauth_emulator``)."""
    emulator = Emulator()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def smsauth_emulator(smsauth_emulator_session: Emulator) -> Iterator[Emulator]:
    """A running :class:`smsauth.testing.Emulator`, reset before the test."""
    smsauth_emulator_session.reset()
    yield smsauth_emulator_session
