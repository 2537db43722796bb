"""Parsing a learner's source, one parse at a time.

Strategy: CPython 3.11 keeps the AST validator's recursion depth in state shared by the whole
interpreter, so two threads parsing at once (gradings side by side in ``grade_many``) can fail
with ``SystemError: AST constructor recursion depth mismatch``. Every parse and compile of a
learner's source in the judge goes through here, under one lock; a parse costs microseconds.
"""

from __future__ import annotations

import ast
import threading
from types import CodeType

_ONE_AT_A_TIME = threading.Lock()


def parse(source: bytes | str) -> ast.Module:
    """``ast.parse(source)``, serialised (see the module's strategy)."""
    with _ONE_AT_A_TIME:
        return ast.parse(source)


def compile_source(source: bytes, filename: str) -> CodeType:
    """``compile(source, filename, "exec")`` as the learner's interpreter would, serialised."""
    with _ONE_AT_A_TIME:
        return compile(source, filename, "exec", dont_inherit=True)
