#!/usr/bin/env python3
"""Flatten tests/vectors/official-*.json into a line format a small C reader can load.

Transport only: every value is copied verbatim from the JSON (hex-encoded, so any byte survives)
and the C test (tests/c/test_smsauth.c) decides what to compare. Lines:

    R <sdk> <id>          start of a recorded request ("vectors")
    D <sdk> <id>          start of a published example ("documented_examples")
    S <key> <hex value>   a string field; keys are "inputs.<name>" / "recorded.<name>" for R
    Q <hex name> <hex value>   a query pair (recorded.query_decoded / example "query")
    H <hex name> <hex value>   a header pair (recorded.headers / example "headers")
    P <hex name> <hex value>   a parameter (V1 example "params")
    E                     end of the record
"""
import json
import sys


def hx(s):
    return s.encode("utf-8").hex() or "-"


def main(out_path, files):
    lines = []
    for path in files:
        sdk = "python" if "python" in path else "node"
        doc = json.load(open(path, encoding="utf-8"))
        for v in doc["vectors"]:
            lines.append(f"R {sdk} {v['id']}")
            for section in ("inputs", "recorded"):
                for key, value in v[section].items():
                    if isinstance(value, str):
                        lines.append(f"S {section}.{key} {hx(value)}")
            for name, value in v["recorded"]["query_decoded"]:
                lines.append(f"Q {hx(name)} {hx(value)}")
            for name, value in v["recorded"]["headers"]:
                lines.append(f"H {hx(name)} {hx(value)}")
            lines.append("E")
        for ex in doc["documented_examples"]:
            lines.append(f"D {sdk} {ex['id']}")
            for key, value in ex.items():
                if isinstance(value, str):
                    lines.append(f"S {key} {hx(value)}")
            for name, value in ex.get("params", {}).items():
                lines.append(f"P {hx(name)} {hx(value)}")
            for name, value in ex.get("query", []):
                lines.append(f"Q {hx(name)} {hx(value)}")
            for name, value in ex.get("headers", []):
                lines.append(f"H {hx(name)} {hx(value)}")
            lines.append("E")
    with open(out_path, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
