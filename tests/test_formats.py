"""The report formats (json, junit, gradescope, html), rendered from reports of real gradings.

Every Report here comes from grading a small learner script (or a missing file) with the real
grader, so the renderers meet exactly what they meet in use: bytes literals, carets, hints,
skipped checks, a report that could not be graded, and hostile learner output (an HTML script
tag, an ANSI escape) and a hostile file name (a raw escape character, markup).
"""

from __future__ import annotations

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
from grader.render import gradescope_format, html_format, json_format, junit_format, renderer
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


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d.update(extra=1), "additionalProperties"),
        (lambda d: d.update(verdict="maybe"), "enum"),
        (lambda d: d.update(schema_version="2.0"), "const"),
        (lambda d: d.update(exit_code=0), "verdict fail means exit code 1"),
        (lambda d: d["checks"][1].update(status="flaky"), "enum"),
        (lambda d: d["checks"][1].update(marker="x^"), "pattern"),
        (lambda d: d["checks"][1].pop("hint"), "required"),
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
        assert suite.tests == len(cases) == len(report.checks) + cannot
        assert suite.failures == len(report.failed_checks)
        assert suite.skipped == sum(1 for c in report.checks if c.skipped)
        assert suite.errors == cannot
        # the attributes agree with what the cases carry
        results = [type(r) for case in cases for r in case.result]
        assert results.count(Failure) == suite.failures
        assert results.count(Skipped) == suite.skipped
        assert results.count(Error) == suite.errors
        for case, check in zip(cases, report.checks, strict=False):
            assert case.name == f"[{check.run}] {check.title}"
    assert xml.tests == sum(len(r.checks) for r in gradings.all) + 1


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
    (case,) = list(suite)
    (error,) = case.result
    assert isinstance(error, Error)
    assert error.message == f"{gradings.folder}/missing.py: " + MISSING_SAYS
    assert error.type == "invalid"
    assert case.name == "grading: the submission could not be graded"


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


# -- Gradescope -----------------------------------------------------------------------------------
def test_gradescope_single_report(gradings: Gradings) -> None:
    report = gradings.newline
    text = gradescope_format.render([report])
    results = json.loads(text)
    assert results["score"] == report.passed_count == 2
    assert results["output"] == "Problem 2 (Wake up, Neo): 2 of 4 checks passed"
    tests = results["tests"]
    assert len(tests) == len(report.checks)
    for test, check in zip(tests, report.checks, strict=True):
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["max_score"] == 1
        assert test["score"] == (1 if check.passed else 0)
        assert test["status"] == ("passed" if check.passed else "failed")
        assert test["visibility"] == "visible"
        assert check.title in test["name"] and check.run in test["name"]
    (sent,) = [t for t, c in zip(tests, report.checks, strict=True) if c.status == "failed"]
    assert sent["output"].startswith(
        "expected  b'Wake up, Neo'\nobserved  b'Wake up, Neo\\n'\n                        ^\n"
        "try       " + NEWLINE_HINT_START
    )
    (skipped,) = [t for t, c in zip(tests, report.checks, strict=True) if c.skipped]
    assert skipped["score"] == 0 and skipped["output"].startswith("not judged")


def test_gradescope_combined_results(gradings: Gradings) -> None:
    text = gradescope_format.render(gradings.all)
    results = json.loads(text)
    assert "№" in text  # ensure_ascii=False: the learner's replies read as text
    assert results["score"] == sum(r.passed_count for r in gradings.all)
    assert sum(t["score"] for t in results["tests"]) == results["score"]
    assert len(results["tests"]) == sum(len(r.checks) for r in gradings.all) + 1
    for report in gradings.all:
        mine = [t for t in results["tests"] if t["name"].startswith(report.submission + ": ")]
        assert len(mine) == len(report.checks) + (0 if report.checks else 1)
    (could_not,) = [t for t in results["tests"] if t["name"].endswith(": grading")]
    assert could_not["status"] == "failed" and could_not["max_score"] == 0
    assert gradings.missing.error in could_not["output"]
    assert [r["verdict"] for r in results["extra_data"]["reports"]] == [
        r.verdict for r in gradings.all
    ]


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


def _chromium() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def test_html_in_a_real_headless_browser(gradings: Gradings, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium not found (neither /usr/bin/chromium nor `chromium` on PATH)")
    page = tmp_path / "report.html"
    page.write_text(html_format.render([gradings.hostile, gradings.newline]), encoding="utf-8")
    common = [
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
    dumped = subprocess.run(
        [*common, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    dom = dumped.stdout
    assert dumped.returncode == 0 and "</html>" in dom, dumped.stderr[-2000:]
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
