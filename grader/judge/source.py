"""The learner's file before anything runs: text, UTF-8, Python.

A file that cannot be run is the learner's failure (one clear check). Reading it (and a missing
or unreadable file, which is bad input to the grader) is ``grader.submission``'s.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from grader.i18n import Catalogue, english
from grader.judge.hints import Hint, hint
from grader.judge.syntax import compile_source, parse
from grader.report import Check


def _undecodable(data: bytes) -> tuple[int, str] | None:
    """The line (1-based) and the reason where ``data`` stops being UTF-8, or None."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return line, f"byte 0x{data[exc.start]:02x}: {exc.reason}"
    return None


def source_problem(path: Path, data: bytes, catalogue: Catalogue | None = None) -> Check | None:
    """A failed ``source`` check when the file cannot run as Python, else None."""
    words = catalogue or english()

    def failed(observed: str, tip: Hint, line: int | None = None) -> Check:
        return Check(
            "source",
            "is a Python script",
            "the file",
            "failed",
            expected="a UTF-8 Python script",
            observed=observed,
            hint=tip.text,
            hint_key=tip.key,
            mistake=tip.mistake,
            fix=tip.fix,
            line=line,
        )

    if not data.strip():
        return failed("an empty file", hint("empty", words))
    if b"\x00" in data:
        return failed("a file with NUL bytes (binary?)", hint("binary", words))
    bad = _undecodable(data)
    if bad is not None and not data.startswith(b"# -*- coding") and b"coding:" not in data[:200]:
        # Said here, with its line: Python's own message nests brackets and names no line.
        line, detail = bad
        return failed(
            f"text that is not UTF-8 (line {line})",
            hint("not_utf8", words, line=line, detail=detail),
            line,
        )
    try:
        compile_source(data, str(path))
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if "decode" in message or "UTF-8" in message or "utf-8" in message or "encoding" in message:
            bad = _undecodable(data) or (0, message)
            tip = hint("not_utf8", words, line=bad[0], detail=bad[1])
            return failed("text that is not UTF-8", tip, bad[0] or None)
        where = f"line {exc.lineno}" if exc.lineno else "somewhere"
        text = (exc.text or "").rstrip("\n")
        observed = f"SyntaxError at {where}: {message}" + (f"\n    {text}" if text.strip() else "")
        tip = hint("syntax", words, message=message, line=exc.lineno or "?")
        return failed(observed, tip, exc.lineno or None)
    except (ValueError, MemoryError, RecursionError) as exc:
        return failed(f"a file Python cannot compile ({type(exc).__name__})", hint("binary", words))
    shadowed = shadowed_module(path.stem, data)
    if shadowed is not None:
        observed = f"a file named {path.name}, which `import {shadowed}` would load itself"
        return failed(observed, hint("shadows_module", words, name=path.name, module=shadowed))
    return None


def shadowed_module(stem: str, data: bytes) -> str | None:
    """The standard module the file is named after and imports, if any (``socket.py``)."""
    if stem not in sys.stdlib_module_names:
        return None
    try:
        tree = parse(data)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None  # already compiled above: cannot happen, and no reason to fail here
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name.split(".")[0] == stem for name in names):
            return stem
    return None
