"""The report formats (json, junit, gradescope, classroom, html), from reports of real gradings.

Every Report here comes from grading a small learner script (or a missing file) with the real
grader, so the renderers meet exactly what they meet in use: bytes literals, carets, hints,
skipped checks, a report that could not be graded, and hostile learner output (an HTML script
tag, an ANSI escape) and a hostile file name (a raw escape character, markup).
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
import textwrap
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped
from markupsafe import escape

from grader.api import Grader
from grader.render import (
    classroom_format,
    gradescope_format,
    html_format,
    json_format,
    junit_format,
    render,
    renderer,
)
from grader.report import Report

PASS_P2 = """
import socket
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send('Wake up, Neo'.encode())
"""
NEWLINE_P2 = """
import socket
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send('Wake up, Neo\\n'.encode())
"""
BYTES_P3 = """
import socket
message = input()
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send(message.encode())
    print(s.recv(1024))
"""
HOSTILE_P3 = """
import socket
message = input()
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send(message.encode())
    s.recv(1024)
    print("<script>alert(1)</script> \\x1b[31m red & 'quoted' \\x00")
"""
SYNTAX_P2 = """
import socket
s = socket.socket(
s.connect(('127.0.0.1', 9090))
"""
# Connects to the wrong port: the traceback's last frame in the file is line 4.
WRONG_PORT_P3 = """
import socket
message = input()
s = socket.socket()
s.connect(('127.0.0.1', 9091))
"""
# Prints a workflow command and markup, then a lot more, at the start of lines.
NOISY_P2 = """
import socket
print("::warning::forged by the learner <&>")
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send(b'Wake up')
print("x" * 20000)
"""
# A file name a learner could upload: a raw ESC (illegal in XML 1.0) and markup.
HOSTILE_NAME = "hostile_\x1b[31m<b>&.py"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
MISSING_SAYS = "no such file; give the path of a learner's .py file"
NEWLINE_HINT_START = "The message ends with a newline"
NEWLINE_HINT = (
    "The message ends with a newline (b'\\n'), but messages carry none. input() returns the "
    "line without it; after sys.stdin.readline(), strip it: line.rstrip('\\n')."
)


class Gradings:
    """The reports every test renders, made once for the module."""

    def __init__(self, folder: Path) -> None:
        g = Grader.create()
        self.folder = folder

        def grade(source: str, problem: int, name: str) -> Report:
            path = folder / name
            path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
            return g.grade(path, problem)

        self.passed = grade(PASS_P2, 2, "pass_p2.py")
        self.newline = grade(NEWLINE_P2, 2, "newline_p2.py")
        self.as_bytes = grade(BYTES_P3, 3, "bytes_p3.py")
        self.hostile = grade(HOSTILE_P3, 3, HOSTILE_NAME)
        (self.missing,) = g.grade_many([folder / "missing.py"], 2)
        self.syntax = grade(SYNTAX_P2, 2, "syntax_p2.py")
        self.wrong_port = grade(WRONG_PORT_P3, 3, "p3_port_9091.py")
        self.noisy = grade(NOISY_P2, 2, "noisy_p2.py")
        self.fault = g.ungraded(folder / "pass_p2.py", 2, "error", "GraderFault: worker gone")
        g.close()

    @property
    def all(self) -> list[Report]:
        return [self.passed, self.newline, self.as_bytes, self.hostile, self.missing]


@pytest.fixture(scope="module")
def gradings(tmp_path_factory: pytest.TempPathFactory) -> Gradings:
    made = Gradings(tmp_path_factory.mktemp("learners"))
    # What the tests below rely on; if grading itself changes, say so here, not in a renderer test.
    assert made.passed.verdict == "pass"
    assert [c.status for c in made.newline.checks].count("skipped") >= 1
    assert made.newline.failed_checks[0].hint.startswith(NEWLINE_HINT_START)
    assert made.as_bytes.verdict == "fail"
    assert made.hostile.verdict == "fail"
    assert "\x1b" not in made.hostile.submission  # the name is escaped at the source
    assert "\\x1b[31m" in made.hostile.submission
    assert (made.missing.verdict, made.missing.exit_code) == ("invalid", 2)  # bad input
    assert made.missing.error == f"{made.folder}/missing.py: " + MISSING_SAYS
    assert [c.name for c in made.syntax.checks] == ["source"]
    assert made.wrong_port.verdict == "fail" and made.noisy.verdict == "fail"
    return made


# -- JSON and its schema --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    shipped = resources.files("grader").joinpath("schema/report.schema.json")
    assert shipped.is_file(), "the schema must ship inside the grader package"
    loaded: dict[str, Any] = json.loads(shipped.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


def test_schema_describes_exactly_what_as_dict_emits(
    gradings: Gradings, schema: dict[str, Any]
) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema_version"]["const"] == json_format.SCHEMA_VERSION
    emitted = json_format.as_dict(gradings.newline)
    assert set(schema["required"]) == set(schema["properties"]) == set(emitted)
    check = schema["$defs"]["check"]
    assert set(check["required"]) == set(check["properties"]) == set(emitted["checks"][0])


def test_json_single_report_validates(gradings: Gradings, schema: dict[str, Any]) -> None:
    v = validator(schema)
    for report in gradings.all:
        text = json_format.render([report])
        assert text.count("\n") > 1  # one indented object, not a line
        data = json.loads(text)
        v.validate(data)
        assert data["verdict"] == report.verdict
        assert data["passed"] == report.passed_count


def test_json_lines_validate(gradings: Gradings, schema: dict[str, Any]) -> None:
    v = validator(schema)
    lines = json_format.render(gradings.all).splitlines()
    assert len(lines) == len(gradings.all)
    for line, report in zip(lines, gradings.all, strict=True):
        data = json.loads(line)
        v.validate(data)
        assert data["submission"] == report.submission


def test_json_carries_points_and_unreached_checks(
    gradings: Gradings, schema: dict[str, Any]
) -> None:
    assert json_format.SCHEMA_VERSION == "2.2"
    newline = json_format.as_dict(gradings.newline)
    assert (newline["score"], newline["max_score"]) == (50, 100)
    assert [(c["score"], c["max_score"]) for c in newline["checks"]] == [
        (25, 25),
        (0, 25),
        (0, 25),
        (25, 25),
    ]
    assert newline["tests"] == newline["checks"]
    assert (newline["passed"], newline["total"]) == (2, 4)
    assert newline["unreached"] == []
    syntax = json_format.as_dict(gradings.syntax)
    validator(schema).validate(syntax)
    assert syntax["checks"][0]["line"] == 2 and syntax["checks"][0]["max_score"] == 0
    # the file's own check is no test: the tests are the problem's 4, not judged
    assert syntax["tests"] == syntax["unreached"] and (syntax["passed"], syntax["total"]) == (0, 4)
    assert syntax["summary"] == "0 of 4 checks passed"
    bytes_p3 = json_format.as_dict(gradings.wrong_port)
    assert [c["max_score"] for c in bytes_p3["tests"]] == [6.75] * 10 + [6.5] * 5
    assert json.dumps(bytes_p3["max_score"]) == "100"  # whole points stay integers
    assert [c["name"] for c in syntax["unreached"]] == ["connected", "sent", "closed", "clean_end"]
    assert {c["status"] for c in syntax["unreached"]} == {"skipped"}
    assert sum(c["max_score"] for c in syntax["unreached"]) == 100
    for report in (gradings.missing, gradings.fault, gradings.wrong_port):
        validator(schema).validate(json_format.as_dict(report))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d.update(extra=1), "additionalProperties"),
        (lambda d: d.update(verdict="maybe"), "enum"),
        (lambda d: d.update(schema_version="1.2"), "const"),
        (lambda d: d.update(score=6.7), "multipleOf"),
        (lambda d: d["tests"][1].update(max_score=0.1), "multipleOf"),
        (lambda d: d.update(exit_code=0), "verdict fail means exit code 1"),
        (lambda d: d["checks"][1].update(status="flaky"), "enum"),
        (lambda d: d["checks"][1].update(marker="x^"), "pattern"),
        (lambda d: d["checks"][1].pop("hint"), "required"),
        (lambda d: d["checks"][1].pop("score"), "required"),
        (lambda d: d["checks"][1].update(line=0), "minimum"),
        (lambda d: d.update(max_score=-1), "minimum"),
    ],
)
def test_schema_rejects_what_as_dict_never_emits(
    gradings: Gradings, schema: dict[str, Any], change: Any, why: str
) -> None:
    data = json_format.as_dict(gradings.newline)
    validator(schema).validate(data)
    change(data)
    with pytest.raises(jsonschema.ValidationError):
        validator(schema).validate(data)


# -- JUnit XML ------------------------------------------------------------------------------------
def test_junit_counts_match_the_reports(gradings: Gradings) -> None:
    xml = JUnitXml.fromstring(junit_format.render(gradings.all))
    suites = list(xml)
    assert len(suites) == len(gradings.all)
    folder = gradings.folder
    assert [suite.name for suite in suites] == [
        f"problem 2: Wake up, Neo — {folder}/pass_p2.py",
        f"problem 2: Wake up, Neo — {folder}/newline_p2.py",
        f"problem 3: Question and answer — {folder}/bytes_p3.py",
        f"problem 3: Question and answer — {folder}/hostile_\\x1b[31m<b>&.py",
        f"problem 2: Wake up, Neo — {folder}/missing.py",
    ]
    for suite, report in zip(suites, gradings.all, strict=True):
        cannot = 1 if report.verdict in ("invalid", "error") else 0
        cases = list(suite)
        assert suite.tests == len(cases) == len(report.tests)
        assert suite.failures == len(report.failed_checks)
        assert suite.skipped == sum(1 for c in report.tests if c.skipped) - cannot
        assert suite.errors == cannot
        # the attributes agree with what the cases carry
        results = [type(r) for case in cases for r in case.result]
        assert results.count(Failure) == suite.failures
        assert results.count(Skipped) == suite.skipped
        assert results.count(Error) == suite.errors
        for case, check in zip(cases, report.tests, strict=False):
            assert case.name == f"[{check.run}] {check.title}"
    # the missing file lists problem 2's 4 tests, the first carrying the reason it was not graded
    assert xml.tests == 4 + 4 + 15 + 15 + 4


def test_junit_failure_carries_the_feedback(gradings: Gradings) -> None:
    report = gradings.newline
    (suite,) = JUnitXml.fromstring(junit_format.render([report]))
    (check,) = report.failed_checks
    (case,) = [c for c in suite if any(isinstance(r, Failure) for r in c.result)]
    (failure,) = case.result
    assert isinstance(failure, Failure)
    # What a learner reads first in GitLab/Jenkins: pinned.
    assert failure.message == (
        "expected b'Wake up, Neo'; observed b'Wake up, Neo\\n'; try: " + NEWLINE_HINT
    )
    assert NEWLINE_HINT_START in failure.message
    lines = failure.text.split("\n")
    assert lines[0] == "expected  b'Wake up, Neo'"
    assert lines[1] == "observed  b'Wake up, Neo\\n'"
    assert lines[2].index("^") == lines[1].index("\\")  # the caret under the stray newline
    assert lines[3] == "try       " + NEWLINE_HINT
    skipped = [c for c in suite if c.is_skipped]
    assert skipped and all("not judged" in c.result[0].message for c in skipped)


def test_junit_failure_messages_start_with_expected_and_hold_the_hint(
    gradings: Gradings,
) -> None:
    for suite, report in zip(
        JUnitXml.fromstring(junit_format.render(gradings.all)), gradings.all, strict=True
    ):
        messages = [r.message for case in suite for r in case.result if isinstance(r, Failure)]
        assert len(messages) == len(report.failed_checks)
        for message, check in zip(messages, report.failed_checks, strict=True):
            assert message.startswith("expected ")
            assert message.endswith("; try: " + check.hint)  # hints hold nothing XML forbids


def test_junit_error_report(gradings: Gradings) -> None:
    (suite,) = JUnitXml.fromstring(junit_format.render([gradings.missing]))
    case, *unreached = list(suite)
    assert [c.name for c in [case, *unreached]] == [
        "[wake up] connects once to 127.0.0.1:9090",
        "[wake up] sends exactly b'Wake up, Neo'",
        "[wake up] closes the connection itself",
        "[wake up] ends cleanly within 5 s",
    ]
    assert all(c.is_skipped for c in unreached)
    (error,) = case.result
    assert isinstance(error, Error)
    assert error.message == f"{gradings.folder}/missing.py: " + MISSING_SAYS
    assert error.type == "invalid"
    assert error.text.startswith("the submission could not be graded: ")


def test_junit_is_well_formed_with_hostile_names_and_output(gradings: Gradings) -> None:
    text = junit_format.render(gradings.all)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
    hostile = root.findall("testsuite")[3]
    assert hostile.get("name", "").endswith("hostile_\\x1b[31m<b>&.py")  # ESC escaped, rest kept
    failures = hostile.findall("testcase/failure")
    assert failures and all("<script>alert(1)</script>" in (f.text or "") for f in failures)
    assert "<script>" not in text  # escaped on the wire, as &lt;script&gt;


def test_junit_for_gitlab_and_jenkins(gradings: Gradings) -> None:
    """The fields GitLab documents (classname, name, file, time, system-out) and Jenkins' split."""
    reports = [gradings.wrong_port, gradings.noisy, gradings.syntax]
    xml = JUnitXml.fromstring(junit_format.render(reports))
    port, noisy, syntax = list(xml)
    cases = list(port)
    # Jenkins: package "problem3", class "p3_port_9091" (split at the last and only dot).
    assert {c.classname for c in cases} == {"problem3.p3_port_9091"}
    assert {c._elem.get("file") for c in cases} == {gradings.wrong_port.submission}
    # GitLab keeps only the first of two cases with one classname and name: all are distinct.
    keys = [(c.classname, c.name) for suite in xml for c in suite]
    assert len(keys) == len(set(keys))
    # The real time of each run sits on its first case; the others say 0.
    times = [c.time for c in cases]
    assert [t > 0 for t in times] == [True, False, False, False, False] * 3
    runs = {o.run: o.duration_s for o in gradings.wrong_port.outcomes}
    assert times[0] == pytest.approx(runs["Latin text"], abs=0.001)
    # A failure points at the line of the learner's file, and carries what the program printed.
    (connected, *_rest) = [c for c in cases if not c.is_passed and not c.is_skipped]
    assert connected._elem.get("line") == "4"
    assert "ConnectionRefusedError" in (connected.system_out or "")
    # The program's own output, escaped on the wire and capped.
    noisy_failed = [c for c in noisy if not c.is_passed and not c.is_skipped]
    out = noisy_failed[0].system_out or ""
    assert out.startswith("::warning::forged by the learner <&>\n")
    assert "characters not shown" in out and len(out) < 5000
    assert "forged by the learner &lt;&amp;&gt;" in junit_format.render([gradings.noisy])
    # The file that is not Python: the same tests, the first failing with the file's mistake.
    first, *rest = list(syntax)
    assert [c.name for c in [first, *rest]] == [
        "[wake up] connects once to 127.0.0.1:9090",
        "[wake up] sends exactly b'Wake up, Neo'",
        "[wake up] closes the connection itself",
        "[wake up] ends cleanly within 5 s",
    ]
    (failure,) = first.result
    assert isinstance(failure, Failure) and failure.type == "source"
    assert failure.message.startswith("expected a UTF-8 Python script; observed SyntaxError")
    assert first._elem.get("line") == "2" and all(c.is_skipped for c in rest)


# -- Gradescope -----------------------------------------------------------------------------------
P2_TESTS = [
    "wake up: connects once to 127.0.0.1:9090",
    "wake up: sends exactly b'Wake up, Neo'",
    "wake up: closes the connection itself",
    "wake up: ends cleanly within 5 s",
]


def test_gradescope_single_report(gradings: Gradings) -> None:
    report = gradings.newline
    results = json.loads(gradescope_format.render([report]))
    assert results["score"] == 50  # 2 of 4 checks at 25 points each
    assert results["output"].startswith(
        "Problem 2 (Wake up, Neo): 50 of 100 points; 2 of 4 checks passed\n\n"
        "First mistake: sends exactly b'Wake up, Neo' (run “wake up”)\n"
        "expected  b'Wake up, Neo'\nobserved  b'Wake up, Neo\\n'\n"
    )
    assert results["execution_time"] == round(report.duration_s, 3) > 0
    tests = results["tests"]
    assert [t["name"] for t in tests] == P2_TESTS
    assert [t["max_score"] for t in tests] == [25, 25, 25, 25]
    assert [t["score"] for t in tests] == [25, 0, 0, 25]
    assert [t["status"] for t in tests] == ["passed", "failed", "failed", "passed"]
    assert [t["number"] for t in tests] == ["2.1", "2.2", "2.3", "2.4"]
    assert all(t["visibility"] == "visible" for t in tests)
    assert tests[1]["output"].startswith(
        "expected  b'Wake up, Neo'\nobserved  b'Wake up, Neo\\n'\n                        ^\n"
        "try       " + NEWLINE_HINT_START
    )
    assert tests[2]["output"] == "not judged: needs “sends exactly b'Wake up, Neo'” first"


def test_gradescope_same_tests_for_every_submission(gradings: Gradings) -> None:
    """Pass, fail, a syntax error, a missing file, a grader fault: one list of tests."""
    p2 = [gradings.passed, gradings.newline, gradings.syntax, gradings.missing, gradings.fault]
    for report in p2:
        results = json.loads(gradescope_format.render([report]))
        assert [t["name"] for t in results["tests"]] == P2_TESTS, report.verdict
        assert sum(t["max_score"] for t in results["tests"]) == 100
        assert results["score"] == sum(t["score"] for t in results["tests"])
    assert json.loads(gradescope_format.render([gradings.passed]))["score"] == 100
    syntax = json.loads(gradescope_format.render([gradings.syntax]))
    assert syntax["score"] == 0
    assert "SyntaxError at line 2: '(' was never closed" in syntax["output"]
    missing = json.loads(gradescope_format.render([gradings.missing]))
    assert "Your submission could not be graded, so it scores 0:" in missing["output"]
    assert "no such file" in missing["output"]
    fault = json.loads(gradescope_format.render([gradings.fault]))
    assert "this is not your mistake" in fault["output"]
    assert "GraderFault: worker gone" in fault["output"]


def test_gradescope_combined_results(gradings: Gradings) -> None:
    text = gradescope_format.render(gradings.all)
    results = json.loads(text)
    assert "№" in text  # ensure_ascii=False: the learner's replies read as text
    # pass; newline: 2 of 4 checks; bytes and hostile: all but "prints" in each of 3 runs; missing
    assert results["score"] == 100 + 50 + 80 + 80 + 0
    assert sum(t["score"] for t in results["tests"]) == results["score"]
    assert len(results["tests"]) == 4 + 4 + 15 + 15 + 4
    for report in gradings.all:
        mine = [t for t in results["tests"] if t["name"].startswith(report.submission + ": ")]
        assert len(mine) == len(report.tests)
    assert [r["verdict"] for r in results["extra_data"]["reports"]] == [
        r.verdict for r in gradings.all
    ]


# -- GitHub Classroom -----------------------------------------------------------------------------
def _decoded(text: str) -> dict[str, Any]:
    assert text.endswith("\n") and text.count("\n") == 1  # one line, as a step output
    data: dict[str, Any] = json.loads(base64.b64decode(text.strip(), validate=True))
    return data


def test_classroom_payload_gives_partial_credit(gradings: Gradings) -> None:
    data = _decoded(classroom_format.render([gradings.newline]))
    assert data["version"] == 1 and data["status"] == "fail" and data["max_score"] == 100
    tests = data["tests"]
    assert [t["name"] for t in tests] == P2_TESTS
    assert [t["status"] for t in tests] == ["pass", "fail", "fail", "pass"]
    # What the grading reporter does: add up the tests' scores.
    assert sum(t["score"] for t in tests) == 50
    for test in tests:
        assert set(test) == {
            "name",
            "status",
            "score",
            "message",
            "test_code",
            "filename",
            "line_no",
            "duration",
        }
        assert test["filename"].endswith("newline_p2.py")
        assert isinstance(test["duration"], int) and test["duration"] >= 0
    assert tests[1]["message"].startswith("expected  b'Wake up, Neo'")
    assert tests[0]["message"] == ""


def test_classroom_statuses_and_lines(gradings: Gradings) -> None:
    passed = _decoded(classroom_format.render([gradings.passed]))
    assert passed["status"] == "pass" and sum(t["score"] for t in passed["tests"]) == 100
    syntax = _decoded(classroom_format.render([gradings.syntax]))
    assert syntax["status"] == "fail" and [t["name"] for t in syntax["tests"]] == P2_TESTS
    assert all(t["score"] == 0 for t in syntax["tests"])
    assert syntax["tests"][0]["message"].startswith("SyntaxError at line 2")
    port = _decoded(classroom_format.render([gradings.wrong_port]))
    failed = [t for t in port["tests"] if t["status"] == "fail" and t["message"].startswith("exp")]
    assert failed and all(t["line_no"] == 4 for t in failed)
    fault = _decoded(classroom_format.render([gradings.fault]))
    assert fault["status"] == "error" and {t["status"] for t in fault["tests"]} == {"error"}
    batch = _decoded(classroom_format.render(gradings.all))
    assert batch["max_score"] == 500 and len(batch["tests"]) == 4 + 4 + 15 + 15 + 4


# -- one test list ----------------------------------------------------------------------------------
def _lists(report: Report) -> dict[str, list[tuple[str, str]]]:
    """(test name, points) as each format lists them; JUnit and Classroom carry no worth, so
    they give the score; the others ``score / max_score``."""
    from grader.render import github, text_format

    data = json_format.as_dict(report)
    xml = JUnitXml.fromstring(junit_format.render([report]))
    gradescope = json.loads(gradescope_format.render([report]))
    classroom = _decoded(classroom_format.render([report]))
    summary = github.summary_section(report)
    verbose = text_format.render([report], verbose=True)
    page = html_format.render([report])
    run = ""
    text: list[tuple[str, str]] = []
    items: list[tuple[str, str]] = []  # (run, an item of the list with its folded lines)
    folding = False
    for line in verbose.splitlines():
        if line and not line.startswith((" ", "PASS", "FAIL", "INV", "ERR")):
            run = line
        if re.match(r"  [✓✗-] ", line):
            items.append((run, line))
        elif folding and re.match(r"    \S", line):  # the item before, folded to the width
            items[-1] = (items[-1][0], f"{items[-1][1]} {line.strip()}")
            continue
        folding = bool(re.match(r"  [✓✗-] ", line))
    for run_of, item in items:
        found = re.fullmatch(r"  [✓✗-] (.+?)(?: \(.*\))? · ([\d.]+ / [\d.]+)", item)
        if found:
            text.append((f"{run_of}: {found.group(1)}", found.group(2)))
    shown, run = [], ""
    for heading, title, points in re.findall(
        r'<h3 class="run">(.+?)</h3>|<span class="title">(.+?)</span>.*?<span class="worth">'
        r"(.+?) points</span>",
        page,
    ):
        if heading:
            run = heading
        else:
            shown.append((html.unescape(f"{run}: {title}"), points))
    return {
        "json": [
            (f"{t['run']}: {t['title']}", f"{t['score']} / {t['max_score']}") for t in data["tests"]
        ],
        "gradescope": [
            (t["name"], f"{t['score']} / {t['max_score']}") for t in gradescope["tests"]
        ],
        "summary": [
            (html.unescape(f"{run}: {check}"), points)
            for run, check, points in re.findall(
                r"^\| (.+?) \| (.+?) \| .+? \| ([\d.]+ / [\d.]+) \|$", summary, re.M
            )
        ],
        "text": text,
        "html": shown,
        "junit": [(re.sub(r"^\[(.+?)\] ", r"\1: ", c.name), "") for c in list(xml)[0]],
        "classroom": [(t["name"], str(t["score"])) for t in classroom["tests"]],
    }


def test_every_format_lists_the_same_tests_for_every_submission(gradings: Gradings) -> None:
    """Pass, fail, not Python, missing, a grader fault: one list, one order, the same points."""
    for report in (
        gradings.passed,
        gradings.newline,
        gradings.syntax,
        gradings.missing,
        gradings.fault,
    ):
        expected = [(f"{t.run}: {t.title}", f"{t.score:g} / {t.max_score:g}") for t in report.tests]
        assert [name for name, _ in expected] == P2_TESTS
        lists = _lists(report)
        for fmt in ("json", "gradescope", "summary", "text", "html"):
            assert lists[fmt] == expected, (report.verdict, fmt)
        for fmt in ("junit", "classroom"):
            assert [name for name, _ in lists[fmt]] == P2_TESTS, (report.verdict, fmt)
        assert [p for _, p in lists["classroom"]] == [f"{t.score:g}" for t in report.tests]
        # the source check (is it Python?) is no test anywhere: it is the first mistake
        assert "is a Python script" not in str(lists)
        assert sum(t.max_score for t in report.tests) == report.max_score == 100
        assert report.summary().endswith("of 4 checks passed") or report.verdict in (
            "invalid",
            "error",
        )


# -- HTML -----------------------------------------------------------------------------------------
def test_html_is_self_contained_and_escapes_the_learner(gradings: Gradings) -> None:
    page = html_format.render([gradings.hostile])
    assert SCRIPT_ESCAPED in page
    assert "<script" not in page.lower()
    assert "http://" not in page and "https://" not in page
    assert "src=" not in page.lower()
    for loader in ("<link", "<img", "<iframe", "@import", "url("):
        assert loader not in page.lower()
    assert (
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">" in page
    )
    assert "\x1b" not in page and "\x00" not in page
    assert "\\x1b[31m" in page  # the escape is shown, not obeyed
    assert "hostile_\\x1b[31m&lt;b&gt;&amp;.py" in page  # the file name, escaped
    assert "12 of 15 checks passed" in page
    assert ">FAIL<" in page


def test_html_marker_lines_up_under_observed(gradings: Gradings) -> None:
    page = html_format.render([gradings.newline])
    (diff,) = re.findall(r'<pre class="diff">(.*?)</pre>', page, re.S)
    lines = html.unescape(re.sub(r"<[^>]+>", "", diff)).split("\n")
    assert lines[0] == "expected  b'Wake up, Neo'"
    assert lines[1] == "observed  b'Wake up, Neo\\n'"
    assert lines[2].index("^") == lines[1].index("\\")
    assert escape(gradings.newline.failed_checks[0].hint) in page
    assert "✓" in page and "✗" in page and '<span class="mark" title="not judged">-</span>' in page


def test_html_several_reports_make_one_page(gradings: Gradings) -> None:
    page = renderer("html")(gradings.all)
    assert page.count("<html") == 1
    assert page.count('<section class="report') == len(gradings.all)
    assert "1 of 5 passed" in page
    assert escape(gradings.missing.error) in page
    assert "<script" not in page.lower()


def _chromium(tmp_path: Path) -> list[str]:
    """Headless Chromium with no network of its own and a fresh profile; skips where absent."""
    browser = shutil.which("chromium")
    if browser is None and Path("/usr/bin/chromium").exists():
        browser = "/usr/bin/chromium"
    if browser is None:
        pytest.skip("chromium not found (neither /usr/bin/chromium nor `chromium` on PATH)")
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]


