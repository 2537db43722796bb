"""Where the script's source has a ``with`` block over a socket: pure analysis of its syntax tree.

Strategy: "closed by leaving its with block" needs two things, the runtime report that a
socket's block ended (with the position of the code that ended it) and, at that position in
the source, a ``with`` statement whose context manager is a socket. This module gives the
second: the spans of every ``with`` statement one of whose items is ``socket.socket(...)``,
``socket.create_connection(...)``, ``contextlib.closing(...)`` of one of those, or a name
(or attribute, such as ``self.sock``) bound to one of them anywhere in the file. A span is
``(line, end_line, col, end_col)``, as Python's code positions give the end of a with block;
a call of ``__exit__`` by hand has the call's own span, so it never matches.
"""

from __future__ import annotations

import ast

from grader.judge.syntax import parse

Span = tuple[int, int | None, int | None, int | None]

CONSTRUCTORS = frozenset({"socket", "create_connection"})


class _Names:
    """How the file refers to the socket module, its constructors and ``closing``."""

    def __init__(self, tree: ast.AST) -> None:
        self.socket_modules: set[str] = set()
        self.constructors: set[str] = set()
        self.contextlib_modules: set[str] = set()
        self.closings: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "socket":
                        self.socket_modules.add(alias.asname or "socket")
                    elif alias.name == "contextlib":
                        self.contextlib_modules.add(alias.asname or "contextlib")
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                for alias in node.names:
                    if node.module == "socket" and alias.name == "*":
                        self.constructors |= CONSTRUCTORS
                    elif node.module == "socket" and alias.name in CONSTRUCTORS:
                        self.constructors.add(alias.asname or alias.name)
                    elif node.module == "contextlib" and alias.name in ("closing", "*"):
                        self.closings.add(alias.asname or "closing")

    def is_constructor(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            return func.value.id in self.socket_modules and func.attr in CONSTRUCTORS
        return isinstance(func, ast.Name) and func.id in self.constructors

    def is_closing(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            return func.value.id in self.contextlib_modules and func.attr == "closing"
        return isinstance(func, ast.Name) and func.id in self.closings


def _dotted(node: ast.expr) -> str | None:
    """``a`` or ``a.b.c`` for a name or a chain of attributes, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _bindings(tree: ast.AST) -> list[tuple[str, ast.expr]]:
    """Every (name, value) the file binds: assignments, walrus, ``with ... as name``."""
    found: list[tuple[str, ast.expr]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, ast.With):
            for item in node.items:
                if item.optional_vars is not None:
                    name = _dotted(item.optional_vars)
                    if name is not None:
                        found.append((name, item.context_expr))
            continue
        else:
            continue
        for target in targets:
            name = _dotted(target)
            if name is not None:
                found.append((name, value))
    return found


def with_spans(source: bytes | str) -> frozenset[Span]:
    """The spans of every ``with`` statement of the source, whatever it is over (empty when the
    source does not parse): a runtime report that a socket closed as one of them ended counts
    only at one of these positions."""
    try:
        tree = parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return frozenset()
    return frozenset(
        (node.lineno, node.end_lineno, node.col_offset, node.end_col_offset)
        for node in ast.walk(tree)
        if isinstance(node, ast.With | ast.AsyncWith)
    )


def socket_with_spans(source: bytes | str) -> frozenset[Span]:
    """The spans of the ``with`` statements over a socket (empty when the source does not parse)."""
    try:
        return _spans(parse(source))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return frozenset()  # not Python the interpreter ran, or nested past any with block's use


def _spans(tree: ast.AST) -> frozenset[Span]:
    names = _Names(tree)
    bound: set[str] = set()

    def is_socket(expr: ast.expr) -> bool:
        if isinstance(expr, ast.Call):
            if names.is_constructor(expr.func):
                return True
            if names.is_closing(expr.func) and expr.args:
                return is_socket(expr.args[0])
            return False
        name = _dotted(expr)
        return name is not None and name in bound

    bindings = _bindings(tree)
    changed = True
    while changed:  # a name bound to a name bound to a socket is bound to a socket too
        changed = False
        for name, value in bindings:
            if name not in bound and is_socket(value):
                bound.add(name)
                changed = True
    return frozenset(
        (node.lineno, node.end_lineno, node.col_offset, node.end_col_offset)
        for node in ast.walk(tree)
        if isinstance(node, ast.With) and any(is_socket(i.context_expr) for i in node.items)
    )
