"""What a learner runs before grading: ``grade --list``, ``grade --show N``, ``grade serve N``.

Strategy: the statements come from the specs (``grader.problem.statement``), rendered for the
terminal in the learner's language; ``serve`` plays a problem's reference server on a real port
from the installed package, so a script can be tried by hand wherever ``grade`` is installed.
Errors the user can fix are ``BadInput`` (the caller prints one line, exit 2).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from grader.errors import BadInput
from grader.i18n import Catalogue
from grader.problem.pack import Pack, entries, find_packs
from grader.problem.reference import serve
from grader.problem.spec import find_spec, load_entry
from grader.problem.statement import localized, statement
from grader.render.statement_format import render_statement


def show_list(words: Catalogue, width: int, packs: list[Pack] | None = None) -> str:
    """Every problem's heading and task (of ``packs``, default the installed and built-in
    ones; a number shadowed by an earlier pack once), then how to see one whole."""
    seen: set[int] = set()
    listed = []
    for pack in packs if packs is not None else find_packs():
        for entry in entries(pack):
            if entry.number not in seen:
                seen.add(entry.number)
                listed.append(entry)
    parts = [
        render_statement(statement(load_entry(e), words), words, width, full=False)
        for e in sorted(listed, key=lambda e: e.number)
    ]
    return "\n".join(parts) + "\n" + words.message("statement.list_more") + "\n"


def show_one(
    problem: int | str, words: Catalogue, width: int, packs: list[Pack] | None = None
) -> str:
    """Problem ``problem``'s whole statement (a number or a name, from ``packs``)."""
    return render_statement(statement(find_spec(problem, packs), words), words, width)


def _serve_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade serve",
        description="Play a problem's reference server, printing what it receives and sends.",
    )
    p.add_argument("problem", metavar="ID", help="problem number or name (1-5, ...)")
    p.add_argument(
        "--problems", action="append", metavar="DIR", help="a problem pack to search first"
    )
    p.add_argument("--port", type=int, default=9090, metavar="P", help="default 9090")
    p.add_argument(
        "messages",
        nargs="*",
        metavar="MESSAGE",
        help="the messages to expect (default: the example's); anything else is answered too",
    )
    return p


def serve_main(argv: Sequence[str], words: Catalogue) -> int:
    """``grade serve N [--port P] [MESSAGE...]``: serve until Ctrl-C; returns the exit status."""
    args = _serve_parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        raise BadInput(f"--port {args.port}: give a port from 1 to 65535 (0: any free one)")
    spec = find_spec(args.problem, find_packs(args.problems or ()))
    local = localized(spec, words)
    runs = [r for r in spec.runs if r.server_up]
    example = next((r for r in runs if r.name == spec.example), runs[0] if runs else None)
    messages = list(args.messages) or (list(example.messages) if example else [])

    def ready(port: int) -> None:
        title = words.message("statement.heading", problem=spec.number, title=local.title)
        sys.stderr.write(words.message("serve.listening", title=title, port=port) + "\n")
        if any(not r.server_up for r in spec.runs):
            sys.stderr.write(words.message("serve.down") + "\n")
        sys.stderr.flush()

    try:
        serve(spec.server_class, messages, args.port, sys.stdout, ready, words)
    except OSError as exc:
        raise BadInput(
            f"serve: cannot listen on 127.0.0.1:{args.port} ({exc.strerror}); "
            "is another server there? try --port 0 or another port"
        ) from None
    except KeyboardInterrupt:
        sys.stderr.write(words.message("serve.stopped") + "\n")
    return 0
