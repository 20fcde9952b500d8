"""The error table of docs/errors.md, checked against every binding.

The table (the one whose header starts with ``| core `ErrorKind` ``) has one row per core kind:
variant and name, number, C status, Python class (and the builtin it also is), JS ``code``, and
typical service codes. Each binding is checked statically (the names exist and map as stated)
and live against the emulator: errors are provoked for real and must arrive as the class / code
of their row, with a service code that the row lists. The C-only table (``| C-only status``)
is checked against the header.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

TICK = re.compile(r"`([^`]+)`")


@dataclass
class Row:
    variant: str
    name: str
    code: int
    c_status: str
    py_class: str
    py_also: List[str]
    js_code: str
    service_codes: List[str] = field(default_factory=list)


@dataclass
class Tables:
    rows: List[Row]
    c_only: List[Tuple[str, int, str]]  # status, value, smsauth_status_str name

    def __bool__(self) -> bool:
        return bool(self.rows)

    def by_name(self) -> Dict[str, Row]:
        return {r.name: r for r in self.rows}


def _cells(line: str) -> List[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse(path: Path) -> Tables:
    rows: List[Row] = []
    c_only: List[Tuple[str, int, str]] = []
    mode = ""
    for line in path.read_text("utf-8").splitlines():
        if not line.startswith("|"):
            mode = ""
            continue
        cells = _cells(line)
        if cells[0].startswith("core `ErrorKind`"):
            mode = "main"
            continue
        if cells[0].startswith("C-only status"):
            mode = "c"
            continue
        if set(cells[0]) <= set("-: "):
            continue
        if mode == "main":
            kind = TICK.findall(cells[0])
            py = TICK.findall(cells[3])
            codes = TICK.findall(cells[5])
            for c in codes:
                if "*" in c:
                    raise ValueError(f"docs/errors.md: write concrete service codes, not patterns: {c}")
            rows.append(
                Row(
                    variant=kind[0],
                    name=kind[1],
                    code=int(re.sub(r"\D", "", cells[1])),
                    c_status=TICK.findall(cells[2])[0],
                    py_class=py[0].split(".")[-1],
                    py_also=py[1:],
                    js_code=TICK.findall(cells[4])[0],
                    service_codes=codes,
                )
            )
        elif mode == "c":
            status = TICK.findall(cells[0])[0]
            c_only.append((status, int(re.sub(r"\D", "", cells[1])), TICK.findall(cells[2])[0]))
    return Tables(rows, c_only)


# -- Rust ------------------------------------------------------------------------------------
def rust_check(tables: Tables) -> str:
    """A module (compiled with the Rust blocks) checking kinds, numbers, names and
    `smsauth::error::kind_for_service_code` for every listed service code."""
    lines = [
        "use smsauth::ErrorKind;",
        "pub fn main() -> Result<(), String> {",
        "    let mut problems: Vec<String> = Vec::new();",
        f"    if ErrorKind::ALL.len() != {len(tables.rows)} {{ problems.push(format!(\"the table has {len(tables.rows)} rows, ErrorKind::ALL has {{}}\", ErrorKind::ALL.len())); }}",
    ]
    for i, r in enumerate(tables.rows):
        lines += [
            f"    let k = ErrorKind::{r.variant};",
            f"    if k.code() != {r.code} {{ problems.push(format!(\"{r.variant}: code {{}} != {r.code}\", k.code())); }}",
            f"    if k.name() != {json.dumps(r.name)} {{ problems.push(format!(\"{r.variant}: name {{}} != {r.name}\", k.name())); }}",
            f"    if ErrorKind::ALL.get({i}) != Some(&k) {{ problems.push(\"{r.variant}: not at position {i} of ErrorKind::ALL\".into()); }}",
        ]
        for sc in r.service_codes:
            lines.append(
                f"    if smsauth::error::kind_for_service_code({json.dumps(sc)}) != k {{ problems.push(format!(\"service code {sc}: kind {{}} (the table says {r.name})\", smsauth::error::kind_for_service_code({json.dumps(sc)}))); }}"
            )
    lines += [
        "    if problems.is_empty() {",
        f"        println!(\"{len(tables.rows)} kinds and {sum(len(r.service_codes) for r in tables.rows)} service codes match smsauth::ErrorKind and kind_for_service_code\");",
        "        Ok(())",
        "    } else { Err(problems.join(\"\\n\")) }",
        "}",
    ]
    return "\n".join(lines) + "\n"


# -- Python ----------------------------------------------------------------------------------
PY_CHECK = r'''
import json, os, sys, urllib.request
import smsauth, smsauth.errors as errors, builtins

rows = json.loads(sys.argv[1])
by_name = {r["name"]: r for r in rows}
problems = []
for r in rows:
    cls = getattr(smsauth, r["py_class"], None)
    if cls is None or getattr(errors, r["py_class"], None) is not cls:
        problems.append(f"{r['py_class']}: not smsauth.{r['py_class']} / smsauth.errors.{r['py_class']}")
        continue
    if not issubclass(cls, smsauth.SmsAuthError):
        problems.append(f"{r['py_class']}: not an SmsAuthError")
    if cls.kind != r["name"] or cls.kind_code != r["code"]:
        problems.append(f"{r['py_class']}: kind {cls.kind!r} ({cls.kind_code}), table says {r['name']!r} ({r['code']})")
    if errors.error_class(r["name"]) is not cls:
        problems.append(f"error_class({r['name']!r}) is {errors.error_class(r['name'])}")
    for also in r["py_also"]:
        base = getattr(builtins, also.split(".")[-1])
        if not issubclass(cls, base):
            problems.append(f"{r['py_class']}: not a {also}")
if len(rows) != len(errors._BY_KIND):
    problems.append(f"the table has {len(rows)} kinds, smsauth.errors has {len(errors._BY_KIND)}")

# Live: provoke each error against the emulator; it must be the row's class, and a service
# code, when there is one, must be listed in that row.
ep = os.environ["SMSAUTH_ENDPOINT"]
def hook(path, body):
    req = urllib.request.Request(ep + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()
def client(**kw):
    opts = dict(endpoint=ep, sign_name="速通互联验证码", template_code="100001")
    opts.update(kw)
    key = opts.pop("key", ("testid", "testsecret"))
    return smsauth.Client(*key, **opts)
def twice():
    c = client(); c.send_code("13800138000"); c.send_code("13800138000")
def throttle():
    hook("/_emulator/faults", {"kind": "throttle", "action": "CheckSmsVerifyCode", "times": 5})
    client().check_code("13800138000", "1234")
def html():
    hook("/_emulator/faults", {"kind": "malformed", "action": "CheckSmsVerifyCode", "times": 5})
    client().check_code("13800138000", "1234")
def slow():
    hook("/_emulator/faults", {"kind": "latency", "ms": 3000, "action": "CheckSmsVerifyCode", "times": 5})
    client(timeout=0.5).check_code("13800138000", "1234")
def guard():
    c = client(guard=smsauth.Guard(phone=[(1, 60)]))
    c.send_code("13800138001"); c.send_code("13800138001")
cases = [
    ("invalid_input", lambda: client().send_code("12")),
    ("credentials", lambda: client(key=(None, None), profile="no-such-profile").send_code("13800138000")),
    ("network", lambda: client(endpoint="http://127.0.0.1:9", max_attempts=1).send_code("13800138000")),
    ("timeout", slow),
    ("authentication", lambda: client(key=("testid", "wrong-secret")).send_code("13800138000")),
    ("authentication", lambda: client(key=("LTAI5tNoSuchKey0001", "x")).send_code("13800138000")),
    ("throttled", twice),
    ("throttled", throttle),
    ("service", lambda: (hook("/_emulator/faults", {"kind": "server_error", "status": 500, "action": "SendSmsVerifyCode", "times": 1}), client().send_code("13800138000"))),
    ("protocol", html),
    ("guard_denied", guard),
]
seen = 0
for kind, provoke in cases:
    row = by_name[kind]
    hook("/_emulator/reset", {})
    try:
        provoke()
    except smsauth.SmsAuthError as e:
        seen += 1
        if type(e).__name__ != row["py_class"]:
            problems.append(f"live {kind}: raised {type(e).__name__} ({e.code}: {e}), the table says {row['py_class']}")
        elif e.code is not None and e.code not in row["service_codes"]:
            problems.append(f"live {kind}: service code {e.code} is not listed in the {kind} row")
        elif e.code is None and row["service_codes"] and kind in ("throttled", "authentication", "service"):
            problems.append(f"live {kind}: no service code")
    else:
        problems.append(f"live {kind}: no error raised")
if problems:
    sys.exit("\n".join(problems))
print(f"{len(rows)} classes match; {seen} errors provoked live arrived as their row says")
'''


def check_python(tables: Tables, python: str, cwd: Path, env: Dict[str, str]) -> Tuple[str, str]:
    rows = json.dumps([r.__dict__ for r in tables.rows])
    p = subprocess.run([python, "-c", PY_CHECK, rows], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    return ("ok" if p.returncode == 0 else "fail"), (p.stdout + p.stderr).strip()


# -- Node ------------------------------------------------------------------------------------
JS_CHECK = r'''
import { Client, ErrorCode, SmsAuthError } from 'smsauth'
const rows = JSON.parse(process.argv[2])
const byName = Object.fromEntries(rows.map((r) => [r.name, r]))
const problems = []
const values = Object.values(ErrorCode)
if (values.length !== rows.length) problems.push(`ErrorCode has ${values.length} codes, the table ${rows.length}`)
for (const r of rows) {
  const key = r.js_code.replace(/^ERR_SMSAUTH_/, '')
  if (ErrorCode[key] !== r.js_code) problems.push(`ErrorCode.${key} is ${ErrorCode[key]}, the table says ${r.js_code}`)
}
const ep = process.env.SMSAUTH_ENDPOINT
const hook = (path, body) => fetch(ep + path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }).then((r) => r.text())
const client = (o = {}) => new Client({ endpoint: ep, accessKeyId: 'testid', accessKeySecret: 'testsecret', signName: '速通互联验证码', templateCode: '100001', ...o })
const cases = [
  ['invalid_input', () => client().sendCode('12')],
  ['credentials', () => client({ accessKeyId: undefined, accessKeySecret: undefined, profile: 'no-such-profile' }).sendCode('13800138000')],
  ['network', () => client({ endpoint: 'http://127.0.0.1:9', retry: { maxAttempts: 1 } }).sendCode('13800138000')],
  ['timeout', async () => { await hook('/_emulator/faults', { kind: 'latency', ms: 3000, action: 'CheckSmsVerifyCode', times: 5 }); return client({ timeoutMs: 500 }).checkCode('13800138000', '1234') }],
  ['authentication', () => client({ accessKeySecret: 'wrong-secret' }).sendCode('13800138000')],
  ['authentication', () => client({ accessKeyId: 'LTAI5tNoSuchKey0001' }).sendCode('13800138000')],
  ['throttled', async () => { const c = client(); await c.sendCode('13800138000'); return c.sendCode('13800138000') }],
  ['throttled', async () => { await hook('/_emulator/faults', { kind: 'throttle', action: 'CheckSmsVerifyCode', times: 5 }); return client().checkCode('13800138000', '1234') }],
  ['service', async () => { await hook('/_emulator/faults', { kind: 'server_error', status: 500, action: 'SendSmsVerifyCode', times: 1 }); return client().sendCode('13800138000') }],
  ['protocol', async () => { await hook('/_emulator/faults', { kind: 'malformed', action: 'CheckSmsVerifyCode', times: 5 }); return client().checkCode('13800138000', '1234') }],
  ['guard_denied', async () => { const c = client({ guard: { phone: [{ max: 1, windowSeconds: 60 }] } }); await c.sendCode('13800138001'); return c.sendCode('13800138001') }],
]
let seen = 0
for (const [kind, provoke] of cases) {
  const row = byName[kind]
  await hook('/_emulator/reset', {})
  try {
    await provoke()
    problems.push(`live ${kind}: no error`)
  } catch (e) {
    seen++
    if (!(e instanceof SmsAuthError)) problems.push(`live ${kind}: not an SmsAuthError: ${e}`)
    else if (e.code !== row.js_code) problems.push(`live ${kind}: code ${e.code} (${e.serviceCode}: ${e.message}), the table says ${row.js_code}`)
    else if (e.kind !== row.name) problems.push(`live ${kind}: kind ${e.kind}`)
    else if (e.serviceCode !== undefined && !row.service_codes.includes(e.serviceCode)) problems.push(`live ${kind}: service code ${e.serviceCode} is not listed in the ${kind} row`)
  }
}
if (problems.length) { console.error(problems.join('\n')); process.exit(1) }
console.log(`${rows.length} codes match; ${seen} errors provoked live arrived as their row says`)
'''


def check_node(tables: Tables, cwd: Path, env: Dict[str, str]) -> Tuple[str, str]:
    script = cwd / "error_table_check.mjs"
    script.write_text(JS_CHECK, "utf-8")
    rows = json.dumps([r.__dict__ for r in tables.rows])
    p = subprocess.run(["node", str(script), rows], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    return ("ok" if p.returncode == 0 else "fail"), (p.stdout + p.stderr).strip()


# -- C ---------------------------------------------------------------------------------------
def check_c(tables: Tables, cwd: Path, env: Dict[str, str]) -> Tuple[str, str]:
    checks = []
    for r in tables.rows:
        checks.append(f'    CHECK({r.c_status}, {r.code}, "{r.name}");')
    for status, value, name in tables.c_only:
        checks.append(f'    CHECK({status}, {value}, "{name}");')
    by = tables.by_name()
    src = (
        "#include <smsauth.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
        "static int problems = 0;\n"
        "#define CHECK(status, value, name) do { \\\n"
        "    if ((status) != (value)) { printf(#status \" is %d, the table says %d\\n\", (int)(status), (value)); problems++; } \\\n"
        "    if (strcmp(smsauth_status_str(value), name) != 0) { printf(\"smsauth_status_str(%d) is %s, the table says %s\\n\", (value), smsauth_status_str(value), name); problems++; } \\\n"
        "} while (0)\n"
        "static int live(smsauth_status st, smsauth_error *err, smsauth_status want, const char *codes) {\n"
        "    const char *code = smsauth_error_service_code(err);\n"
        "    int listed = 0;\n"
        "    if (code) { size_t n = strlen(code); for (const char *p = strstr(codes, code); p; p = strstr(p + 1, code))\n"
        "        if ((p == codes || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) listed = 1; }\n"
        "    int bad = st != want || (code && !listed) || (!code && codes[0]);\n"
        "    if (bad) printf(\"live: status %s, service code %s; the table says %s with one of %s\\n\", smsauth_status_str(st), code ? code : \"(none)\", smsauth_status_str(want), codes);\n"
        "    smsauth_error_free(err);\n"
        "    return bad;\n"
        "}\n"
        "int main(void) {\n" + "\n".join(checks) + "\n"
        "    smsauth_config_builder *b = smsauth_config_builder_new();\n"
        "    smsauth_client *c = NULL; smsauth_error *err = NULL;\n"
        "    smsauth_config_builder_set_endpoint(b, getenv(\"SMSAUTH_ENDPOINT\"), NULL);\n"
        "    smsauth_config_builder_set_access_key(b, \"testid\", \"testsecret\", NULL);\n"
        "    smsauth_config_builder_set_sign_name(b, \"速通互联验证码\", NULL);\n"
        "    smsauth_config_builder_set_template_code(b, \"100001\", NULL);\n"
        "    if (smsauth_config_builder_build(b, &c, NULL) != SMSAUTH_STATUS_OK) { puts(\"build failed\"); return 1; }\n"
        "    smsauth_status st = smsauth_send_code(c, \"12\", NULL, &err);\n"
        f"    problems += live(st, err, {by['invalid_input'].c_status}, \"\");\n"
        "    err = NULL; smsauth_send_code(c, \"13800138002\", NULL, NULL);\n"
        "    st = smsauth_send_code(c, \"13800138002\", NULL, &err);\n"
        f"    problems += live(st, err, {by['throttled'].c_status}, \"{' '.join(by['throttled'].service_codes)}\");\n"
        "    err = NULL; smsauth_client_free(c); c = NULL;\n"
        "    smsauth_config_builder_set_access_key(b, \"testid\", \"wrong-secret\", NULL);\n"
        "    smsauth_config_builder_build(b, &c, NULL);\n"
        "    st = smsauth_send_code(c, \"13800138000\", NULL, &err);\n"
        f"    problems += live(st, err, {by['authentication'].c_status}, \"{' '.join(by['authentication'].service_codes)}\");\n"
        "    smsauth_client_free(c); smsauth_config_builder_free(b);\n"
        "    if (problems) return 1;\n"
        f"    printf(\"{len(tables.rows) + len(tables.c_only)} statuses match smsauth.h and smsauth_status_str; 3 live errors as the table says\\n\");\n"
        "    return 0;\n}\n"
    )
    path = cwd / "error_table_check.c"
    path.write_text(src, "utf-8")
    exe = cwd / "error_table_check"
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "smsauth"], env=env, capture_output=True, text=True)
    libdir = subprocess.run(["pkg-config", "--variable=libdir", "smsauth"], env=env, capture_output=True, text=True)
    cmd = ["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", str(path), *flags.stdout.split(),
           f"-Wl,-rpath,{libdir.stdout.strip()}", "-o", str(exe)]
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode:
        return "fail", "compile: " + p.stdout + p.stderr
    p = subprocess.run([str(exe)], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    return ("ok" if p.returncode == 0 else "fail"), (p.stdout + p.stderr).strip()
