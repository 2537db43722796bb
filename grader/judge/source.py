"""The learner's file before anything runs: text, UTF-8, Python.

A file that cannot be run is the learner's failure (one clear check). Reading it (and a missing
or unreadable file, which is bad input to the grader) is ``grader.submission``'s.
"""

from __future__ import annotations

from pathlib import Path

from grader.judge.hints import Hint, hint
from grader.report import Check


def source_problem(path: Path, data: bytes) -> Check | None:
    """A failed ``source`` check when the file cannot run as Python, else None."""

    def failed(observed: str, tip: Hint) -> Check:
        return Check(
            "source",
            "is a Python script",
            "the file",
            "failed",
            expected="a UTF-8 Python script",
            observed=observed,
            hint=tip.text,
            hint_key=tip.key,
        )

    if not data.strip():
        return failed("an empty file", hint("empty"))
    if b"\x00" in data:
        return failed("a file with NUL bytes (binary?)", hint("binary"))
    try:
        compile(data, str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if "decode" in message or "UTF-8" in message or "utf-8" in message or "encoding" in message:
            return failed("text that is not UTF-8", hint("not_utf8", message=message))
        where = f"line {exc.lineno}" if exc.lineno else "somewhere"
        text = (exc.text or "").rstrip("\n")
        observed = f"SyntaxError at {where}: {message}" + (f"\n    {text}" if text.strip() else "")
        return failed(observed, hint("syntax", message=message, line=exc.lineno or "?"))
    except (ValueError, MemoryError, RecursionError) as exc:
        return failed(f"a file Python cannot compile ({type(exc).__name__})", hint("binary"))
    return None
