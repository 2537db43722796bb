"""Renderers: one Report in, one text out, per format. None of them judges anything.

Each format lives in its own module and is imported only when asked for, so that the ``grade``
command starts with no template engine loaded unless it renders with one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from grader.report import Report

FORMATS = ("text", "json", "junit", "html", "gradescope", "classroom")

Renderer = Callable[[Sequence[Report]], str]


def renderer(fmt: str) -> Callable[..., str]:
    """The ``render`` function of format ``fmt``; it takes a list of reports."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(f"grader.render.{fmt}_format")
    render: Callable[..., str] = module.render
    return render
