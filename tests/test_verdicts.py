"""Every learner script we have gets the verdict its header names, graded for real.

A failing script of the corpus (``tests/submissions/pN/fail_*.py``) names in its header the check
that must fail first, in report order, and the hint key that check must carry::

    # expect: fail
    # why: Breaks "the server sees an orderly close": SO_LINGER 0 makes close() send a reset.
    # fails: closed/reset
    # fails-routed: connected/wrong_address   (only where routed mode must differ)

so a broken check cannot hide behind another failing one. ``source`` names the file's own check.
The whole corpus is graded once per module, four files at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.api import Grader
from grader.judge.checks import CHECKS
from grader.judge.hints import HINTS
from grader.report import Report
from tests.conftest import ROOT, SAMPLES, SUBMISSIONS, expectation, header_lines

CHECK_NAMES = frozenset(CHECKS) | {"source"}

# Scripts whose header says what PROBLEMS.md asks and today's grader does not do. Each is an
# expected failure (strict: it turns red the day the grader is fixed, so the mark is removed).
KNOWN_DEFECTS: dict[str, str] = {}

# Hint keys no corpus script reaches, each with the reason no single script can.
UNREACHABLE: dict[str, str] = {
    # No check chooses this entry: a problem-1 script that sends nothing passes "sent".
    "sent_nothing_p1": "no check chooses it",
    # A corpus file carries its header lines, so it is never empty (test_hostile grades an
    # empty file it makes itself).
    "empty": "a file with a header is not empty",
    # Only a file named after a module it imports (socket.py) gets it, and corpus files are named
    # fail_*.py (test_sandbox grades a socket.py it makes itself).
    "shadows_module": "a corpus file is named fail_*.py, never after a module",
    # A hidden run's failure, told without its inputs: the lesson's problems have no hidden run
    # (tests/test_packs.py grades the example pack's hidden ones).
    "hidden_run": "the built-in problems have no hidden run",
    # The run's memory cap (its cgroup) stops a run only past the configured 1 GiB, which no
    # corpus script reaches (tests/test_trust.py reaches it with a 64 MiB cap).
    "memory_run": "no corpus script passes the run's 1 GiB memory cap",
}
# The example pack's mistakes reach the hints of its protocols; tests/test_packs.py proves
# (through check-pack) that each gets the check and hint key its '# fails:' line names.
PACK_MISTAKES = sorted((ROOT / "examples" / "pack").glob("*/mistakes/*.py"))
# In routed mode the hooks refuse every address but the lesson's, and a child interpreter's
# connection goes to the machine's own 9090, never to the run's server.
UNREACHABLE_ROUTED: dict[str, str] = {
    "bad_host": "routed mode refuses any other host before it reaches the server",
    "not_observed": "routed mode does not route a child interpreter's connection",
}


@dataclass(frozen=True)
class Expected:
    """What a corpus file's header asks for."""

    verdict: str
    check: str = ""
    hint_key: str = ""


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _problem(path: Path) -> int:
    name = (
        path.parent.name
        if path.parent.name.startswith("p") and path.parent != SAMPLES
        else path.name
    )
    return int(name[1])


def _failing(path: Path, routed: bool) -> tuple[str, str]:
    fails = header_lines(path, "fails")
    assert len(fails) == 1, f"{_name(path)}: needs exactly one '# fails: check/hint_key' line"
    value = fails[0]
    if routed and (override := header_lines(path, "fails-routed")):
        value = override[0]
    check, _, key = value.partition("/")
    return check, key


def expected(path: Path, routed: bool) -> Expected:
    verdict = expectation(path)
    if verdict == "pass":
        return Expected("pass")
    check, key = _failing(path, routed)
    return Expected("fail", check, key)


