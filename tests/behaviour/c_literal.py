"""C string literals for the generators beside this file (to_c.py, sign_to_c.py, calls_to_c.py):
one quoting for every table, so a row's text reaches C byte for byte whichever file it is in."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def c_str(value):
    """`value` as a C string literal, or NULL for None.

    Printable ASCII stays as it is, with `\\`, `"` and `?` escaped (`?` so that no trigraph can
    form under -std=c11); every other byte of the UTF-8 text is a three-digit octal escape, which
    never absorbs a following digit (a hex escape would). JSON's own escapes are not used: C
    refuses `\\u0001` and the surrogate pairs JSON writes for characters beyond U+FFFF.
    """
    if value is None:
        return "NULL"
    if "\0" in value:
        raise SystemExit(f"{value!r}: a C string cannot hold NUL")
    out = []
    for byte in value.encode("utf-8"):
        char = chr(byte)
        if char in '\\"?':
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def cases(name):
    """The rows of tests/behaviour/NAME."""
    return json.loads((HERE / name).read_text(encoding="utf-8"))["cases"]
