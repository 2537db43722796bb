"""A problem's statement, from its spec: the task, an example session, the rules it is judged by.

Strategy: the spec is the one source. The task and the rules are its ``task`` and ``judged``
text; the example session is its example run played through the problem's own reference server
with a fixed seed, so what it shows is what the server really sends. Every sentence goes
through the catalogue (keys ``problem.N.title``, ``problem.N.task``, ``problem.N.judged.I``,
``problem.N.run.I``); ``localized`` gives the spec with its titles and run names translated, so a
report names its runs in the learner's language. Pure functions.
"""

from __future__ import annotations

from dataclasses import replace

from grader.i18n import Catalogue
from grader.problem.protocol import ServerSession
from grader.problem.spec import ProblemSpec, RunSpec
from grader.report import ExampleSession, Statement
from grader.show import literal

EXAMPLE_SEED = 1  # the replies shown in the example: the same every time the statement is shown


def spec_sentences(spec: ProblemSpec) -> dict[str, str]:
    """Every sentence of ``spec`` a learner reads: catalogue key to English."""
    n = spec.number
    out = {f"problem.{n}.title": spec.title}
    if spec.task:
        out[f"problem.{n}.task"] = spec.task
    out.update({f"problem.{n}.judged.{i}": rule for i, rule in enumerate(spec.judged)})
    out.update({f"problem.{n}.run.{i}": run.name for i, run in enumerate(spec.runs)})
    return out


def localized(spec: ProblemSpec, words: Catalogue) -> ProblemSpec:
    """``spec`` with its title, task, rules and run names in the catalogue's language."""
    n = spec.number
    return replace(
        spec,
        title=words.text(f"problem.{n}.title", spec.title),
        task=words.text(f"problem.{n}.task", spec.task) if spec.task else "",
        judged=tuple(words.text(f"problem.{n}.judged.{i}", r) for i, r in enumerate(spec.judged)),
        runs=tuple(
            replace(run, name=words.text(f"problem.{n}.run.{i}", run.name))
            for i, run in enumerate(spec.runs)
        ),
        example=words.text(f"problem.{n}.run.{_example_index(spec)}", _example(spec).name),
    )


def _example_index(spec: ProblemSpec) -> int:
    names = [run.name for run in spec.runs]
    if spec.example in names:
        return names.index(spec.example)
    # A hidden run's input is never shown: the first run that is not hidden is the example.
    return next((i for i, run in enumerate(spec.runs) if not run.hidden), 0)


def _example(spec: ProblemSpec) -> RunSpec:
    return spec.runs[_example_index(spec)]


SHOWN = 160  # bytes of one message or reply the example shows (a pack's may be long)
PRINTED_LINES = 8  # lines of the example's output shown


def _bytes(data: bytes, words: Catalogue) -> str:
    """ASCII bytes as their literal; other text as the text, said to be sent as UTF-8."""
    if len(data) > SHOWN:
        return literal(data[:SHOWN]) + f" … ({len(data)} bytes)"
    if data.isascii():
        return literal(data)
    return words.message("statement.utf8", text=literal(data.decode("utf-8")))


def _session(spec: ProblemSpec, run: RunSpec, words: Catalogue) -> ExampleSession:
    lines: list[tuple[str, str]] = []
    if run.stdin:
        lines.append((words.message("statement.input"), literal(run.stdin)))
    if not run.server_up:
        lines.append((words.message("statement.server"), words.message("statement.refused")))
    elif not run.messages and not run.server_class.decides_messages():
        lines.append((words.message("statement.sends"), words.message("statement.nothing")))
    server = spec.make_server(EXAMPLE_SEED)
    session = ServerSession(run.expected_bytes, server.answer if run.replies else None, server)
    replies: list[bytes] = []
    if run.server_up:
        for reply in session.opening():  # a server that speaks first
            lines.append((words.message("statement.replies"), _bytes(reply, words)))
            replies.append(reply)
    turn = 0
    # The messages a correct client sends: the spec's, or those the server's replies decide.
    while run.server_up and turn < len(wanted := run.wanted(tuple(replies))):
        message = wanted[turn]
        turn += 1
        lines.append((words.message("statement.sends"), _bytes(message, words)))
        if not run.replies:
            continue
        for reply in session.feed(message):
            lines.append((words.message("statement.replies"), _bytes(reply, words)))
            replies.append(reply)
        if session.closed or turn > 50:
            break
    printed = run.printed(tuple(replies)).split("\n") if replies else []
    if len(printed) > PRINTED_LINES:
        printed = [*printed[:PRINTED_LINES], "…"]
    if run.output not in ("replies", "any"):
        printed = run.output.split("\n")
    if printed:
        lines += [(words.message("statement.prints"), line) for line in printed]
    elif run.output == "any":
        lines.append((words.message("statement.prints"), words.message("statement.any_output")))
    return ExampleSession(run.name, tuple(lines))


def statement(spec: ProblemSpec, words: Catalogue) -> Statement:
    """The statement of ``spec`` in the catalogue's language."""
    local = localized(spec, words)
    example = local.runs[_example_index(spec)]
    # A run with the server down is a second situation the task names: shown too.
    shown = [example] + [
        r for r in local.runs if not r.server_up and r is not example and not r.hidden
    ]
    return Statement(
        problem=local.number,
        title=local.title,
        task=local.task,
        examples=tuple(_session(local, run, words) for run in shown),
        judged=local.judged,
        runs=tuple(run.name for run in local.runs),
    )
