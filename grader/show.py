"""Showing bytes and text to a learner: Python literals, first difference marked, bounded length.

Pure functions. A value is shown as the literal Python would print (``b'Wake up, Neo\\n'``), so
an invisible newline or a ``b'...'`` that was printed by mistake is plain to see; a long value is
cut to a window around its first difference, never to its first few characters.
"""

from __future__ import annotations

from dataclasses import dataclass

# Characters of a value shown at most, around the first difference: with the report's labels
# (16 columns) and a label such as "message 1 of 3: ", a line stays within 100 columns.
WINDOW = 64
LEAD = 24  # of which, before the difference


@dataclass(frozen=True)
class Shown:
    """Expected and observed literals, and a caret line under the first difference."""

    expected: str
    observed: str
    marker: str


def _quote(value: bytes | str) -> str:
    sample = value if isinstance(value, str) else value.decode("latin-1")
    return '"' if "'" in sample and '"' not in sample else "'"


def _pieces(value: bytes | str, quote: str, raw_backslash: bool = False) -> list[str]:
    """The literal's body, one escaped piece per byte or character, as ``repr`` writes them.

    With ``raw_backslash``, a backslash in a str stays one backslash: printed text is shown as
    the terminal showed it (``b'\xc3'`` printed by ``print(str(data))`` is not doubled).
    """
    if isinstance(value, bytes):
        out = []
        for byte in value:
            ch = chr(byte)
            if ch == quote or ch == "\\":
                out.append("\\" + ch)
            elif ch in "\t\n\r":
                out.append({"\t": "\\t", "\n": "\\n", "\r": "\\r"}[ch])
            elif 32 <= byte < 127:
                out.append(ch)
            else:
                out.append(f"\\x{byte:02x}")
        return out
    out = []
    for ch in value:
        if ch == "\\" and raw_backslash:
            out.append(ch)
        elif ch == quote or ch == "\\":
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])  # \n, \x1b, \u200b: visible, and never a live escape code
    return out


def literal(
    value: bytes | str, start: int = 0, end: int | None = None, raw_backslash: bool = False
) -> str:
    """``value`` as a Python literal, or the window ``[start:end]`` of it with ``…`` for the cuts."""
    quote = _quote(value)
    pieces = _pieces(value, quote, raw_backslash)
    end = len(pieces) if end is None else min(end, len(pieces))
    head = ("b" if isinstance(value, bytes) else "") + quote if start == 0 else "…"
    tail = quote if end >= len(pieces) else "…"
    return head + "".join(pieces[start:end]) + tail


def first_difference(a: bytes | str, b: bytes | str) -> int | None:
    """Index of the first element where ``a`` and ``b`` differ (or where the shorter ends)."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


def _window(pieces: list[str], diff: int) -> tuple[int, int]:
    """Piece indices [start, end) to show: about LEAD characters before ``diff``, WINDOW in all."""
    start, used = diff, 0
    while start > 0 and used + len(pieces[start - 1]) <= LEAD:
        start -= 1
        used += len(pieces[start])
    end, used = start, 0
    while end < len(pieces) and used + len(pieces[end]) <= WINDOW:
        used += len(pieces[end])
        end += 1
    return start, max(end, min(diff + 1, len(pieces)))


def compare(expected: bytes | str, observed: bytes | str, raw_backslash: bool = False) -> Shown:
    """Both values as literals, aligned on a window around their first difference."""
    raw = raw_backslash
    diff = first_difference(expected, observed)
    if diff is None:
        return Shown(literal(expected, raw_backslash=raw), literal(observed, raw_backslash=raw), "")
    quote = _quote(observed)
    obs_pieces = _pieces(observed, quote, raw)
    exp_pieces = _pieces(expected, _quote(expected), raw)
    longest = max(sum(map(len, obs_pieces)), sum(map(len, exp_pieces)))
    if longest <= WINDOW:
        start, end = 0, max(len(obs_pieces), len(exp_pieces))
    else:
        start, end = _window(obs_pieces if len(obs_pieces) > diff else exp_pieces, diff)
    # The caret sits under the literal's opening (b' or …) plus the pieces before the difference.
    head = (2 if isinstance(observed, bytes) else 1) if start == 0 else 1
    column = head + sum(len(p) for p in obs_pieces[start:diff])
    shown_exp = literal(expected, start, end, raw)
    if isinstance(expected, bytes) and not expected.isascii():
        try:
            shown_exp += f"\n= {expected.decode('utf-8')!r} encoded as UTF-8"
        except UnicodeDecodeError:
            pass
    return Shown(shown_exp, literal(observed, start, end, raw), " " * column + "^")


def printable(text: str, newlines: bool = False) -> str:
    """``text`` with every control character escaped (an ANSI escape shows as ``\\x1b``).

    This is the one escaping of learner-controlled text (source lines, exception messages,
    file names, output): every ``Check`` and ``Report`` passes its text through it when made,
    so no renderer ever receives a live escape code, a carriage return, a bidirectional
    override or a lone surrogate. ``newlines`` keeps ``\\n`` for fields that span lines.
    Escaping is idempotent: what it returns is left as it is.
    """
    return "".join(
        ch if ch.isprintable() or ch == " " or (newlines and ch == "\n") else repr(ch)[1:-1]
        for ch in text
    )


def display_path(path: object) -> str:
    """A file name safe to print anywhere: undecodable bytes and control characters escaped."""
    raw = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return printable(raw)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
