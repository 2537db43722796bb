"""The two kinds of trouble that are not a learner's failing check.

``BadInput`` is the caller's to fix (exit status 2): a missing file, an unknown problem, a
malformed spec or configuration. ``GraderFault`` is ours (exit status 3). Both carry a message
meant to be shown as it is, naming the thing and the fix. A ``BadInput`` a learner meets (their
own file, the problem asked for, the command line) is made with ``BadInput.told``: its text is
the English of a key of ``grader.i18n.MESSAGES``, and it keeps the key and the fields so that the
command line can say it in the learner's language (``Catalogue.said``); the library's callers
still get the English text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# The exit status of the command line, and of a Report (``Report.exit_code``).
EXIT_PASS, EXIT_FAIL, EXIT_BAD_INPUT, EXIT_GRADER_FAULT = 0, 1, 2, 3


@dataclass(frozen=True)
class Phrase:
    """A word of ``MESSAGES`` inside a message's fields, said in the reader's language."""

    key: str


class BadInput(Exception):
    """Input to the grader itself is wrong: the message names the thing and the fix."""

    def __init__(
        self, message: str, key: str = "", fields: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.key = key  # "" for a message meant for a teacher or an operator: English only
        self.fields: Mapping[str, object] = dict(fields or {})

    @classmethod
    def told(cls, key: str, **fields: object) -> BadInput:
        """The message ``key`` of ``MESSAGES`` filled in, in English, keeping what fills it."""
        from grader.i18n import english  # errors stays importable before everything else

        return cls(english().told(key, fields), key, fields)


class GraderFault(Exception):
    """The grader could not do its job; the learner's script is not to blame."""
