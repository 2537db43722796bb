"""A Report to JSON data and back, field by field, so a queued grading returns the same Report.

Strategy: encoding is every field of the dataclass, as ``dataclasses.asdict`` gives them (bytes
as base64 text); decoding follows the
dataclass's own field types (``typing.get_type_hints``), recursively: a nested dataclass, a
tuple, list or dict of them, an optional value, bytes; the decoder of each type is planned once. Nothing here names a field of ``Report``
or ``Check``, so fields added to them travel without a change here. A key the reader does not
know (a newer worker) is dropped; a field the data lacks (an older worker) takes its default.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import functools
import types
import typing
from typing import Any, TypeVar

from grader.report import Report

T = TypeVar("T")


def _plain(value: Any) -> Any:
    """``value`` as JSON data: a dataclass as an object of its fields, bytes as base64 text,
    enums as their value (``dataclasses.asdict`` would copy every value on the way)."""
    if isinstance(value, (str, int, float, type(None))) and not isinstance(value, enum.Enum):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _names(type(value))}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, enum.Enum):
        return value.value
    return value


@functools.cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def encode(obj: Any) -> dict[str, Any]:
    """A dataclass instance as plain JSON data."""
    plain = _plain(obj)
    assert isinstance(plain, dict)
    return plain


Decoder = typing.Callable[[Any], Any]


def _same(data: Any) -> Any:
    return data  # str, int, bool, Literal, Any: JSON holds them as they are


@functools.cache
def _decoder(kind: Any) -> Decoder:
    """The function that decodes data of type ``kind``: planned once per type, because
    looking at a type costs more than decoding the value."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return functools.partial(decode, kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            return _same
        inner = _decoder(options[0])
        return lambda data: None if data is None else inner(data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            each = _decoder(args[0])
            return lambda data: tuple(each(v) for v in data)
        if not args:
            return tuple
        parts = [_decoder(a) for a in args]
        return lambda data: tuple(p(v) for p, v in zip(parts, data, strict=True))
    if origin in (list, frozenset, set):
        each = _decoder(args[0] if args else Any)
        return lambda data: origin(each(v) for v in data)
    if origin is dict:
        keys, values = (_decoder(a) for a in (args if args else (Any, Any)))
        return lambda data: {keys(k): values(v) for k, v in data.items()}
    if kind is bytes:
        return base64.b64decode
    if kind is float:
        return lambda data: float(data) if isinstance(data, int) else data
    if kind is int:
        return lambda data: int(data) if isinstance(data, str) else data  # a dict key, as text
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind
    return _same


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Decoder], ...]:
    """The init fields of the dataclass ``cls`` and their decoders, planned once per class."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls) if f.init)


def decode(cls: type[T], data: dict[str, Any]) -> T:
    """An instance of the dataclass ``cls`` from ``encode``'s output."""
    plan = _fields(cls)  # type: ignore[arg-type]
    return cls(**{name: each(data[name]) for name, each in plan if name in data})


def report_to_data(report: Report) -> dict[str, Any]:
    """A Report as plain JSON data."""
    return encode(report)


def report_from_data(data: dict[str, Any]) -> Report:
    """The Report that ``report_to_data`` made ``data`` from."""
    return decode(Report, data)
