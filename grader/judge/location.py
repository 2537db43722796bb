"""Where in the learner's file a run went wrong, from the traceback its interpreter printed.

Strategy: the interpreter prints tracebacks as ``python script.py`` does (``File "...", line N``);
the last frame in the learner's own file is the line to point at. What the program wrote to
stderr is its own text, so at worst a forged traceback points its author at a wrong line of
their own file; it never changes a verdict.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_FRAME = re.compile(r'^\s*File "(?P<file>[^"\n]+)", line (?P<line>\d+)', re.M)
# Output written after the traceback (or a huge one) is not searched past this many characters.
_TAIL = 64 * 1024


def learner_line(stderr: bytes, names: Sequence[str]) -> int | None:
    """The line of the last traceback frame in a file called one of ``names``, or None."""
    text = stderr[-_TAIL:].decode("utf-8", "replace")
    start = text.rfind("Traceback (most recent call last):")
    if start < 0:
        return None
    line = None
    for match in _FRAME.finditer(text, start):
        if match["file"] in names:
            line = int(match["line"])
    return line
