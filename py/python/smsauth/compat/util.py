"""``Client``: the helpers of ``alibabacloud_tea_util.client.Client`` that sample code uses."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

__all__ = ["Client"]


def _jsonable(value: Any) -> Any:
    to_map = getattr(value, "to_map", None)
    if callable(to_map):
        return to_map()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class Client:
    """Static helpers with the official names."""

    @staticmethod
    def assert_as_string(value: Any) -> str:
        """``value`` if it is a ``str``, else ``ValueError`` (as the official helper does)."""
        if not isinstance(value, str):
            raise ValueError(f"{value} is not a str")
        return value

    @staticmethod
    def assert_as_boolean(value: Any) -> bool:
        """``value`` if it is a ``bool``, else ``ValueError``."""
        if not isinstance(value, bool):
            raise ValueError(f"{value} is not a bool")
        return value

    @staticmethod
    def assert_as_number(value: Any) -> Any:
        """``value`` if it is a number, else ``ValueError``."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{value} is not a number")
        return value

    @staticmethod
    def assert_as_map(value: Any) -> Dict[str, Any]:
        """``value`` if it is a ``dict``, else ``ValueError``."""
        if not isinstance(value, dict):
            raise ValueError(f"{value} is not a dict")
        return value

    @staticmethod
    def assert_as_array(value: Any) -> List[Any]:
        """``value`` if it is a ``list``, else ``ValueError``."""
        if not isinstance(value, list):
            raise ValueError(f"{value} is not a list")
        return value

    @staticmethod
    def is_unset(value: Any) -> bool:
        """``value is None``."""
        return value is None

    @staticmethod
    def empty(value: Optional[str]) -> bool:
        """``True`` for ``None`` or ``""``."""
        return not value

    @staticmethod
    def default_string(real: Optional[str], default: str) -> str:
        """``real`` unless empty."""
        return real if real else default

    @staticmethod
    def default_number(real: Any, default: Any) -> Any:
        """``real`` unless ``None``."""
        return real if real is not None else default

    @staticmethod
    def to_map(value: Any) -> Dict[str, Any]:
        """A model's ``to_map()`` (``{}`` for ``None``)."""
        return value.to_map() if value is not None else {}

    @staticmethod
    def to_jsonstring(value: Any) -> str:
        """JSON text (models through ``to_map()``; a ``str`` is returned as is)."""
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, default=_jsonable)
