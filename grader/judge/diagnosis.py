"""Diagnosis: which mistake to name, for one failed check and for the whole grading.

Strategy: the checks say *whether* a requirement held (a verdict); this module says *why not*,
in two steps. ``choose_hint`` picks the hint of one failed check from ordered tables of
(hint key, predicate) rows: the first row whose predicate holds names the mistake, so the order
is the policy, and each row carries the rule behind it. ``diagnose`` then picks the one mistake a
learner is told first, across all runs: the first failure in dependency order whose cause is not
another failure of its run (a check that failed only because the program crashed or hung points
to how it ended), and sorts the other failures into those of the same kind, those that follow
from it, the other ones, and the checks not judged. Pure functions of records and verdicts.
The tables make this module longer than most: the policy is kept in one place, in order; what
the rules look at is in ``facts``.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.i18n import Catalogue
from grader.judge.checks import normalise, signal_name
from grader.judge.facts import (
    Facts,
    Rule,
    asked,
    bytes_required,
    codec,
    decoded_in_pieces,
    decoded_wrong,
    doing,
    encoded_as,
    eof_key,
    facts,
    first_line_refused,
    from_reply,
    lines_without_blanks,
    memory,
    not_an_address,
    one_line,
    quoted_refused,
    refused_words,
    reply_before,
    run_memory,
    server_down,
    shown_stray,
)
from grader.judge.hints import Hint, doing_phrases, hint, translated
from grader.judge.verdict import Context, Verdict, elsewhere
from grader.observe.records import Observation
from grader.problem.spec import RunSpec
from grader.report import Check, Diagnosis
from grader.show import literal

SENT_RULES: tuple[Rule, ...] = (
    Rule("sent_something_p1", lambda f: not f.wants, why="problem 1 sends nothing"),
    Rule(
        "after_last_reply",
        lambda f: f.index == len(f.wants) and f.index > 0,
        why="bytes after the last reply are extra, whatever they are",
    ),
    # Nothing arrived: the cause is what stopped the program before send(), if anything did.
    Rule("send_str", lambda f: not f.got and bytes_required(f)),
    Rule(
        "encode_error",
        lambda f: not f.got and f.exc_name == "UnicodeEncodeError",
        lambda f: {"exception": f.exc, "encoding": codec(f)},
    ),
    Rule("sent_nothing_crash", lambda f: not f.got and bool(f.exc), lambda f: {"exception": f.exc}),
    Rule("sent_nothing_timeout", lambda f: not f.got and f.obs.process.timed_out),
    Rule(
        "reply_unanswered",
        lambda f: not f.got and f.index > 0 and f.run.server_class.decides_messages(),
        lambda f: {"reply": literal(reply_before(f))},
        why="a conversation the server leads: the program stopped answering, it did send",
    ),
    Rule("sent_nothing", lambda f: not f.got),
    Rule(
        "sent_before_reply",
        lambda f: bool(f.next_want) and f.got.startswith(f.want + f.next_want[:1]),
        why="several messages at once: the order of the exchange is the mistake, not the text",
    ),
    Rule(
        "sent_count_line",
        lambda f: (
            bool(f.count_line)
            and f.got.startswith(f.count_line.encode())
            and not f.want.startswith(f.count_line.encode())
        ),
        lambda f: {"count": literal(f.count_line.encode())},
        why="the count only where the input starts with one (problem 4)",
    ),
    Rule(
        "trailing_newline",
        lambda f: f.got == f.want + b"\r\n",
        lambda _f: {"newline": literal(b"\r\n")},
    ),
    Rule(
        "trailing_newline",
        lambda f: f.got == f.want + b"\n",
        lambda _f: {"newline": literal(b"\n")},
    ),
    Rule(
        "wrong_encoding",
        lambda f: encoded_as(f) not in ("", "utf-8"),
        lambda f: {"encoding": encoded_as(f)},
    ),
    Rule("sent_repr", lambda f: f.got in (repr(f.want).encode(), str(f.want).encode())),
    Rule(
        "line_without_newline",
        lambda f: f.run.server_class.framing == "line" and f.got == f.want.rstrip(b"\r\n"),
        why="a line protocol's server answers a line once its newline arrives",
    ),
    Rule(
        "header_without_blank_line",
        lambda f: f.want.endswith(b"\r\n\r\n") and f.got == f.want[:-2],
        why="an HTTP request ends with an empty line; without it the server waits",
    ),
    Rule(
        "not_from_reply",
        from_reply,
        lambda f: {"reply": literal(reply_before(f)), "message": literal(f.want)},
        why="where the server's reply decides the message, that is the first thing to check",
    ),
    Rule(
        "sent_twice",
        lambda f: (
            bool(f.want)
            and len(f.got) > len(f.want)
            and f.got == f.want * (len(f.got) // len(f.want))
        ),
    ),
    Rule("sent_extra", lambda f: f.got.startswith(f.want)),
    Rule("sent_short", lambda f: f.want.startswith(f.got)),
    Rule("sent_case", lambda f: f.got.lower() == f.want.lower()),
    Rule(
        "sent_different",
        lambda f: bool(f.run.stdin),
        why="'the text read from standard input' only where there is input",
    ),
    Rule("sent_constant", lambda _f: True, lambda f: {"message": literal(f.want)}),
)


OUTPUT_RULES: tuple[Rule, ...] = (
    Rule(
        "output_too_long",
        lambda f: f.obs.process.output_overflow,
        lambda f: {"limit": f.ctx.output_kb},
    ),
    Rule(
        "printed_before_timeout",
        lambda f: f.obs.process.timed_out and f.expected.startswith(f.printed),
        why="what was not printed yet when the time limit struck is the time-out's doing: "
        "the time-out is the mistake, told first",
    ),
    # Server down (problem 5's second run): the lesson's words are about refusal.
    Rule(
        "refused_unhandled",
        lambda f: (
            server_down(f)
            and f.exc.startswith(("ConnectionRefusedError", "ConnectionError", "OSError"))
        ),
    ),
    Rule(
        "refused_quoted",
        lambda f: server_down(f) and quoted_refused(f),
        why="the right words inside quotes are the quotes' fault, not the exception's text",
    ),
    Rule("refused_exactly", lambda f: server_down(f) and refused_words(f)),
    Rule(
        "refused_extra_line",
        lambda f: server_down(f) and first_line_refused(f),
        why="the right line followed by another is an extra line, not the exception's text",
    ),
    Rule(
        "refused_exception_text",
        lambda f: server_down(f) and ("Errno 111" in f.printed or "refused" in f.printed.lower()),
    ),
    Rule(
        "printed_to_stderr",
        lambda f: bool(f.stray) and not f.printed,
        lambda f: {"what": shown_stray(f)},
        why="stderr is not output, and a learner who printed there is told so (PROBLEMS.md)",
    ),
    Rule(
        "printed_nothing_crash",
        lambda f: server_down(f) and bool(f.exc),
        lambda f: {"exception": f.exc},
    ),
    Rule("refused_exactly", server_down),
    # Server up.
    Rule("refused_when_up", lambda f: "Connection refused" in f.printed),
    Rule(
        "printed_to_stderr",
        lambda f: bool(f.expected) and f.expected in normalise(f.stray),
        lambda f: {"what": shown_stray(f)},
        why="the right text on stderr is named as such, even beside other output",
    ),
    Rule(
        "decoded_in_pieces",
        decoded_in_pieces,
        why="UTF-8 that fails only where a character spans bytes was decoded in pieces, not "
        "with the wrong codec",
    ),
    Rule(
        "decoded_wrong",
        lambda f: not f.printed and f.exc_name == "UnicodeDecodeError",
        why="nothing printed because the reply could not be decoded: the codec is the mistake",
    ),
    Rule(
        "printed_nothing_crash",
        lambda f: not f.printed and bool(f.exc),
        lambda f: {"exception": f.exc},
    ),
    Rule("printed_nothing", lambda f: not f.printed),
    Rule("printed_bytes", lambda f: "b'" in f.printed or 'b"' in f.printed),
    Rule(
        "stopped_reading",
        lambda f: (
            f.run.server_class.closes_first()
            and f.expected.startswith(f.printed)
            and len(f.printed) < len(f.expected)
        ),
        lambda f: {"printed": len(f.printed), "sent": len(f.expected)},
        why="a server that closes first sends until it closes: part of it means one recv() too few",
    ),
    Rule("output_not_utf8", lambda f: "\ufffd" in f.printed and "\ufffd" not in f.expected),
    Rule(
        "blank_lines",
        lines_without_blanks,
        why="end='\\n\\n' gives every reply its own line, with blank ones between",
    ),
    Rule("replies_one_line", one_line),
    Rule("extra_output", lambda f: bool(f.expected) and f.expected in f.printed),
    Rule("decoded_wrong", decoded_wrong),
    Rule("printed_nothing_crash", lambda f: bool(f.exc), lambda f: {"exception": f.exc}),
    Rule("output_differs", lambda _f: True),
)


END_RULES: tuple[Rule, ...] = (
    Rule(
        "timeout",
        lambda f: f.obs.process.timed_out,
        lambda f: {"limit": f"{f.ctx.time_limit_s:g}", **doing_phrases(doing(f))},
    ),
    Rule(
        "output_too_long",
        lambda f: f.obs.process.output_overflow,
        lambda f: {"limit": f.ctx.output_kb},
    ),
    Rule(
        "address_not_tuple",
        lambda f: bool(f.exc) and "address must be tuple" in f.exc,
        lambda f: {"address": asked(f)},
    ),
    Rule(
        "wrong_address",
        lambda f: f.exc_name == "ConnectionRefusedError" and bool(elsewhere(f.obs)),
        lambda f: {"address": asked(f)},
        why="a refusal at another address is the address's fault, not a missing except",
    ),
    Rule("refused_unhandled", lambda f: f.exc_name == "ConnectionRefusedError"),
    Rule("send_str", lambda f: "bytes-like object is required" in f.exc),
    Rule("decoded_in_pieces", decoded_in_pieces),
    Rule(
        "decoded_wrong",
        lambda f: f.exc_name == "UnicodeDecodeError",
        why="a reply that cannot be decoded was decoded with the wrong codec",
    ),
    Rule(
        "encode_error",
        lambda f: f.exc_name.startswith("Unicode"),
        lambda f: {"exception": f.exc, "encoding": codec(f)},
    ),
    Rule(
        "eof_no_input",
        lambda f: f.exc_name == "EOFError" and eof_key(f) == "eof_no_input",
        why="a hint about the count n only where the input starts with one",
    ),
    Rule("eof", lambda f: f.exc_name == "EOFError" and eof_key(f) == "eof"),
    Rule("eof_one_line", lambda f: f.exc_name == "EOFError"),
    Rule("memory", lambda f: f.exc_name == "MemoryError", lambda f: memory(f)),
    Rule(
        "memory_run",
        lambda f: f.obs.process.memory_limit,
        lambda f: run_memory(f),
        why="stopped by the run's memory cap: the kernel, not the script, ended it; that cap "
        "counts every process of the run and the files it wrote, not the script's limit",
    ),
    Rule(
        "value_error",
        lambda f: f.exc_name == "ValueError" and "int()" in f.exc and bool(f.count_line),
        lambda f: {"exception": f.exc},
        why="the count n only where the input starts with one",
    ),
    Rule("exception", lambda f: bool(f.exc), lambda f: {"name": f.exc_name}),
    Rule(
        "memory",
        lambda f: f.obs.process.signal in (6, 11),  # SIGABRT, SIGSEGV: an allocation failed
        lambda f: memory(f),
    ),
    Rule(
        "signal",
        lambda f: f.obs.process.signal is not None,
        lambda f: {"signal": signal_name(f.obs.process.signal or 0)},
    ),
    Rule("exit_status", lambda _f: True, lambda f: {"status": f.obs.process.exit_code}),
)


# Checks that name their mistake themselves (connected, closed, and any check that sets a hint)
# may have it refined here, from facts the check does not weigh.
REFINEMENTS: dict[str, tuple[Rule, ...]] = {
    "reset": (
        Rule(
            "reset_no_reply",
            lambda f: not f.run.replies,
            why="a hint about replies only where the server replies",
        ),
    ),
    "never_closed": (
        Rule(
            "dropped_not_closed",
            lambda f: any(c.ended_while_running for c in f.obs.wire.connections),
            why="a FIN while the program ran, with no close(): the socket was dropped, not left "
            "to the interpreter's exit",
        ),
    ),
    "wrong_address": (
        Rule(
            "address_not_tuple",
            lambda f: any(not a.port for a in elsewhere(f.obs)),
            lambda f: {"address": asked(f)},
            why="a list or a lone string is not an address: say so, not 'connected to'",
        ),
    ),
    "crashed_before_connect": (
        Rule(
            "address_not_tuple",
            lambda f: bool(not_an_address(f)),
            lambda f: {"address": asked(f)},
            why="connect() refused its argument: the address's form is the mistake, not a crash",
        ),
    ),
}

TABLES: dict[str, tuple[Rule, ...]] = {
    "sent": SENT_RULES,
    "output": OUTPUT_RULES,
    "clean_end": END_RULES,
}


def _first(rules: Sequence[Rule], f: Facts, catalogue: Catalogue) -> Hint | None:
    for rule in rules:
        if rule.when(f):
            return hint(rule.key, catalogue, **rule.fields(f))
    return None


def choose_hint(
    name: str, run: RunSpec, obs: Observation, verdict: Verdict, ctx: Context, catalogue: Catalogue
) -> Hint | None:
    """The mistake behind the failed check ``name``, in the catalogue's language."""
    f = facts(run, obs, ctx)
    if verdict.hint is not None:
        refined = _first(REFINEMENTS.get(verdict.hint.key, ()), f, catalogue)
        return refined or translated(verdict.hint, catalogue)
    rules = TABLES.get(name)
    return _first(rules, f, catalogue) if rules else None


