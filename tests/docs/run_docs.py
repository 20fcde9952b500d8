"""Run every fenced code block of docs/*.md and README.md (called by tests/docs/run.sh).

Each block runs as a real program against one `smsauth emulator` started here, reset before
every block, with the environment a reader would set: SMSAUTH_ENDPOINT, the
ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET pair the emulator accepts, a throwaway HOME. Rust blocks
are compiled together into one binary (one rustc run); C blocks with gcc against the staged
libsmsauth (pkg-config); Python with the repository venv; JavaScript with node, `smsauth`
resolving to node/. Conventions for writers: tests/docs/README.md.

Prints one line per block and closes with "N passed, M failed, K skipped".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).parent))
from mdblocks import Block, blocks  # noqa: E402
import error_table  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120

SKIP_LANGS = {
    "text": "text listing (output, messages)",
    "console": "terminal transcript (output listing)",
    "": "no language: a listing",
}
DATA_LANGS = {"json", "toml", "ini", "makefile", "make", "cmake", "yaml"}

# README.md belongs to the whole project; blocks there that cannot run are listed here (the
# docs/ pages mark theirs in the info string instead).
README_SKIPS: List[Tuple[str, str]] = [
    ("./scripts/test-all.sh", "set-up commands: the whole test suite (which runs this suite) and a release build"),
    (".access_key(std::env::var", "talks to the real service: the sample sets no endpoint (docs/rust.md has the tested version)"),
    ("smsauth verify captured.json", "CLI overview: real-service calls, a server that runs forever and a captured.json that is not there (docs/rust.md#cli runs these)"),
    ("bench/run ", "the benchmark: release builds and 10–15 minutes of measuring, run on demand"),
    ("release/run", "the release build: cross builds for four targets, 25–40 minutes, run on demand"),
    ("send_code_for(\"13800138000\", \"203.0.113.7\")", "talks to the real service: the sample sets no endpoint (docs/protecting-your-sms-endpoint.md has the tested version)"),
]


class Result:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.by_lang: Dict[str, List[int]] = {}
        self.failures: List[str] = []

    def record(self, what: str, lang: str, status: str, detail: str = "", seconds: float = 0.0) -> None:
        counts = self.by_lang.setdefault(lang, [0, 0, 0])
        if status == "ok":
            self.passed += 1
            counts[0] += 1
            print(f"ok   {what} {lang} ({seconds:.1f} s)", flush=True)
            if lang == "table" and detail:
                print("     " + detail.strip().splitlines()[-1], flush=True)
        elif status == "skip":
            self.skipped += 1
            counts[2] += 1
            print(f"skip {what} {lang}: {detail}", flush=True)
        else:
            self.failed += 1
            counts[1] += 1
            self.failures.append(what)
            print(f"FAIL {what} {lang} ({seconds:.1f} s)", flush=True)
            if detail:
                print("     " + detail.rstrip().replace("\n", "\n     "), flush=True)


class Emulator:
    """`smsauth emulator --port 0` in its own process; it exits when we close its stdin."""

    def __init__(self, binary: str, log: Path) -> None:
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [binary, "emulator", "--port", "0", "--exit-on-stdin-eof", "--quiet"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the emulator printed no ready line (log: {log})")
        ready = json.loads(line)
        self.endpoint: str = ready["endpoint"]
        self.key_id: str = ready["access_key_id"]
        self.key_secret: str = ready["access_key_secret"]

    def reset(self) -> None:
        req = urllib.request.Request(self.endpoint + "/_emulator/reset", method="POST", data=b"")
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def run(cmd: List[str], cwd: Path, env: Dict[str, str], stdin: Optional[str] = None) -> Tuple[int, str]:
    try:
        p = subprocess.run(
            cmd,
            cwd=cwd,
            env=env,
            input=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return 124, out + f"\n(timed out after {TIMEOUT} s)"
    return p.returncode, p.stdout


def tail(text: str, lines: int = 40) -> str:
    parts = text.rstrip().splitlines()
    return "\n".join(parts[-lines:])


class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(args.work).resolve()
        self.result = Result()
        self.emulator = Emulator(args.smsauth_bin, self.work / "emulator.log")
        home = self.work / "home"
        home.mkdir(parents=True, exist_ok=True)
        real_home = os.environ.get("HOME", "/root")
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ALIBABA_CLOUD_", "SMSAUTH_")) and k not in ("VIRTUAL_ENV", "PYTHONPATH")
        }
        self.env.update(
            HOME=str(home),
            SMSAUTH_ENDPOINT=self.emulator.endpoint,
            ALIBABA_CLOUD_ACCESS_KEY_ID=self.emulator.key_id,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET=self.emulator.key_secret,
            # Off ECS: skip the metadata server probe (docs/credentials.md).
            ALIBABA_CLOUD_ECS_METADATA_DISABLED="true",
            PATH=f"{Path(args.smsauth_bin).parent}:{self.env.get('PATH', '')}",
            PKG_CONFIG_PATH=f"{args.prefix}/lib/pkgconfig",
            SMSAUTH_PREFIX=args.prefix,
            SMSAUTH_REPO=str(ROOT),
            PYTHONDONTWRITEBYTECODE="1",
            NO_PROXY="127.0.0.1,localhost",
            # rustup and cargo keep their homes although HOME is a throwaway directory.
            RUSTUP_HOME=os.environ.get("RUSTUP_HOME", f"{real_home}/.rustup"),
            CARGO_HOME=os.environ.get("CARGO_HOME", f"{real_home}/.cargo"),
        )
        self.rust_binary: Optional[Path] = None
        self.rust_error: Optional[str] = None
        self.rust_blocks: List[Block] = []

    # -- helpers -------------------------------------------------------------------------------
    def doc_dir(self, doc: str) -> Path:
        d = self.work / "docs" / re.sub(r"[^A-Za-z0-9.]+", "_", doc)
        if not d.exists():
            d.mkdir(parents=True)
            nm = d / "node_modules"
            nm.mkdir()
            (nm / "smsauth").symlink_to(ROOT / "node")
        return d

    def skip_reason(self, block: Block) -> Optional[str]:
        if block.doc == "README.md":
            for needle, reason in README_SKIPS:
                if needle in block.code:
                    return reason
        if "no-run" in block.flags:
            reason = block.attrs.get("reason")
            if not reason:
                return None  # a no-run without a reason is a failure (see run_block)
            return reason
        if block.lang in SKIP_LANGS and "file" not in block.attrs:
            return SKIP_LANGS[block.lang]
        return None

    # -- per language ---------------------------------------------------------------------------
    def run_python(self, block: Block, path: Path, cwd: Path) -> Tuple[str, str]:
        py = self.args.python
        if "official" in block.flags:
            py = str(ROOT / "build/venv-official/bin/python")
            if not Path(py).exists():
                return "skip", "the official Python SDK is not installed (tests/interop/run.sh installs it)"
        if "pytest" in block.flags:
            path = path.with_name(f"test_{path.name}.py")
            path.write_text(block.code, "utf-8")
            code, out = run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)], cwd, self.env)
            return ("ok" if code == 0 else "fail"), tail(out)
        path = path.with_suffix(".py")
        path.write_text(block.code, "utf-8")
        code, out = run([py, str(path)], cwd, self.env)
        return ("ok" if code == 0 else "fail"), tail(out)

    def run_node(self, block: Block, path: Path, cwd: Path) -> Tuple[str, str]:
        env = dict(self.env)
        if "official" in block.flags:
            modules = ROOT / "tests/interop/node/node_modules"
            if not (modules / "@alicloud/dypnsapi20170525").exists():
                return "skip", "the official Node SDK is not installed (tests/interop/run.sh installs it)"
            env["NODE_PATH"] = str(modules)
        esm = block.lang == "mjs" or (
            block.lang != "cjs" and re.search(r"^\s*(import|export)\s", block.code, re.M) is not None
        )
        if not esm and re.search(r"^await |[^.\w]await ", block.code) and "require(" not in block.code:
            esm = True
        target = path.with_suffix(".mjs" if esm else ".cjs")
        target.write_text(block.code, "utf-8")
        code, out = run(["node", str(target)], cwd, env)
        return ("ok" if code == 0 else "fail"), tail(out)

    def run_c(self, block: Block, path: Path, cwd: Path) -> Tuple[str, str]:
        cpp = block.lang in ("cpp", "c++", "cxx")
        compiler = "g++" if cpp else "gcc"
        if not shutil.which(compiler):
            return "skip", f"{compiler} is not installed"
        src = path.with_suffix(".cpp" if cpp else ".c")
        src.write_text(block.code, "utf-8")
        exe = path.with_suffix(".exe")
        cflags = subprocess.run(["pkg-config", "--cflags", "smsauth"], env=self.env, capture_output=True, text=True)
        libs = subprocess.run(["pkg-config", "--libs", "smsauth"], env=self.env, capture_output=True, text=True)
        libdir = subprocess.run(
            ["pkg-config", "--variable=libdir", "smsauth"], env=self.env, capture_output=True, text=True
        )
        if cflags.returncode or libs.returncode:
            return "fail", "pkg-config cannot find smsauth: " + cflags.stderr + libs.stderr
        std = ["-std=c++17"] if cpp else ["-std=c11"]
        cmd = [
            compiler, *std, "-Wall", "-Wextra", "-Werror", "-pedantic", *cflags.stdout.split(),
            "-o", str(exe), str(src), *libs.stdout.split(), f"-Wl,-rpath,{libdir.stdout.strip()}", "-pthread",
        ]
        code, out = run(cmd, cwd, self.env)
        if code:
            return "fail", "compile failed: " + " ".join(cmd) + "\n" + tail(out)
        code, out = run([str(exe)], cwd, self.env)
        return ("ok" if code == 0 else "fail"), tail(out) + ("" if code == 0 else f"\n(exit status {code})")

    def run_sh(self, block: Block, path: Path, cwd: Path) -> Tuple[str, str]:
        path = path.with_suffix(".sh")
        path.write_text(block.code, "utf-8")
        code, out = run(["bash", "-euo", "pipefail", str(path)], cwd, self.env)
        return ("ok" if code == 0 else "fail"), tail(out) + ("" if code == 0 else f"\n(exit status {code})")

    def run_data(self, block: Block, path: Path, cwd: Path) -> Tuple[str, str]:
        if block.lang == "json":
            try:
                json.loads(block.code)
            except ValueError as e:
                return "fail", f"not valid JSON: {e}"
            return "ok", ""
        if block.lang == "toml":
            import tomllib

            try:
                tomllib.loads(block.code)
            except tomllib.TOMLDecodeError as e:
                return "fail", f"not valid TOML: {e}"
            return "ok", ""
        return "fail", f"a {block.lang} block needs file=NAME (used by a later block) or no-run reason=\"...\""

    def run_rust(self, block: Block, path: Path, cwd: Path) -> Tuple[str, str]:
        if self.rust_binary is None and self.rust_error is None:
            self.compile_rust()
        if self.rust_error is not None:
            return "fail", self.rust_error
        assert self.rust_binary is not None
        code, out = run([str(self.rust_binary), block.ident], cwd, self.env)
        return ("ok" if code == 0 else "fail"), tail(out) + ("" if code == 0 else f"\n(exit status {code})")

    # -- Rust: every block is a module of one binary ---------------------------------------------
    def compile_rust(self) -> None:
        src = self.work / "rust"
        if src.exists():
            shutil.rmtree(src)
        src.mkdir(parents=True)
        mods, arms = [], []
        for block in self.rust_blocks:
            (src / f"{block.ident}.rs").write_text(rust_module(block), "utf-8")
            mods.append(f'#[path = "{block.ident}.rs"]\nmod {block.ident}; // {block.where}')
            arms.append(f'        "{block.ident}" => run({block.ident}::main),')
        extra = error_table.rust_check(self.tables)
        (src / "error_table.rs").write_text(extra, "utf-8")
        mods.append('#[path = "error_table.rs"]\nmod error_table; // docs/errors.md table')
        arms.append('        "error_table" => run(error_table::main),')
        main = (
            "#![allow(unused, dead_code, clippy::all)]\n"
            + "\n".join(mods)
            + "\n\nfn run<T: std::process::Termination>(f: fn() -> T) -> std::process::ExitCode {\n"
            "    f().report()\n}\n\n"
            "fn main() -> std::process::ExitCode {\n"
            "    let which = std::env::args().nth(1).unwrap_or_default();\n"
            "    match which.as_str() {\n" + "\n".join(arms) + "\n"
            '        other => { eprintln!("no sample {other:?}"); std::process::ExitCode::FAILURE }\n'
            "    }\n}\n"
        )
        (src / "main.rs").write_text(main, "utf-8")
        with open(self.args.rust_args, encoding="utf-8") as f:
            rustc_args = json.load(f)
        exe = src / "docs_samples"
        cmd = ["rustc", "--edition", "2024", "--crate-type", "bin", "--crate-name", "docs_samples",
               "-C", "debuginfo=0", "-A", "warnings", *rustc_args, "-o", str(exe), str(src / "main.rs")]
        start = time.monotonic()
        code, out = run(cmd, src, self.env)
        took = time.monotonic() - start
        if code:
            where = "\n".join(f"  {b.ident}.rs = {b.where}" for b in self.rust_blocks)
            self.rust_error = f"rustc failed ({took:.1f} s); modules:\n{where}\n{tail(out, 80)}"
        else:
            print(f"--   compiled {len(self.rust_blocks)} Rust blocks + the error table check into one binary in {took:.1f} s", flush=True)
            self.rust_binary = exe

    # -- the loop ----------------------------------------------------------------------------
    def run_block(self, block: Block) -> None:
        what = block.where
        reason = self.skip_reason(block)
        if reason is not None:
            self.result.record(what, block.lang or "-", "skip", reason)
            return
        if "no-run" in block.flags:
            self.result.record(what, block.lang, "fail", 'no-run needs a reason="..." attribute')
            return
        cwd = self.doc_dir(block.doc)
        if "file" in block.attrs:
            (cwd / block.attrs["file"]).write_text(block.code, "utf-8")
            if block.lang in DATA_LANGS or block.lang in SKIP_LANGS:
                self.pending_files.setdefault(block.doc, []).append(block)
                return
        handlers: Dict[str, Callable[[Block, Path, Path], Tuple[str, str]]] = {
            "python": self.run_python, "py": self.run_python,
            "js": self.run_node, "javascript": self.run_node, "mjs": self.run_node, "cjs": self.run_node,
            "c": self.run_c, "cpp": self.run_c, "c++": self.run_c,
            "sh": self.run_sh, "bash": self.run_sh, "shell": self.run_sh,
            "rust": self.run_rust,
            "json": self.run_data, "toml": self.run_data, "ini": self.run_data,
            "makefile": self.run_data, "make": self.run_data, "cmake": self.run_data,
        }
        handler = handlers.get(block.lang)
        if handler is None:
            self.result.record(what, block.lang, "fail", f'no runner for "{block.lang}": use text, or no-run reason="..."')
            return
        self.emulator.reset()
        start = time.monotonic()
        try:
            status, detail = handler(block, cwd / block.ident, cwd)
        except Exception as e:  # noqa: BLE001 - a harness error fails the block, loudly
            status, detail = "fail", f"harness error: {e!r}"
        self.result.record(what, block.lang, status, detail, time.monotonic() - start)
        self.doc_ok[block.doc] = self.doc_ok.get(block.doc, True) and status != "fail"

    def main(self, docs: List[Path]) -> int:
        all_blocks: List[Block] = []
        for doc in docs:
            all_blocks.extend(blocks(doc, ROOT))
        self.rust_blocks = [b for b in all_blocks if b.lang == "rust" and self.skip_reason(b) is None and "no-run" not in b.flags]
        self.tables = error_table.parse(ROOT / "docs/errors.md")
        self.pending_files: Dict[str, List[Block]] = {}
        self.doc_ok: Dict[str, bool] = {}
        try:
            for block in all_blocks:
                self.run_block(block)
            # Files written for later blocks pass when every runnable block of their page passed.
            for doc, files in self.pending_files.items():
                for block in files:
                    ok = self.doc_ok.get(doc)
                    if ok is None:
                        self.result.record(block.where, block.lang, "fail", f"file={block.attrs['file']} is used by no runnable block")
                    else:
                        self.result.record(block.where, block.lang, "ok" if ok else "fail",
                                           "" if ok else "a block of this page that uses it failed")
            self.check_error_table()
        finally:
            self.emulator.stop()
        r = self.result
        print("\nper language (passed/failed/skipped): " + ", ".join(
            f"{lang} {c[0]}/{c[1]}/{c[2]}" for lang, c in sorted(r.by_lang.items())), flush=True)
        if r.failures:
            print("failed: " + ", ".join(r.failures))
        print(f"{r.passed} passed, {r.failed} failed, {r.skipped} skipped")
        return 1 if r.failed else 0

    def check_error_table(self) -> None:
        """docs/errors.md's table against every binding (see error_table.py)."""
        what = "docs/errors.md table"
        if not self.tables:
            self.result.record(what, "table", "fail", "no error table found in docs/errors.md")
            return
        cwd = self.doc_dir("docs/errors.md")
        checks = [
            ("python", lambda: error_table.check_python(self.tables, self.args.python, cwd, self.env)),
            ("node", lambda: error_table.check_node(self.tables, cwd, self.env)),
            ("c", lambda: error_table.check_c(self.tables, cwd, self.env)),
        ]
        for lang, check in checks:
            self.emulator.reset()
            start = time.monotonic()
            try:
                status, detail = check()
            except Exception as e:  # noqa: BLE001
                status, detail = "fail", f"harness error: {e!r}"
            self.result.record(f"{what} vs {lang}", "table", status, detail, time.monotonic() - start)
        start = time.monotonic()
        if self.rust_binary is None and self.rust_error is None:
            self.compile_rust()
        if self.rust_error is not None:
            self.result.record(f"{what} vs rust", "table", "fail", self.rust_error)
            return
        assert self.rust_binary is not None
        code, out = run([str(self.rust_binary), "error_table"], cwd, self.env)
        self.result.record(f"{what} vs rust", "table", "ok" if code == 0 else "fail", tail(out), time.monotonic() - start)


