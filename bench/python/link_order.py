"""Write py/link-order.txt: the functions of the extension a Python client runs, for the linker.

    python bench/python/link_order.py MAP [SECONDS]
    python bench/python/link_order.py --check MAP   (is the list still valid for that build?)

Run it with the interpreter of bench/.venv (after `bench/run --only py` has set it up). MAP is the
linker map of the wheel installed there, built exactly as the release wheel is plus a map (the
names only match a build with the same profile); extra rustc flags do not change the names:

    cd py && ../bench/.venv/bin/maturin build --release --interpreter ../bench/.venv/bin/python \
        --out /tmp/wheel -- -C link-arg=-Wl,-Map=/tmp/native.map
    bench/.venv/bin/pip install --no-deps --force-reinstall /tmp/wheel/smsauth_sdk-*.whl

The script runs `bench/python/worker.py run smsauth` (import, client set-up, sequential calls,
64 asyncio calls in flight, `sign`; SECONDS per phase, default 1) under valgrind's callgrind
against the bench's upstream (nginx, or the emulator), collects every instruction address
executed in the extension, and writes the names of the functions (the linker's input sections) holding them, in address
order, to py/link-order.txt. py/build.rs hands that list to the linker (as a linker script
that matches the names without their hash, so that it also fits the published wheels' zig
builds): those functions are then laid out first and together (issue #19: the code a process
runs costs RSS per 64 KiB block touched).

The list fits `--release` and `--profile dist` builds alike (the same LTO settings; the wheels
are byte-identical). A zig build (release/run) cannot give a map (`zig cc` rejects `-Map`), and
its symbol hashes differ anyway; --check a `--release` build's map instead.
"""

import bisect
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "bench" / "python" / "worker.py"
OUT = ROOT / "py" / "link-order.txt"


def text_sections(map_path):
    """(start, end, symbol) of each `.text.<symbol>` input section of the extension's link map
    (also `.text.unlikely.<symbol>` and the like: LLVM's sections for cold and start-up code)."""
    out = []
    pattern = re.compile(
        r"^\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+\s+\S.*"
        r":\(\.text\.(?:(?:unlikely|hot|startup|exit|split)\.)?([^)]+)\)$"
    )
    with open(map_path) as f:
        for line in f:
            m = pattern.match(line)
            if m:
                start, size = int(m.group(1), 16), int(m.group(2), 16)
                out.append((start, start + size, m.group(3)))
    if not out:
        raise SystemExit(f"{map_path}: no .text.<symbol> input sections (not an lld map?)")
    return sorted(out)


def executed_addresses(seconds):
    """The addresses (as in the link map) of every instruction the worker executed in the extension."""
    import smsauth  # noqa: F401 — the installed extension, to find its file

    native = os.path.realpath(next(Path(smsauth.__file__).parent.glob("_native*.so")))
    sys.path.insert(0, str(ROOT / "bench"))
    import driver  # the bench's upstream: nginx, or the emulator without it

    upstream = driver.start_upstream(False, None)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "callgrind.out"
            subprocess.run(
                ["valgrind", "--tool=callgrind", "--dump-instr=yes", "--compress-pos=no", "--compress-strings=no",
                 f"--callgrind-out-file={out}", sys.executable, str(WORKER), "run", "smsauth", upstream.endpoint,
                 str(seconds)],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=dict(os.environ, BENCH_WARMUP="20"),
            )
            # Cost lines ("0x<address> <line> <cost>…") belong to the object of the last "ob=" line;
            # callgrind gives an object's addresses relative to where it was loaded (the map's).
            addresses = set()
            ours = False
            with open(out) as f:
                for line in f:
                    if line.startswith("ob="):
                        ours = os.path.realpath(line[3:].strip()) == native
                    elif ours and line.startswith("0x"):
                        addresses.add(int(line.split(None, 1)[0], 16))
            return addresses
    finally:
        upstream.stop()


def check(map_path):
    """How much of py/link-order.txt the build of MAP found, and how many 64 KiB blocks the
    listed functions span there (22 with py/build.rs's linker script when the list was made:
    other instantiations of the listed generic functions come along); exit 1 under 90 % found."""
    listed = [n.strip() for n in OUT.read_text().splitlines() if n.strip() and not n.startswith("#")]
    wanted = set(listed)
    found = [(start, end) for start, end, name in text_sections(map_path) if name in wanted]
    blocks = {a >> 16 for start, end in found for a in range(start, end, 1 << 12)}
    print(f"{len(found)} of {len(listed)} listed functions in {map_path}, spanning {len(blocks)} blocks of 64 KiB")
    if len(found) < 0.9 * len(listed):
        raise SystemExit("py/link-order.txt is stale for this build: regenerate it (see --help)")


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "--check":
        return check(sys.argv[2])
    sections = text_sections(sys.argv[1])
    starts = [s[0] for s in sections]
    seconds = sys.argv[2] if len(sys.argv) > 2 else "1"
    used = set()
    for a in executed_addresses(seconds):
        i = bisect.bisect_right(starts, a) - 1
        if i >= 0 and sections[i][0] <= a < sections[i][1]:
            used.add(i)
    names = [sections[i][2] for i in sorted(used)]
    size = sum(sections[i][1] - sections[i][0] for i in used)
    OUT.write_text(
        "# Generated by bench/python/link_order.py (see py/build.rs): the extension's functions a client\n"
        "# runs, laid out first by the linker. Names change with the build profile, the package\n"
        "# versions and the toolchain: regenerate after changing any of them.\n"
        + "".join(n + "\n" for n in names)
    )
    print(f"{OUT}: {len(names)} functions, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
