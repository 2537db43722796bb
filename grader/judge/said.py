"""The checks' own words (titles, expected, observed) in the learner's language.

Strategy: the checks say what they saw in English, in the modules that judge (``checks``,
``closing``, ``source``); this module is the one table of those sentences, each a
``str.format``-style template under a key of the catalogue, and ``say`` turns a check's text
into the catalogue's language line by line: a line that is one of the templates is said again
from the catalogue with the same fields (a field that is itself a sentence of the table is said
too); anything else (the learner's bytes, a traceback) stays as it is. Keeping the table apart
from the checks lets a check's wording change in one place and lets the ``.pot`` list every
sentence (``python -m grader.judge.pot``); the Russian report test over the corpus finds a
sentence a check says that the table lacks.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from grader.i18n import Catalogue
from grader.report import Check

SAID: dict[str, str] = {
    # titles
    "said.no_connection_title": "makes no connection",
    "said.connects_once": "connects once to 127.0.0.1:9090",
    "said.sends_nothing": "sends nothing",
    "said.sends_exactly": "sends exactly {message}",
    "said.sends_the_message": "sends the message exactly",
    "said.sends_each": "sends each message exactly, one at a time, after the previous reply",
    "said.prints_replies": "prints the replies, one per line",
    "said.prints_reply": "prints the reply",
    "said.prints_task_text": "prints exactly the text the task asks for",
    "said.prints_exactly": "prints exactly {text}",
    "said.closes_with": "closes the connection by leaving its with block",
    "said.closes_itself": "closes the connection itself",
    "said.ends_cleanly": "ends cleanly within {limit} s",
    "said.untampered": "leaves the grader's control channel alone",
    "said.python_script": "is a Python script",
    "said.the_file": "the file",
    # not judged
    "said.not_judged": "not judged: {why}",
    "said.needs_first": "needs “{title}” first",
    "said.could_not_grade": "the submission could not be graded",
    "said.grader_failed": "the grader failed (not the learner's mistake)",
    # connected
    "said.one_connection_to": "{count} connection to 127.0.0.1:9090",
    "said.connections_to": "{count} connections to 127.0.0.1:9090",
    "said.a_connection_to": "a connection to {address}",
    "said.one_connection": "{count} connection",
    "said.connections": "{count} connections",
    "said.asked_for": "no connection; the program asked for {address} ({outcome})",
    "said.no_connection": "no connection",
    "said.not_tcp": "no connection reached the server, though connect() returned",
    # sent
    "said.nothing_sent": "nothing: b''",
    "said.nothing_after": "nothing after the last reply: b''",
    "said.after_last_reply": "after the last reply: {data}",
    "said.message_of": "message {index} of {count}: {value}",
    "said.utf8": "= {text} encoded as UTF-8",
    # between the messages of a run, each a bytes literal (said only between whole literals)
    "said.then": "{earlier}, then {later}",
    # output
    "said.too_long": "{value} (output too long)",
    # the control channel
    "said.channel_expected": "the program does not write to the grader's control channel",
    "said.channel_untouched": "nothing written to it",
    # what it wrote there (``checks.check_untampered``); the first two before the third, which
    # would match them too
    "said.channel_written_more": (
        "the program wrote to the grader's control channel: {what}, {sample} (and {count} more "
        "datagrams)"
    ),
    "said.channel_written_one_more": (
        "the program wrote to the grader's control channel: {what}, {sample} (and 1 more datagram)"
    ),
    "said.channel_written": "the program wrote to the grader's control channel: {what}, {sample}",
    # why what it wrote is not a report of the sandbox's (``grader.observe.trace``)
    "said.tamper_descriptors": "descriptors sent with a report",
    "said.tamper_too_long": "a report longer than any the grader's sandbox sends",
    "said.tamper_empty": "an empty datagram",
    "said.tamper_not_utf8": "a report that is not UTF-8 text",
    "said.tamper_kind": "a report of a kind the grader's sandbox never sends",
    "said.tamper_fields": "a report with the wrong number or size of fields",
    "said.tamper_order": "a report out of order ({kind} while {phase})",
    "said.tamper_never_connected": "a close report for a socket that was never connected",
    "said.tamper_closed_already": "a close report for a socket closed already",
    "said.tamper_port": "a port that is not a plain decimal number",
    "said.tamper_port_range": "a port out of range",
    "said.tamper_position": "a source position that is not a plain decimal number",
    "said.tamper_exception": "an exception name that is not a name",
    "said.tamper_outcome": "an unknown connect outcome",
    "said.tamper_closing": "an unknown way of closing",
    "said.tamper_ending": "an unknown way of ending",
    # clean end
    "said.ends_expected": "the program ends by itself within {limit} s, with exit status 0",
    "said.still_running": "still running after {limit} s; stopped",
    "said.output_passed": "stopped: output passed {limit} KiB",
    "said.uncaught_tail": "an uncaught {name}:",
    "said.uncaught": "an uncaught {exception}",
    "said.by_signal": "stopped by signal {signal}",
    "said.exit_status": "exit status {status}",
    "said.ended_in": "ended in {seconds} s with exit status 0",
    # closed
    "said.close_expected_with": (
        "the program closes its socket by leaving its with block; the server sees FIN"
    ),
    "said.close_expected": (
        "the program closes its socket (close() or a with block); the server sees FIN"
    ),
    "said.open_at_limit": "still open when the time limit stopped the program",
    "said.exit_unwatched": (
        "the program's exit could not be watched, so whether it closed its socket could not be seen"
    ),
    "said.kernel_unread": "the kernel's view of the program's sockets could not be read",
    "said.shutdown_held": (
        "the server saw FIN, but the socket was still open in the program when it exited "
        "(shutdown() ends sending; it does not close the socket)"
    ),
    "said.child_held": "the socket was still open in another process of the program when it exited",
    "said.no_descriptor_held": (
        "the socket was still open when the program exited, kept alive without a descriptor "
        "(a memory mapping of it, or its descriptor sent in a message nobody received)"
    ),
    "said.dup_held": (
        "close() was called, but the socket was still open when the program exited "
        "(another descriptor of it, from dup() or makefile(), kept it open)"
    ),
    "said.open_at_exit": (
        "still open when the program exited; the connection ended only at interpreter exit"
    ),
    "said.discarded": (
        "the script never closed it: the interpreter discarded the socket once nothing referred "
        "to it (no close(), no with block)"
    ),
    "said.not_socket_module": (
        "closed, but not through the socket module of the script's interpreter (no connect() "
        "call of it made this connection)"
    ),
    "said.no_fin_while_running": (
        "no FIN reached the server while the program ran; it ended only at interpreter exit"
    ),
    "said.exit_by_hand": "closed by calling __exit__() by hand, not by leaving a with block",
    "said.close_outside_with": "closed with close(), outside any with block",
    "said.closed_reset": "closed by {how}, but the server saw a reset (RST)",
    "said.closed_fin": "closed by {how}; the server saw FIN",
    "said.leaving_the_with": "leaving the with block",
    "said.leaving_its_with": "leaving its with block",
    "said.the_program": "the program",
    # the file
    "said.utf8_script": "a UTF-8 Python script",
    "said.empty_file": "an empty file",
    "said.nul_bytes": "a file with NUL bytes (binary?)",
    "said.not_utf8_line": "text that is not UTF-8 (line {line})",
    "said.not_utf8": "text that is not UTF-8",
    "said.syntax_error": "SyntaxError at line {line}: {message}",
    "said.cannot_compile": "a file Python cannot compile ({name})",
    "said.shadows": "a file named {name}, which `import {module}` would load itself",
}


@functools.cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each template as an anchored pattern, its fields as named groups; exact ones first."""
    out = []
    for key, template in sorted(SAID.items(), key=lambda kv: "{" in kv[1]):
        if key == "said.then":  # its fields are literals, found by _MESSAGES instead
            continue
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", pattern)
        out.append((key, re.compile(f"^{pattern}$", re.S)))
    return tuple(out)


