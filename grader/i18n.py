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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import BadInput, Phrase

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
    # A batch's summary table, at the terminal.
    "batch.file": "file",
    "batch.verdict": "verdict",
    "batch.points": "points",
    "batch.failed": "failed checks",
    "batch.time": "time",
    "batch.seconds": "{seconds} s",
    "batch.passed": "{passed} of {total} files passed",
    "batch.progress": "{done}/{total} graded, {failed} not passed",
    "batch.skipped": (
        "{path}: skipped {count} (hidden folders, virtual environments, symbolic links): {skipped}"
    ),
    "batch.link": "{path} (a symbolic link)",
    "batch.stopping": "interrupted: no more gradings start; ending those running",
    "batch.interrupted": "interrupted: {done} of {total} files graded",
    "cli.interrupted": "interrupted",
    # Bad input a learner meets: their file, the problem asked for, the command line (exit 2).
    # What a teacher or an operator fixes (configuration, packs, the queue) stays in English.
    "input.nul": "{path}: a path cannot hold a NUL character; give the file's path",
    "input.missing": "{path}: no such file; give the path of a learner's .py file",
    "input.loop": "{path}: a loop of symbolic links; give the real file",
    "input.not_a_file": "{path}: is {kind}, not a file; give a learner's .py file",
    "input.kind.fifo": "a named pipe (FIFO)",
    "input.kind.char": "a character device",
    "input.kind.block": "a block device",
    "input.kind.socket": "a socket",
    "input.kind.other": "not a regular file",
    "input.unreadable": "{path}: cannot read it ({reason}); check its permissions",
    "input.denied": "Permission denied",
    "input.folder": "{path}: is a folder; give a .py file (or grade several files at once)",
    "input.too_big": "{path}: over 1 MiB, not a practice solution; check the path",
    "input.empty_folder": "{path}: the folder holds no .py files",
    "input.unknown_problem": "unknown problem {problem}: no pack holds it; known problems: {known}",
    "input.none": "none",
    "cli.usage": "usage: grade FILE... --problem N [--format F] (see grade --help)",
    "cli.give_file": "give FILE... and --problem N (or --list, --show N, serve N)",
    "cli.jobs": "--jobs {jobs}: give 1 or more",
    "output.folder": "--output {path}: is a folder; give a file name",
    "output.no_folder": "--output {path}: the folder {folder} does not exist; create it first",
    "output.cannot_write_in": "--output {path}: cannot write in {folder}; check its permissions",
    "output.graded": "--output {path}: that is a file being graded; write the report elsewhere",
    "output.cannot_write": "--output {path}: cannot write it ({reason})",
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

    def told(self, key: str, fields: Mapping[str, object]) -> str:
        """``message(key)`` whose fields may hold a ``Phrase``: a word of ``MESSAGES`` too."""
        said = {
            name: self.message(value.key) if isinstance(value, Phrase) else value
            for name, value in fields.items()
        }
        return self.message(key, **said)

    def said(self, error: BadInput) -> str:
        """A bad input's message in this language, if it was told by key; else as it is."""
        return self.told(error.key, error.fields) if error.key else str(error)


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
