"""The installed package: what `import smsauth` costs and exposes."""

from __future__ import annotations

import subprocess
import sys

import smsauth


def test_public_names_exist() -> None:
    for name in smsauth.__all__:
        assert hasattr(smsauth, name), name
    assert smsauth.TimeoutError is smsauth.errors.TimeoutError


def test_import_is_lazy() -> None:
    """Importing smsauth starts no thread and loads none of asyncio, logging, typing, enum, json
    or the testing module (they cost more than smsauth itself); nothing reads credentials."""
    code = (
        "import sys, smsauth;"
        "print(sorted(m for m in ('asyncio', 'logging', 'typing', 'enum', 'json', 're', 'threading',"
        " 'smsauth.testing', 'smsauth.compat') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", out
    threads = subprocess.run(
        [sys.executable, "-c", "import os, smsauth; print(len(os.listdir('/proc/self/task')))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert threads == "1", threads
    assert smsauth.CodeType.DIGITS == 1  # loaded on first use


def test_no_runtime_dependencies() -> None:
    from importlib.metadata import distribution

    dist = distribution("smsauth-sdk")  # the PyPI name; the module is smsauth
    assert not dist.requires, dist.requires
    assert (dist.read_text("entry_points.txt") or "").find("smsauth.testing.pytest_plugin") >= 0


def test_tests_use_the_installed_wheel() -> None:
    assert "site-packages" in smsauth.__file__, smsauth.__file__
