"""Another language is a catalogue, not code: a test catalogue compiled as a translator would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from grader.api import Grader
from grader.i18n import LOCALE_DIR, catalogue
from grader.judge.pot import template
from grader.render.text_format import render

HERE = Path(__file__).resolve().parent

NEWLINE_SCRIPT = """
import socket
s = socket.socket()
s.connect(('127.0.0.1', 9090))
s.send('Wake up, Neo\\n'.encode())
s.close()
"""


@pytest.fixture(scope="module")
def locale_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/locale/qps.po compiled with Babel, where gettext looks for it."""
    root = tmp_path_factory.mktemp("locale")
    target = root / "qps" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (HERE / "locale" / "qps.po").open("rb") as po, (target / "grader.mo").open("wb") as mo:
        write_mo(mo, read_po(po))
    return root


def test_a_second_language_needs_no_code(
    grader: Grader, script: Callable[..., Path], locale_dir: Path
) -> None:
    path = script(NEWLINE_SCRIPT)
    report = grader.grade(path, 2, seed=7, lang=None)  # English unless asked
    assert report.diagnosed is not None and report.diagnosed.hint.startswith("The message ends")
    with Grader.create(lang="qps", locale_dir=locale_dir) as translated:
        report = translated.grade(path, 2, seed=7)
        words = translated.catalogue()
    root = report.diagnosed
    assert root is not None and root.hint_key == "trailing_newline"  # the key does not change
    assert root.mistake == "[[ Dia mensajo finas kun linifino (b'\\n'); mensajoj havas neniun. ]]"
    assert root.fix == "[[ Forigu ĝin: line.rstrip('\\n'). ]]"
    assert report.checks[2].hint == "ne juĝita: unue necesas “sends exactly b'Wake up, Neo'”"
    text = render([report], words=words)
    assert "      atendita  b'Wake up, Neo'" in text
    assert "      provu     [[ Forigu" in text
    assert "fermas (FIN)" in text
    assert "Not judged until this passes" in text  # what the catalogue lacks stays English


def test_lang_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, locale_dir: Path) -> None:
    monkeypatch.setenv("LANGUAGE", "qps")
    assert catalogue(None, locale_dir).message("report.try") == "provu"
    monkeypatch.setenv("LANGUAGE", "fr_FR")  # no French catalogue: English, not an error
    assert catalogue(None, locale_dir).message("report.try") == "try"
    assert catalogue("en_GB", locale_dir).message("report.try") == "try"


def test_the_shipped_template_lists_every_sentence() -> None:
    shipped = (LOCALE_DIR / "grader.pot").read_text(encoding="utf-8")
    assert shipped == template(), "run: python -m grader.judge.pot"
    with (LOCALE_DIR / "grader.pot").open("rb") as pot:
        entries = {m.context for m in read_po(pot) if m.id}
    assert {"trailing_newline", "trailing_newline.try", "report.try", "wire.fin"} <= entries
