"""The API's small numbered sets. Any ``int`` works too; these names just read better."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["CodeType", "DuplicatePolicy", "CaseAuthPolicy"]


class CodeType(IntEnum):
    """``CodeType``: which characters a generated code uses."""

    DIGITS = 1
    """Digits only (the service default)."""
    UPPER = 2
    """Upper-case letters."""
    LOWER = 3
    """Lower-case letters."""
    LETTERS = 4
    """Upper- and lower-case letters."""
    DIGITS_UPPER = 5
    """Digits and upper-case letters."""
    DIGITS_LOWER = 6
    """Digits and lower-case letters."""
    ALPHANUMERIC = 7
    """Digits and letters of both cases."""


class DuplicatePolicy(IntEnum):
    """``DuplicatePolicy``: what happens to an unexpired code when a new one is sent."""

    OVERWRITE = 1
    """The new code replaces the old one (the service default)."""
    KEEP = 2
    """Every unexpired code stays valid."""


class CaseAuthPolicy(IntEnum):
    """``CaseAuthPolicy``: whether checking letters is case-sensitive."""

    INSENSITIVE = 1
    """Case-insensitive (the service default)."""
    SENSITIVE = 2
    """Case-sensitive."""
