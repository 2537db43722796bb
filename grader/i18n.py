"""The learner's language: every learner-facing sentence is looked up here by its key.

Strategy: the English sentences live in the tables that use them (``judge/hints.py`` for the
mistakes, ``MESSAGES`` below for the report's own words); they are the source, as gettext's
msgids are. A translation is a standard gettext catalogue: ``grader/locale/grader.pot`` (written
by ``python -m grader.judge.pot``) lists every sentence with its key as ``msgctxt``; a
translator makes ``<lang>.po`` from it (``pybabel init``), fills the ``msgstr`` lines and
compiles it with Babel (``pybabel compile``) to ``grader/locale/<lang>/LC_MESSAGES/grader.mo``.
At run time the stdlib ``gettext`` reads that ``.mo``: no dependency for the grader itself, no
code change for a new language. English is the fallback for any sentence a catalogue lacks.
"""

from __future__ import annotations

import functools
import gettext
import os
from dataclasses import dataclass, field
from pathlib import Path

DOMAIN = "grader"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

# The report's own words (the hints are in judge/hints.py). Keys are stable; texts may change.
MESSAGES: dict[str, str] = {
    "check.not_judged": "not judged: needs “{needs}” first",
    "report.header": "{verdict} problem {problem} ({title}): {summary}",
    "verdict.pass": "PASS",
    "verdict.fail": "FAIL",
    "verdict.invalid": "INVALID",
    "verdict.error": "ERROR",
    "report.summary": "{passed} of {total} checks passed",
    "report.points": "{score} / {max} points",
    "report.could_not_grade": "could not grade: {error}",
    "report.grader_failed": "The grader could not finish: {error}",
    "report.not_met": "Not met: {title}.",
    "report.as_in": "(as in “{run}” above)",
    "report.more_events": "… {count} more (grade --verbose)",
    "isolation.namespace": "isolated in private namespaces",
    "isolation.namespace+cgroup": "isolated in private namespaces and a cgroup of its own",
    "isolation.routed": "routed in-process, without namespace isolation",
    "wire.from_port": "from port {port}",
    "wire.more_bytes": "… {count} more bytes",
    "wire.more_events": "… {count} more events",
    "fields.another_address": "another address",
    "fields.the_codec": "the codec",
    "fields.and_more": "{first} and more",
    "lang.unknown": "no catalogue for the language {lang!r}: the feedback is in English (shipped: {shipped})",
    "report.expected": "expected",
    "report.observed": "observed",
    "report.try": "try",
    "report.same_mistake": "The same mistake in: {where}.",
    "report.caused": "Failing because of it: {where}.",
    "report.other_failures": "Also failing (see --verbose): {where}.",
    "report.not_judged": "Not judged until this passes: {what}.",
    "report.wire_title": "What crossed the wire in run “{run}”:",
    "report.verbose": "Every check of every run: grade --verbose.",
    "report.seed": "seed {seed}",
    "wire.connect": "connect({address})",
    "wire.client": "client",
    "wire.server": "server",
    "wire.connected": "connected",
    "wire.connected_no_tcp": "returned, but no TCP connection arrived",
    "wire.refused": "refused: nothing listens",
    "wire.fin": "closes (FIN)",
    "wire.rst": "resets (RST)",
    "wire.fin_at_exit": "closed (FIN) by the interpreter's exit, not by the program",
    "wire.rst_at_exit": "reset (RST) by the interpreter's exit, not by the program",
    "wire.open": "still open when the program was stopped",
    "wire.stdout": "stdout",
    "wire.stderr": "stderr",
    "wire.nothing": "nothing",
    "wire.traceback": "the traceback above",
    "wire.traceback_of": "a traceback ending in {exception}",
    "wire.exit": "exit status {status} after {seconds} s",
    "wire.signal": "stopped by signal {signal} after {seconds} s",
    "wire.killed": "stopped at the time limit after {seconds} s",
    "statement.heading": "Problem {problem}: {title}",
    "statement.example": "Example (run “{run}”):",
    "statement.judged": "Judged in {count} runs ({runs}):",
    "statement.judged_one": "Judged:",
    "statement.input": "input",
    "statement.sends": "sends",
    "statement.replies": "server",
    "statement.prints": "prints",
    "statement.server": "server",
    "statement.refused": "down: connect() raises ConnectionRefusedError",
    "statement.nothing": "nothing",
    "statement.utf8": "{text} encoded as UTF-8",
    "statement.any_output": "anything (not judged)",
    "statement.random": "The server's replies differ from grading to grading: print what it sends.",
    "statement.by_hand": "Try a script by hand: grade serve {problem}, then run it in another terminal.",
    "statement.list_more": "The example and the rules of a problem: grade --show N.",
    "report.show": "the task: grade --show {problem}",
    "serve.listening": "{title}: listening on 127.0.0.1:{port}; Ctrl-C to stop",
    "serve.down": "To try the run where nothing listens, stop this server and run the script again.",
    "serve.connection": "connection from port {port}",
    "serve.stopped": "stopped",
    "packets.title": "Packets of run “{run}” ({kept} of {seen}; the file: {pcap}):",
    "packets.shown_by": "The packet that shows it: #{number} {packet} ({pcap}).",
    "packets.reset": "the client's RST: the connection was reset, not closed with a FIN",
    "packets.refused": "the SYN answered by RST: nothing listened, the connection was refused",
    # The HTML report's own words (its page title, headings, table heads, tooltips).
    "html.page_title": "{verdict} · problem {problem}: {title} — {submission}",
    "html.batch_title": "Socket grader: {count} gradings — {overview}",
    "html.gradings": "Socket grader: {count} gradings",
    "html.overview_passed": "{passed} of {total} passed",
    "html.overview_failed": "{count} failed",
    "html.overview_ungraded": "{count} could not be graded ({verdict})",
    "html.file": "file",
    "html.verdict": "verdict",
    "html.points": "points",
    "html.first_mistake": "first mistake",
    "html.seconds": "{seconds} s",
    "html.replays": "{command} replays these replies",
    "html.task": "The task",
    "html.not_graded": "This submission could not be graded:",
    "html.grader_fault": "The grader could not finish (this is not the learner's mistake):",
    "html.try": "Try: {fix}",
    "html.also_failing": "Also failing: {where}.",
    "html.all_passed": "every check passed ({points})",
    "html.passed": "passed",
    "html.failed": "failed",
    "html.skipped": "not judged",
    "html.wire_caption": "What crossed the wire in “{run}”",
    "html.with_input": "(input {stdin})",
    "html.your_program": "your program",
    "html.decoded": "the same bytes, decoded as UTF-8",
    "html.ended": "ended",
    "html.packets_title": "The packets of “{run}” ({kept} of {seen}; the file: {pcap})",
    "html.packet_time": "time",
    "html.packet_connection": "conn.",
    "html.packet_from": "from",
    "html.packet_flags": "flags",
    "html.packet_length": "len",
    "html.packet_payload": "payload",
    # The words of the formats platforms show: Gradescope's results, GitHub Classroom's tests,
    # JUnit's messages, GitHub's annotations and job summary (their keys and statuses are not).
    "platform.headline": "Problem {problem} ({title}): {score} of {max} points",
    "platform.first_mistake": "First mistake: {title} (run “{run}”)",
    "platform.first_mistake_file": "First mistake: {title}",
    "platform.not_your_fault": (
        "The grader itself failed; this is not your mistake. Please tell your teacher."
    ),
    "platform.not_graded": "Your submission could not be graded, so it scores 0:",
    "platform.earlier_failed": "not judged: an earlier check failed",
    "platform.not_judged": "not judged",
    "platform.passed": "passed",
    "platform.failed": "failed",
    "junit.suite": "problem {problem}: {title} — {submission}",
    "junit.not_graded": "the submission could not be graded",
    "junit.grader_failed": "the grader failed (not the learner's fault)",
    "github.title": "problem {problem}: {title} [{run}]",
    "github.could_not_grade": "could not grade",
    "github.grader_fault": "grader fault",
    "github.grader": "grader",
    "github.more": "{count} more mistakes are not annotated; the job summary lists every file's checks",
    "github.heading": "{verdict} · problem {problem} ({title}) · {submission}",
    "github.run": "run",
    "github.check": "check",
    "github.status": "status",
    "github.points": "points",
    "github.first_mistake": "First mistake: {title} in {run}",
    "github.first_mistake_line": "First mistake: {title} in {run} (line {line})",
    "github.summary_title": "Socket grader: {passed} of {total} passed",
    "github.cut": (
        "{count} more submissions are not shown: the job summary is limited to 1 MiB. "
        "The report files have them all."
    ),
}