def rust_module(block: Block) -> str:
    """A block as a module with `pub fn main`: whole programs as they are, fragments wrapped
    like rustdoc does (in a function returning Result, async under tokio when they await)."""
    code = block.code
    header = f"// {block.where}\n"
    if re.search(r"^\s*(pub\s+)?(async\s+)?fn\s+main\s*\(", code, re.M):
        code = re.sub(r"^(\s*)(async\s+)?fn\s+main\s*\(", r"\1pub \2fn main(", code, count=1, flags=re.M)
        return header + code
    uses = [l for l in code.splitlines() if re.match(r"^use\s", l)]
    body = "\n".join(l for l in code.splitlines() if not re.match(r"^use\s", l))
    body = "\n".join("    " + l if l else l for l in body.splitlines())
    if ".await" in code:
        sig = "#[tokio::main]\npub async fn main() -> Result<(), Box<dyn std::error::Error>>"
    else:
        sig = "pub fn main() -> Result<(), Box<dyn std::error::Error>>"
    return header + "\n".join(uses) + f"\n\n{sig} {{\n{body}\n    #[allow(unreachable_code)]\n    Ok(())\n}}\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("--smsauth-bin", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--rust-args", required=True, help="JSON list of rustc arguments (--extern, -L)")
    ap.add_argument("docs", nargs="+")
    args = ap.parse_args()
    args.python = str(Path(args.python).absolute())
    args.smsauth_bin = str(Path(args.smsauth_bin).resolve())
    args.prefix = str(Path(args.prefix).resolve())
    docs = [Path(d).resolve() for d in args.docs]
    return Runner(args).main(docs)


if __name__ == "__main__":
    sys.exit(main())
