"""Where the shipped data lives: beside the package in a checkout, inside it in a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """``problems``, ``fixtures`` or ``grader.toml``, wherever this installation keeps them."""
    packaged = _PACKAGE / "_data" / name
    return packaged if packaged.exists() else _PACKAGE.parent / name


# The folder that holds the ``grader`` package: the zygote imports ``grader.sandbox`` from it.
PACKAGE_ROOT = _PACKAGE.parent