_LITERAL = r"b'(?:[^'\\]|\\.)*'|b\"(?:[^\"\\]|\\.)*\""  # a bytes literal, as repr() writes it
_MESSAGES = re.compile(f"(?:{_LITERAL})(?:, then (?:{_LITERAL}))+")


def say_line(line: str, words: Catalogue) -> str:
    """One line of a check's text in the catalogue's language (unchanged if it is not ours)."""
    if not line:
        return line
    if _MESSAGES.fullmatch(line):  # b'a', then b'b': the ", then " of a literal stays
        literals: list[str] = re.findall(_LITERAL, line)
        earlier = literals[0]
        for literal in literals[1:]:
            earlier = words.text("said.then", SAID["said.then"]).format(
                earlier=earlier, later=literal
            )
        return earlier
    for key, pattern in _patterns():
        found = pattern.match(line)
        if found:
            fields = {name: say_line(value, words) for name, value in found.groupdict().items()}
            return words.text(key, SAID[key]).format(**fields)
    return line


def say(text: str, words: Catalogue) -> str:
    """A check's text (title, expected, observed) in the catalogue's language, line by line."""
    return "\n".join(say_line(line, words) for line in text.split("\n"))


def said(check: Check, words: Catalogue) -> Check:
    """``check`` with its title, run's own words, expected and observed in the language.

    A caret line stays under its column: it moves by as much as the words before the observed
    value grew or shrank.
    """
    if words.lang == "en":
        return check
    observed = say(check.observed, words)
    marker = check.marker
    if marker:
        first_old, first_new = check.observed.split("\n")[0], observed.split("\n")[0]
        moved = len(first_new) - len(first_old)
        marker = " " * moved + marker if moved >= 0 else marker[-moved:]
    return replace(
        check,
        title=say(check.title, words),
        run=say_line(check.run, words),
        expected=say(check.expected, words),
        observed=observed,
        marker=marker,
        hint=say(check.hint, words) if check.skipped else check.hint,  # "not judged: ..."
    )