# -- the whole grading -------------------------------------------------------------------------
ORDER = ("source", "connected", "sent", "output", "closed", "clean_end")
"""Dependency order: a check's failure can only be caused by one before it (or by the end)."""

# Hints that mean "the program stopped (or hung) before this": the way it ended is the mistake.
CONSEQUENCES = frozenset(
    {
        "crashed_before_connect",
        "timeout_before_connect",
        "sent_nothing_crash",
        "sent_nothing_timeout",
        "sent_nothing",
        "printed_nothing_crash",
        "printed_nothing",
        "printed_before_timeout",
        "open_at_timeout",
        "never_connected",
        "never_closed",  # a crash after connect() leaves the socket to the interpreter's exit
    }
)


def _rank(check: Check) -> int:
    # A check this table does not know (a newer kind) ranks right after the file itself.
    return ORDER.index(check.name) if check.name in ORDER else 1


def diagnose(checks: Sequence[Check]) -> Diagnosis | None:
    """The one mistake to tell first, and the other failures sorted around it (None: all passed).

    Rule: the first failure in dependency order across all runs (runs in the spec's order); but
    a failure that only says the program stopped or hung before this point gives way to how the
    program ended, in its run, which names the cause (the exception, what it waited for).
    """
    failed = [i for i, c in enumerate(checks) if c.status == "failed"]
    if not failed:
        return None
    runs = list(dict.fromkeys(c.run for c in checks))
    first = min(failed, key=lambda i: (_rank(checks[i]), runs.index(checks[i].run), i))
    if checks[first].hint_key in CONSEQUENCES:
        ends = [
            i
            for i in failed
            if checks[i].run == checks[first].run and checks[i].name == "clean_end"
        ]
        first = ends[0] if ends else first
    root = checks[first]
    same = tuple(i for i in failed if i != first and checks[i].hint_key == root.hint_key)
    root_runs = {checks[i].run for i in (first, *same)}
    caused = tuple(i for i in failed if i != first and i not in same and checks[i].run in root_runs)
    others = tuple(i for i in failed if i != first and i not in same and i not in caused)
    skipped = tuple(i for i, c in enumerate(checks) if c.status == "skipped")
    return Diagnosis(first, root.hint_key, same, caused, others, skipped)
