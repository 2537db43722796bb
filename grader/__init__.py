"""Grades TCP client scripts for the "Socket module" practice problems.

    >>> import grader
    >>> report = grader.grade("submission.py", problem=3)
    >>> report.verdict, report.summary()
    >>> report = grader.grade(source=b"import socket\n...", filename="anna.py", problem=3)
    >>> grader.render(report, "json")

``grade`` and ``grade_many`` are the library entry points (a file, or bytes held in memory);
``render`` turns Reports into any format of the command line; ``Report`` and ``Check`` the
immutable results; ``BadInput`` (the caller's mistake) and ``GraderFault`` (ours) the errors.
Names are imported on first use, so ``import grader`` itself does no work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "BadInput",
    "Check",
    "Grader",
    "GraderFault",
    "Report",
    "grade",
    "grade_many",
    "render",
]

_WHERE = {
    "grade": "grader.api",
    "grade_many": "grader.api",
    "Grader": "grader.api",
    "Report": "grader.report",
    "Check": "grader.report",
    "BadInput": "grader.errors",
    "GraderFault": "grader.errors",
}
# ``render`` is the package grader.render itself, which is callable: importing any renderer
# makes the package the attribute ``grader.render``, so the function could not stay there.
_PACKAGES = {"render": "grader.render"}

if TYPE_CHECKING:
    from grader.api import Grader, grade, grade_many
    from grader.errors import BadInput, GraderFault
    from grader.render import render
    from grader.report import Check, Report


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    if name in _PACKAGES:
        import importlib

        return importlib.import_module(_PACKAGES[name])
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
