"""A learner's submission: read from disk safely, or checked where it is held in memory.

Strategy: the path comes from the command line or a caller, and the file may be anything a
learner or a repository can put there. It is opened once, non-blocking (opening a FIFO for
reading would otherwise wait for a writer forever), with ``O_NOCTTY`` (a terminal never becomes
the grader's), following a symlink named here as Unix tools do; then the open descriptor, not
the name, is checked to be a regular file, so nothing can be swapped in between. Anything else
is ``BadInput`` with one line naming the thing and the fix. Bytes a platform holds in memory
(``held_submission``) pass the same size check and are never written to disk here: the sandbox
gets them through a descriptor, as it gets a file's bytes.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from grader.errors import BadInput, Phrase
from grader.show import display_path

MAX_SOURCE = 1024 * 1024

# What a path that is no regular file is: the key of its words in ``grader.i18n.MESSAGES``.
_KINDS = (
    (stat.S_ISFIFO, "input.kind.fifo"),
    (stat.S_ISCHR, "input.kind.char"),
    (stat.S_ISBLK, "input.kind.block"),
    (stat.S_ISSOCK, "input.kind.socket"),
)


def _kind(mode: int) -> Phrase:
    for test, key in _KINDS:
        if test(mode):
            return Phrase(key)
    return Phrase("input.kind.other")


def _unreadable(shown: str, exc: OSError) -> BadInput:
    if exc.errno == errno.EACCES:  # the usual reason, said in the learner's words too
        return BadInput.told("input.unreadable", path=shown, reason=Phrase("input.denied"))
    return BadInput.told("input.unreadable", path=shown, reason=exc.strerror)


def read_submission(path: Path) -> bytes:
    """The file's bytes; ``BadInput`` unless it is a readable regular file of at most 1 MiB."""
    shown = display_path(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    if "\0" in os.fspath(path):
        raise BadInput.told("input.nul", path=shown)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise BadInput.told("input.missing", path=shown) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BadInput.told("input.loop", path=shown) from None
        if exc.errno == errno.ENXIO:  # a socket file, or a device with nothing behind it
            try:
                kind = _kind(os.stat(path).st_mode)
            except OSError:
                kind = Phrase("input.kind.other")
            raise BadInput.told("input.not_a_file", path=shown, kind=kind) from None
        raise _unreadable(shown, exc) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise BadInput.told("input.folder", path=shown)
        if not stat.S_ISREG(mode):
            raise BadInput.told("input.not_a_file", path=shown, kind=_kind(mode))
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_SOURCE:
            chunk = os.read(fd, MAX_SOURCE + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise _unreadable(shown, exc) from None
    finally:
        os.close(fd)
    if size > MAX_SOURCE:
        raise BadInput.told("input.too_big", path=shown)
    return b"".join(chunks)


def held_submission(source: object, filename: object) -> tuple[bytes, str]:
    """``source`` (bytes, or text as UTF-8) and its ``filename``, checked as a file would be.

    ``BadInput`` unless ``filename`` is a printable file name and the bytes fit in 1 MiB.
    """
    if not isinstance(filename, str) or not filename.strip() or not filename.isprintable():
        raise BadInput(
            f"filename {filename!r}: give the submission's file name, e.g. 'submission.py'"
        )
    if isinstance(source, str):
        try:
            data = source.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadInput(
                f"{filename}: the text cannot be written as UTF-8 ({exc.reason})"
            ) from None
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        raise BadInput(
            f"{filename}: source is {type(source).__name__}; give the file's bytes or its text"
        )
    if len(data) > MAX_SOURCE:
        raise BadInput(f"{filename}: over 1 MiB, not a practice solution; send the script only")
    return data, filename