def _dump_dom(command: list[str], page: Path) -> str:
    """The DOM of ``page`` after Chromium has loaded it."""
    dumped = subprocess.run(
        [*command, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert dumped.returncode == 0 and "</html>" in dumped.stdout, dumped.stderr[-2000:]
    return dumped.stdout


def test_html_in_a_real_headless_browser(gradings: Gradings, tmp_path: Path) -> None:
    common = _chromium(tmp_path)
    page = tmp_path / "report.html"
    page.write_text(html_format.render([gradings.hostile, gradings.newline]), encoding="utf-8")
    dom = _dump_dom(common, page)
    assert "12 of 15 checks passed" in dom
    assert "2 of 4 checks passed" in dom
    assert SCRIPT_ESCAPED in dom  # the learner's tag is text in the DOM ...
    assert "<script" not in dom.lower()  # ... and no script element exists: nothing ran
    assert "<b>" not in dom  # the markup in the file name stayed text too
    shot = tmp_path / "report.png"
    subprocess.run(
        [*common, "--window-size=1000,1400", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_batch_html_overview_in_a_real_headless_browser(gradings: Gradings, tmp_path: Path) -> None:
    command = _chromium(tmp_path)
    page = tmp_path / "batch.html"
    page.write_text(html_format.render(gradings.all), encoding="utf-8")
    dom = _dump_dom(command, page)
    (table,) = re.findall(r'<table class="overview-table">(.*?)</table>', dom, re.S)
    rows = re.findall(r"<tr class=\"verdict-(\w+)\">(.*?)</tr>", table, re.S)
    assert [verdict for verdict, _ in rows] == ["pass", "fail", "fail", "fail", "invalid"]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for _, row in rows]
    text = [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in row] for row in cells]
    assert text[0][1:] == ["PASS", "100 / 100", "–"]
    assert text[1][1:] == ["FAIL", "50 / 100", "sends exactly b'Wake up, Neo' (wake up)"]
    assert text[4][1] == "INVALID" and "no such file" in text[4][3]
    # each file links to its report, and the target exists
    for index, (_, row) in enumerate(rows, start=1):
        assert f'href="#report-{index}"' in row
        assert f'id="report-{index}"' in dom
    # a report that passed is folded: its checks sit in a closed <details>
    passed = dom[dom.index('id="report-1"') : dom.index('id="report-2"')]
    assert '<details class="passes">' in passed and '<details class="passes" open' not in passed
    failing = dom[dom.index('id="report-2"') : dom.index('id="report-3"')]
    assert '<details class="passes">' not in failing
    assert "<script" not in dom.lower()


def test_job_summary_from_real_gradings(gradings: Gradings, tmp_path: Path) -> None:
    from grader.render import github

    target = tmp_path / "summary.md"
    target.write_text("earlier step\n", encoding="utf-8")
    github.append_summary([gradings.newline, gradings.hostile, gradings.syntax], target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## Socket grader: 0 of 3 passed\n")
    assert "| run | check | status | points |" in text
    assert "| wake up | sends exactly b&#x27;Wake up, Neo&#x27; | ❌ failed | 0 / 25 |" in text
    assert "| wake up | connects once to 127.0.0.1:9090 | ✅ passed | 25 / 25 |" in text
    assert "**50 / 100 points**" in text
    assert "First mistake: **sends exactly b&#x27;Wake up, Neo&#x27;** in wake up" in text
    assert (
        "<pre>expected  b&#x27;Wake up, Neo&#x27;\nobserved  b&#x27;Wake up, Neo\\n&#x27;" in text
    )
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "(line 2)" in text  # the syntax error's line
    # Under the 1 MiB a step may write, whatever the batch: a long one is cut with a note.
    many = [gradings.hostile] * 1000
    big = tmp_path / "big.md"
    github.append_summary(many, big)
    size = big.stat().st_size
    assert 900 * 1024 < size < 1024 * 1024
    assert (
        big.read_text(encoding="utf-8")
        .rstrip()
        .endswith(
            "more submissions are not shown: the job summary is limited to 1 MiB. "
            "The report files have them all.*"
        )
    )


# Measures the report from inside: every box within the page's width, except inside a box that
# scrolls on purpose (a diff too wide for a phone), and every label within its column (the
# statement is opened for it); the result is written where the harness
# reads it. Only the test's copy of the report runs a script: the report itself has none.
_MEASURE = """<script>
const w = document.documentElement.clientWidth; const over = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (!r.width) continue;
  let up = el.parentElement, scrolls = false;
  for (; up; up = up.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) { scrolls = true; break; }
  }
  if (!scrolls && (r.right > w + 0.5 || r.left < -0.5)) over.push(el.tagName + '.' + el.className);
  // a label wider than its column would run into its value
  if (el.tagName === 'DT' && el.scrollWidth > el.clientWidth + 1) over.push('DT:' + el.textContent);
}
const server = document.querySelector('.seq .heads span:nth-child(4)');
document.body.dataset.width = w;
document.body.dataset.scroll = document.documentElement.scrollWidth;
document.body.dataset.overflow = over.join(' ');
document.body.dataset.server = server ? Math.round(server.getBoundingClientRect().right) : -1;
document.body.dataset.decoded = document.querySelectorAll('.seq .decoded').length;
</script>"""


@pytest.fixture(scope="module")
def russian(gradings: Gradings) -> list[Report]:
    """Two of the reports above graded again in Russian, whose words are longer."""
    with Grader.create(lang="ru") as g:
        return [
            g.grade(gradings.folder / "bytes_p3.py", 3),
            g.grade(gradings.folder / "newline_p2.py", 2),
        ]


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("width", [390, 1200])
def test_html_fits_a_phone_and_a_desktop_in_a_real_browser(
    gradings: Gradings, russian: list[Report], tmp_path: Path, width: int, lang: str
) -> None:
    """At 390 px and 1200 px nothing leaves the page, in English and in Russian: the sequence
    diagram's server column included; bytes are shown with their decoded text beside them."""
    command = _chromium(tmp_path)
    reports = [gradings.as_bytes, gradings.newline] if lang == "en" else russian
    report = render(reports, "html", lang=lang)
    assert f'<html lang="{lang}">' in report
    measured = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", report)
    measured = measured.replace('<details class="statement">', '<details class="statement" open>')
    measured = measured.replace("</body>", _MEASURE + "</body>")
    # Chromium's window is at least 500 px wide: the page is laid out in a frame of the width.
    harness = tmp_path / "harness.html"
    harness.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe style="border:0;width:{width}px;height:3000px" '
        f'srcdoc="{html.escape(measured, quote=True)}" onload="document.body.dataset.result = '
        'JSON.stringify(this.contentDocument.body.dataset)"></iframe></body></html>',
        encoding="utf-8",
    )
    dumped = subprocess.run(
        [*command, "--window-size=1300,3100", "--virtual-time-budget=5000", "--dump-dom"]
        + [harness.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    found = re.search(r'data-result="([^"]*)"', dumped.stdout)
    assert found is not None, dumped.stdout[-2000:] + dumped.stderr[-2000:]
    result = json.loads(html.unescape(found.group(1)))
    page = int(result["width"])
    assert width - 20 <= page <= width  # the frame's width, less a scroll bar
    assert result["overflow"] == "" and int(result["scroll"]) == page
    assert 0 < int(result["server"]) <= page  # the server's column is on the page
    assert int(result["decoded"]) >= 3  # every non-ASCII reply of problem 3, decoded beside it
    transcript = reports[0].transcripts[0]
    reply = next(e for e in transcript.events if e.who == "server")
    assert reply.decoded.startswith("'") and "№" in reply.decoded
    assert "= " + reply.decoded in html.unescape(report)
