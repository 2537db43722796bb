"""Renderers: one Report in, one text out, per format. None of them judges anything.

    >>> import grader
    >>> report = grader.grade("submission.py", problem=3)
    >>> page = grader.render(report, "html")          # or "text", "json", "junit", ...

Strategy: ``render`` is the one public way in, for the library and the command line alike; each
format lives in its own module and is imported only when asked for, so that the ``grade``
command starts with no template engine loaded unless it renders with one. This package is
callable (``grader.render(...)`` is ``grader.render.render(...)``): the function and the
package share the name ``grader.render``, and importing a format module makes the package the
attribute of ``grader``, so either must do what the other does.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from grader.errors import BadInput
from grader.formats import FORMATS as FORMATS
from grader.formats import Format as Format
from grader.report import Report

Renderer = Callable[[Sequence[Report]], str]


def renderer(fmt: str) -> Callable[..., str]:
    """The ``render`` function of format ``fmt``; it takes a list of reports."""
    if fmt not in FORMATS:
        raise BadInput(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(f"grader.render.{fmt}_format")
    function: Callable[..., str] = module.render
    return function


def render(
    reports: Report | Sequence[Report],
    format: Format | str = "text",  # noqa: A002  (the word every caller and the CLI use)
    *,
    verbose: bool = False,
    colour: bool = False,
    lang: str | None = None,
    locale_dir: str | Path | None = None,
    width: int | None = None,
) -> str:
    """One Report, or several, as ``format``: the text ``grade --format FORMAT`` prints.

    Every format is text (``classroom`` is base64 text); write it as UTF-8. ``text``: what a
    learner reads (``verbose``: every check and every run's transcript; ``colour``: ANSI
    colours; ``lang``: its language, default the environment's, else English; ``width``: the
    columns it is folded to, 60 to 100, default 100).
    ``json``: one object, or JSON Lines for several (grader/schema/report.schema.json; for
    machines, it ignores ``lang``); ``junit``: JUnit XML; ``html``: a self-contained page;
    ``gradescope``: ``results.json``; ``classroom``: GitHub Classroom's ``result`` (these four
    with their sentences and labels in ``lang`` as for text; their keys, statuses and numbers
    are the same in every language). The other formats ignore ``verbose``, ``colour``, ``width``.
    ``BadInput`` for an unknown format or something that is not a Report.
    """
    many = [reports] if isinstance(reports, Report) else list(reports)
    for item in many:
        if not isinstance(item, Report):
            raise BadInput(f"render() takes Reports, not {type(item).__name__}")
    function = renderer(format)
    if format == "json":
        return function(many)
    from grader.i18n import catalogue

    words = catalogue(lang, Path(locale_dir) if locale_dir is not None else None)
    if format != "text":
        return function(many, words=words)
    from grader.render.text_format import WIDTH, fit_width

    columns = WIDTH if width is None else fit_width(width)
    return function(many, colour=colour, verbose=verbose, words=words, width=columns)


class _CallablePackage(types.ModuleType):
    """This package, callable as ``render`` (see the Strategy above)."""

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        return render(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