def _cases(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


SAMPLE_FILES = _cases(SAMPLES, "p*.py")
CORPUS_FILES = _cases(SUBMISSIONS, "p*/*.py")


def _explain(report: Report) -> str:
    from grader.render.text_format import render

    return render([report])


@pytest.fixture(scope="module")
def corpus(grader: Grader) -> Iterator[dict[str, Future[Report]]]:
    """Every corpus file graded once, four at a time (the time-outs overlap)."""
    with ThreadPoolExecutor(4, thread_name_prefix="corpus") as pool:
        yield {_name(p): pool.submit(grader.grade, p, _problem(p)) for p in CORPUS_FILES}


@pytest.fixture(scope="module")
def routed(grader: Grader) -> bool:
    return grader.isolation == "routed"


@pytest.mark.skipif(not SAMPLE_FILES, reason="the shared samples are not beside this checkout")
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_shared_sample(grader: Grader, path: Path) -> None:
    report = grader.grade(path, _problem(path))
    assert report.verdict == expectation(path), _explain(report)


def test_every_corpus_file_has_its_header() -> None:
    assert len(CORPUS_FILES) >= 100
    for path in CORPUS_FILES:
        verdict = expectation(path)
        assert path.name.startswith(f"{verdict}_"), f"{_name(path)}: '# expect: {verdict}'"
        if verdict == "pass":
            assert not header_lines(path, "fails"), f"{_name(path)} passes: no '# fails:' line"
            continue
        for routed in (False, True):
            check, key = _failing(path, routed)
            assert check in CHECK_NAMES, f"{_name(path)}: unknown check {check!r}"
            assert key in HINTS or _name(path) in KNOWN_DEFECTS, (
                f"{_name(path)}: {key!r} is not a key of grader/judge/hints.py's HINTS"
            )


def _param(path: Path) -> object:
    reason = KNOWN_DEFECTS.get(_name(path))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(path, id=_name(path), marks=marks)


@pytest.mark.parametrize("path", [_param(p) for p in CORPUS_FILES])
def test_learner_script(corpus: dict[str, Future[Report]], routed: bool, path: Path) -> None:
    report = corpus[_name(path)].result(timeout=120)
    want = expected(path, routed)
    assert report.verdict == want.verdict, _explain(report)
    if want.verdict == "pass":
        return
    first = report.failed_checks[0]
    assert (first.name, first.hint_key) == (want.check, want.hint_key), _explain(report)
    for check in report.failed_checks:
        assert check.expected and check.observed and check.hint and check.hint_key, check


def test_known_defects_name_corpus_files() -> None:
    names = {_name(p) for p in CORPUS_FILES}
    assert set(KNOWN_DEFECTS) <= names


def test_every_hint_key_is_reached_by_the_corpus(
    corpus: dict[str, Future[Report]], routed: bool
) -> None:
    reports = [future.result(timeout=120) for future in corpus.values()]
    reached = {c.hint_key for r in reports for c in r.failed_checks}
    reached |= {_failing(p, routed)[1] for p in PACK_MISTAKES}
    allowed = set(UNREACHABLE) | (set(UNREACHABLE_ROUTED) if routed else set())
    assert allowed <= set(HINTS), f"allowed but no longer hint keys: {allowed - set(HINTS)}"
    assert not reached & allowed, f"reached now, drop them from the allow-list: {reached & allowed}"
    never = sorted(set(HINTS) - reached - allowed)
    assert never == [], f"hint keys no corpus script reaches: {never}"


# Hint keys whose sentence says the program never connected, or that the interpreter's exit
# (not the program) closed the socket.
SAYS_NEVER_CONNECTED = frozenset(
    {"never_connected", "timeout_before_connect", "crashed_before_connect", "not_tcp"}
)
SAYS_CLOSED_BY_EXIT = frozenset({"never_closed"})


def _contradictions(report: Report, source: str) -> list[str]:
    """What a diagnosis says that its own transcript, or the script, shows to be untrue."""
    from grader.i18n import MESSAGES

    found = []
    for transcript in report.transcripts:
        checks = [c for c in report.failed_checks if c.run == transcript.run]
        keys = {c.hint_key for c in checks}
        connected = any(
            e.text.endswith("→ " + MESSAGES["wire.connected"]) for e in transcript.events
        )
        accepted = any(e.kind == "end" for e in transcript.events)
        if (connected or accepted) and keys & SAYS_NEVER_CONNECTED:
            found.append(f"{transcript.run}: says never connected, shows a connection")
        if "not_tcp" in keys and accepted:
            found.append(f"{transcript.run}: says not TCP, shows a TCP connection")
        closed_by_program = any(
            e.kind == "end" and e.text == MESSAGES["wire.fin"] for e in transcript.events
        )
        if closed_by_program and keys & SAYS_CLOSED_BY_EXIT:
            found.append(f"{transcript.run}: says closed at exit, shows the program's FIN")
        at_exit = any(e.text == MESSAGES["wire.fin_at_exit"] for e in transcript.events)
        if at_exit and any(
            c.name == "closed" and c.passed for c in report.checks if c.run == transcript.run
        ):
            found.append(f"{transcript.run}: passes closing, shows the exit's FIN")
        for check in checks:
            said = f"{check.mistake} {check.fix}"
            if "recv()" in said and check.hint_key == "timeout" and "recv" not in source:
                found.append(f"{transcript.run}: names recv(), the script has none")
            if "sleeping" in check.mistake and "sleep" not in source:
                found.append(f"{transcript.run}: says sleeping, the script never sleeps")
    return found


def test_no_diagnosis_contradicts_its_own_transcript(corpus: dict[str, Future[Report]]) -> None:
    """Connected vs never connected, closed by the program vs by the exit, recv vs sleep."""
    wrong = {}
    for path in CORPUS_FILES:
        report = corpus[_name(path)].result(timeout=120)
        source = path.read_bytes().decode("utf-8", "replace")
        if found := _contradictions(report, source):
            wrong[_name(path)] = found
    assert wrong == {}
