"""The feedback as the command and the HTML page show it: --verbose, --seed, --lang, the wire."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from grader import i18n
from grader.api import Grader
from grader.cli import main
from grader.render import html_format
from tests.conftest import SUBMISSIONS
from tests.test_cli import grade

NEWLINE_P2 = SUBMISSIONS / "p2" / "fail_trailing_newline.py"
BYTES_P3 = SUBMISSIONS / "p3" / "fail_print_str_of_bytes.py"


def test_verbose_shows_every_check_of_every_run() -> None:
    short = grade(str(BYTES_P3), "-p", "3", "--seed", "3", "--no-color")
    full = grade(str(BYTES_P3), "-p", "3", "--seed", "3", "--no-color", "--verbose")
    assert short.returncode == full.returncode == 1
    assert len(short.stdout.splitlines()) <= 20
    for run in ("Latin text", "non-ASCII letters", "an emoji"):
        assert f"\n{run}\n" in full.stdout  # a heading per run
        assert f"What crossed the wire in run “{run}”:" in full.stdout
    assert full.stdout.count("✓ connects once to 127.0.0.1:9090") == 3
    assert "(as in “Latin text” above)" in full.stdout
    assert "isolated in" in " ".join(full.stdout.splitlines()[-3:])  # the footer
    assert short.stdout.splitlines()[1] == "The reply was printed as bytes (b'...')."


def test_seed_on_the_command_line_replays_the_replies() -> None:
    runs = [grade(str(BYTES_P3), "-p", "3", "--seed", "99", "-f", "json") for _ in range(2)]
    first, second = (json.loads(r.stdout) for r in runs)
    assert first["seed"] == second["seed"] == 99
    replies = [
        [e["text"] for t in report["transcripts"] for e in t["events"] if e["who"] == "server"]
        for report in (first, second)
    ]
    assert replies[0] == replies[1] and len(replies[0]) == 3
    text = grade(str(BYTES_P3), "-p", "3", "--seed", "99", "--no-color")
    footer = " ".join(text.stdout.rstrip().split("\n")[-2:]).replace("·", " ")
    assert " ".join(footer.split()).endswith("seed 99 the task: grade --show 3")


def test_lang_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A compiled catalogue where the grader looks for one is used: no code is touched."""
    target = tmp_path / "qps" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po = Path(__file__).resolve().parent / "locale" / "qps.po"
    with po.open("rb") as source, (target / "grader.mo").open("wb") as mo:
        write_mo(mo, read_po(source))
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    assert main([str(NEWLINE_P2), "-p", "2", "--lang", "qps", "--no-color"]) == 1
    translated = capsys.readouterr().out
    monkeypatch.setenv("LANGUAGE", "qps")
    assert main([str(NEWLINE_P2), "-p", "2", "--no-color"]) == 1
    from_env = capsys.readouterr().out
    for out in (translated, from_env):
        assert out.splitlines()[1].startswith("[[ Dia mensajo finas kun linifino")
        assert "      provu     [[ Forigu ĝin" in out
    monkeypatch.setenv("LANGUAGE", "fr")  # no such catalogue: English
    assert main([str(NEWLINE_P2), "-p", "2", "--no-color"]) == 1
    assert capsys.readouterr().out.splitlines()[1].startswith("The message ends with a newline")


def test_html_draws_the_wire_as_a_sequence_diagram(
    grader: Grader, script: Callable[..., Path]
) -> None:
    path = script(
        """
        import socket
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9090))
            s.send(b'<b>Wake up</b>, Neo')
        """
    )
    report = grader.grade(path, 2, seed=5)
    page = html_format.render([report])
    assert '<ol class="seq">' in page
    rows = re.findall(r'<li class="(c2s|s2c|note)">(.*?)</li>', page)
    assert [kind for kind, _ in rows] == ["note", "c2s", "note"]
    sent = html.unescape(re.sub(r"<[^>]+>", "", rows[1][1]))
    assert sent.endswith("b'<b>Wake up</b>, Neo'")
    assert "&lt;b&gt;Wake up&lt;/b&gt;" in rows[1][1]  # escaped, never markup
    assert "<b>Wake" not in page
    assert "connect((&#39;127.0.0.1&#39;, 9090)) → connected" in page
    assert "closes (FIN)" in page
    assert 'class="lead"' in page and "seed 5" in page
    lead = re.search(r'<div class="lead">(.*?)</div>', page, re.S)
    assert lead is not None
    assert "The server received something other than b&#39;Wake up, Neo&#39;." in lead.group(1)
    assert 'href="#report-1-check-1"' in lead.group(1) and 'id="report-1-check-1"' in page


def test_a_failure_without_a_hint_still_leads() -> None:
    """A newer check that names no mistake still heads the report, by its title."""
    from grader.judge.diagnosis import diagnose
    from grader.render.text_format import render
    from grader.report import Check, Report

    checks = (Check("tampered", "leaves the grader alone", "run", "failed", "x", "y"),)
    report = Report("s.py", 2, "Wake up, Neo", checks, "fail", diagnosis=diagnose(checks))
    assert render([report]).splitlines()[1] == "Not met: leaves the grader alone."
    assert "Not met: leaves the grader alone." in html_format.render([report])
