"""One version: the workspace version in Cargo.toml is the only one written by hand.

Everything that carries a version elsewhere is generated from it or must equal it; this script
(run by tests/install/run.sh, so by the test command) fails, naming the file, if any disagrees:

- every workspace crate (`version.workspace = true`) and the workspace's own dependency
  requirements on `smsauth` / `smsauth-emulator` (what `cargo package` writes into the crates);
- the wheel: maturin takes the version from py/Cargo.toml, so no version is in pyproject.toml;
- node/package.json and its lockfile (npm needs a literal there), and the napi-generated
  node/native.js, which pins the per-platform packages to it;
- the C header's SMSAUTH_VERSION_MAJOR/MINOR/PATCH (ffi-c/src/lib.rs also asserts them at
  compile time) — smsauth.pc gets the version from `cargo pkgid` in ffi-c/install.sh;
- CHANGELOG.md has a section for the version;
- built artefacts when given (`--wheel FILE`, `--cli BIN`): the wheel's file name and the CLI's
  `--version`.

Usage: python3 tests/install/check_version.py [--wheel FILE] [--cli BIN]; prints ok/FAIL lines.
"""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    args = dict(zip(argv[::2], argv[1::2]))
    workspace = tomllib.loads((ROOT / "Cargo.toml").read_text())
    version = workspace["workspace"]["package"]["version"]
    found: list[tuple[str, str]] = []  # (where, version)

    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--no-deps", "--offline"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
    )
    for package in metadata["packages"]:
        found.append((f"crate {package['name']}", package["version"]))
    for name in ("smsauth", "smsauth-emulator"):
        requirement = workspace["workspace"]["dependencies"][name]["version"]
        found.append((f"Cargo.toml [workspace.dependencies] {name}", requirement.lstrip("=^")))

    py = (ROOT / "py/pyproject.toml").read_text()
    pyproject = tomllib.loads(py)["project"]
    if "version" in pyproject or "version" not in pyproject.get("dynamic", []):
        found.append(("py/pyproject.toml (must leave the version to maturin: dynamic)", "literal"))

    package_json = json.loads((ROOT / "node/package.json").read_text())
    found.append(("node/package.json", package_json["version"]))
    lock = json.loads((ROOT / "node/package-lock.json").read_text())
    found.append(("node/package-lock.json", lock["version"]))
    found.append(("node/package-lock.json packages['']", lock["packages"][""]["version"]))
    for pinned in sorted(set(re.findall(r"bindingPackageVersion !== '([^']+)'", (ROOT / "node/native.js").read_text()))):
        found.append(("node/native.js (napi-generated platform package pin)", pinned))

    header = (ROOT / "include/smsauth.h").read_text()
    parts = [re.search(rf"#define SMSAUTH_VERSION_{p} (\d+)", header) for p in ("MAJOR", "MINOR", "PATCH")]
    found.append(("include/smsauth.h SMSAUTH_VERSION_*", ".".join(m.group(1) if m else "?" for m in parts)))

    changelog = (ROOT / "CHANGELOG.md").read_text()
    if not re.search(rf"^## \[{re.escape(version)}\]", changelog, re.M):
        found.append(("CHANGELOG.md (no '## [VERSION]' section)", "missing"))

    if "--wheel" in args:
        wheel = Path(args["--wheel"]).name
        match = re.match(r"smsauth_sdk-([^-]+)-", wheel)
        found.append((f"wheel {wheel}", match.group(1) if match else "?"))
    if "--cli" in args:
        out = subprocess.run([args["--cli"], "--version"], check=True, capture_output=True, text=True).stdout
        found.append(("smsauth --version", out.split()[-1] if out.split() else "?"))

    failed = 0
    for where, got in found:
        if got == version:
            print(f"ok   version {version}: {where}")
        else:
            failed += 1
            print(f"FAIL version: {where} says {got!r}, the workspace version (Cargo.toml) is {version!r}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
