"""A Report to JSON data and back, field by field, so a queued grading returns the same Report.

Strategy: encoding is ``dataclasses.asdict`` (bytes as base64 text); decoding walks the
dataclass's own field types (``typing.get_type_hints``), recursively: a nested dataclass, a
tuple, list or dict of them, an optional value, bytes. Nothing here names a field of ``Report``
or ``Check``, so fields added to them travel without a change here. A key the reader does not
know (a newer worker) is dropped; a field the data lacks (an older worker) takes its default.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import types
import typing
from typing import Any, TypeVar

from grader.report import Report

T = TypeVar("T")


def _plain(value: Any) -> Any:
    """``asdict``'s output made JSON-ready: bytes as base64 text, enums as their value."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, enum.Enum):
        return value.value
    return value


def encode(obj: Any) -> dict[str, Any]:
    """A dataclass instance as plain JSON data."""
    plain = _plain(dataclasses.asdict(obj))
    assert isinstance(plain, dict)
    return plain


def _decode(kind: Any, data: Any) -> Any:
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return decode(kind, data)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        return _decode(options[0], data) if len(options) == 1 else data
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in data)
        return (
            tuple(_decode(a, v) for a, v in zip(args, data, strict=True)) if args else tuple(data)
        )
    if origin in (list, frozenset, set):
        inner = args[0] if args else Any
        return origin(_decode(inner, v) for v in data)
    if origin is dict:
        key_kind, value_kind = args if args else (Any, Any)
        return {_decode(key_kind, k): _decode(value_kind, v) for k, v in data.items()}
    if kind is bytes:
        return base64.b64decode(data)
    if kind is float and isinstance(data, int):
        return float(data)
    if kind is int and isinstance(data, str):
        return int(data)  # a dict key with int type came back as text
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    return data  # str, int, bool, Literal, Any: JSON holds them as they are


def decode(cls: type[T], data: dict[str, Any]) -> T:
    """An instance of the dataclass ``cls`` from ``encode``'s output."""
    hints = typing.get_type_hints(cls)
    values = {
        f.name: _decode(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.init and f.name in data
    }
    return cls(**values)


def report_to_data(report: Report) -> dict[str, Any]:
    """A Report as plain JSON data."""
    return encode(report)


def report_from_data(data: dict[str, Any]) -> Report:
    """The Report that ``report_to_data`` made ``data`` from."""
    return decode(Report, data)