@dataclass(frozen=True)
class Catalogue:
    """Sentences in one language; ``text(key, english)`` falls back to the English given."""

    lang: str = "en"
    _translations: gettext.NullTranslations = field(
        default_factory=gettext.NullTranslations, compare=False, repr=False
    )

    def text(self, key: str, source: str) -> str:
        """The sentence ``key`` (whose English is ``source``) in this catalogue's language."""
        return self._translations.pgettext(key, source)

    def message(self, key: str, **fields: object) -> str:
        """One of the report's own sentences (``MESSAGES``), filled in."""
        return self.text(key, MESSAGES[key]).format(**fields)


@functools.cache
def english() -> Catalogue:
    """The shipped language: the sources themselves."""
    return Catalogue()


def _wanted(lang: str | None) -> list[str]:
    if lang:
        return [lang]
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return [part for part in value.split(":") if part]
    return []


def catalogue(lang: str | None = None, locale_dir: str | Path | None = None) -> Catalogue:
    """The catalogue for ``lang`` (or the environment's LANGUAGE/LC_ALL/LC_MESSAGES/LANG).

    A language with no compiled catalogue falls back to English, as gettext does: a learner
    whose terminal says ``LANG=fr_FR.UTF-8`` still gets a report.
    """
    languages = _wanted(lang)
    if not languages or languages[0].split("_")[0].split(".")[0] in ("en", "C", "POSIX"):
        return english()
    found = gettext.translation(
        DOMAIN, str(locale_dir or LOCALE_DIR), languages=languages, fallback=True
    )
    if type(found) is gettext.NullTranslations:
        return english()
    return Catalogue(languages[0], found)


def shipped_languages(locale_dir: str | Path | None = None) -> list[str]:
    """English and every language with a compiled catalogue in ``locale_dir``."""
    folder = Path(locale_dir or LOCALE_DIR)
    found = sorted(p.parent.parent.name for p in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return ["en", *found]


def unknown_language(lang: str, locale_dir: str | Path | None = None) -> str:
    """ "" if ``lang`` has a catalogue (or is English), else the sentence that says it has none."""
    if catalogue(lang, locale_dir).lang != "en" or lang.split("_")[0].split(".")[0] in (
        "en",
        "C",
        "POSIX",
    ):
        return ""
    shipped = ", ".join(shipped_languages(locale_dir))
    return english().message("lang.unknown", lang=lang, shipped=shipped)
