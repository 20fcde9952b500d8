#!/usr/bin/env python3
"""Flatten tests/vectors/hostile.json into a line format tests/c/test_hostile.c reads.

Transport only (every string hex-encoded, so any byte survives; "-" is empty):

    K <hex id> <hex secret>       a key of the key table
    H <hex host>                  an expected host
    W <seconds>                   the timestamp window
    S <hex name> <capacity> <quota>   a scenario (0 = default / none)
    R <now> <expect> <kind> <hex method> <hex path> <hex query> <hex body> <n> (<hex name> <hex value>){n}
"""
import json
import sys


def hx(b):
    if isinstance(b, str):
        b = b.encode("utf-8")
    return b.hex() or "-"


def main(out_path, path):
    doc = json.load(open(path, encoding="utf-8"))
    lines = [f"K {hx(k)} {hx(v)}" for k, v in doc["keys"].items()]
    lines += [f"H {hx(h)}" for h in doc["expected_hosts"]]
    lines.append(f"W {doc['window_seconds']}")
    for sc in doc["scenarios"]:
        opts = sc["verifier"]
        lines.append(f"S {hx(sc['name'])} {opts.get('nonce_capacity', 0)} {opts.get('per_key_quota', 0)}")
        for st in sc["steps"]:
            r = st["request"]
            body = bytes.fromhex(r["body_hex"]) if "body_hex" in r else r.get("body", "").encode("utf-8")
            heads = " ".join(f"{hx(k)} {hx(v)}" for k, v in r["headers"])
            lines.append(
                f"R {st['now']} {st['expect']} {st['kind'] or '-'} {hx(r['method'])} {hx(r['path'])} "
                f"{hx(r['query'])} {hx(body)} {len(r['headers'])} {heads}".rstrip()
            )
    open(out_path, "w", encoding="ascii").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
