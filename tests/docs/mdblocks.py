"""Fenced code blocks of a Markdown file, with their info strings and line numbers.

The info string is ``LANG [ATTR ...]``; attributes are words (``no-run``, ``official``) or
``key=value`` pairs (``file=app.c``, ``reason="..."``). See tests/docs/README.md.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@dataclass
class Block:
    doc: str  # path relative to the repository root
    line: int  # line of the opening fence (1-based)
    lang: str
    flags: List[str] = field(default_factory=list)
    attrs: Dict[str, str] = field(default_factory=dict)
    code: str = ""

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}"

    @property
    def ident(self) -> str:
        stem = re.sub(r"[^A-Za-z0-9]+", "_", Path(self.doc).stem).strip("_").lower()
        return f"{stem}_l{self.line}"


def parse_info(info: str) -> tuple[str, List[str], Dict[str, str]]:
    try:
        words = shlex.split(info)
    except ValueError:
        words = info.split()
    if not words:
        return "", [], {}
    lang, flags, attrs = words[0].lower(), [], {}
    for word in words[1:]:
        if "=" in word:
            key, value = word.split("=", 1)
            attrs[key] = value
        else:
            flags.append(word)
    return lang, flags, attrs


def blocks(path: Path, root: Path) -> List[Block]:
    out: List[Block] = []
    lines = path.read_text("utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent = m.group("fence"), len(m.group("indent"))
        lang, flags, attrs = parse_info(m.group("info").strip())
        start = i
        body: List[str] = []
        i += 1
        while i < len(lines):
            close = lines[i].strip()
            if close.startswith(fence[0] * len(fence)) and set(close) == {fence[0]}:
                break
            line = lines[i]
            # Strip the fence's indentation from the content, as CommonMark does.
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))):])
            i += 1
        i += 1
        out.append(
            Block(
                doc=str(path.relative_to(root)),
                line=start + 1,
                lang=lang,
                flags=flags,
                attrs=attrs,
                code="\n".join(body) + "\n",
            )
        )
    return out
