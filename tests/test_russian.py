"""The shipped Russian catalogue is complete, and a Russian report, text or HTML, says nothing in
English but the learner's own text and bytes; nor do the formats platforms show to learners
(Gradescope, GitHub Classroom, JUnit, GitHub's annotations and job summary)."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import grader
from grader.api import Grader
from grader.i18n import LOCALE_DIR, Catalogue, catalogue, shipped_languages
from grader.render import github
from grader.render.text_format import render
from grader.report import Report
from tests.conftest import SUBMISSIONS
from tests.test_cli import PASS_P2, grade

RU = LOCALE_DIR / "ru" / "LC_MESSAGES"
CORPUS = sorted(SUBMISSIONS.glob("p*/fail_*.py"))

# What is the learner's own, or the lesson's code, not a sentence of ours: literals (their
# bytes and text), code (calls, names, addresses, paths), numbers with units.
_LITERAL = re.compile(r"""b?'(?:[^'\\]|\\.)*'|b?"(?:[^"\\]|\\.)*"|`[^`]*`""")
_CODE = re.compile(r"\S*[()\[\]_=/.:<>#@]\S*|\b[A-Z][a-z]+[A-Z]\w*|--\w+")
# Words that are the same in a Russian report: protocol names, stream names, units.
_SAME = {"FIN", "RST", "TCP", "UDP", "UTF", "stdout", "stderr", "with", "s", "n", "grade", "Ctrl"}


def english_sentences(text: str, theirs: frozenset[str] = frozenset()) -> list[str]:
    """Lines with three English words in a row once literals, code and ``theirs`` (words of
    the learner's own text: its source, what it printed, its exception) are taken out."""
    found = []
    for line in text.split("\n"):
        bare = _CODE.sub(" ", _LITERAL.sub(" ", line))
        run = 0
        for token in re.findall(r"[A-Za-z][A-Za-z'-]*|[^A-Za-z\s,;]+", bare):
            english = token[0].isascii() and token[0].isalpha()
            if english and token not in _SAME and token not in theirs:
                run += 1
                if run >= 3:
                    found.append(line)
                    break
            else:
                run = 0
    return found


def _catalogue_english() -> frozenset[str]:
    """The words of the catalogue's English side that its Russian side never uses (code names,
    protocol words and placeholders are on both sides, so they are not among them)."""
    with (RU / "grader.po").open("rb") as f:
        messages = [m for m in read_po(f) if m.id]

    def words(text: str) -> set[str]:
        return set(re.findall(r"[A-Za-z][A-Za-z'-]*", re.sub(r"\{[^}]*\}", " ", text)))

    english = set().union(*(words(m.id) for m in messages))
    russian = set().union(*(words(m.string) for m in messages))
    return frozenset(english - russian - _SAME)


CATALOGUE_ENGLISH = _catalogue_english()


def page_text(page: str) -> str:
    """What a reader of an HTML page reads, line by line: its text and its tooltips, without
    the style sheet and without ``<code>`` (the learner's code and bytes, and commands)."""
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S | re.I)
    page = re.sub(r"<code>.*?</code>", " ", page, flags=re.S)
    tips = re.findall(r'\btitle="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", "", page)
    return html.unescape("\n".join([text, *tips]))


def english_words(text: str, theirs: frozenset[str] = frozenset()) -> list[str]:
    """Words of the catalogue's English side in ``text``, once literals, code and ``theirs``
    are taken out: a single English label ("expected", "ended") is caught too."""
    found = []
    for line in text.split("\n"):
        bare = _CODE.sub(" ", _LITERAL.sub(" ", line))
        found += [
            word
            for word in re.findall(r"[A-Za-z][A-Za-z'-]*", bare)
            if word in CATALOGUE_ENGLISH and word not in theirs
        ]
    return found


def _theirs(report: Report, path: Path) -> frozenset[str]:
    """The words of what the learner wrote and what its program printed or raised."""
    text = path.read_text(encoding="utf-8", errors="replace")
    text += " ".join(t.exception + t.stdout + t.stderr + t.stdin for t in report.transcripts)
    text += " ".join(
        e.text + e.decoded for t in report.transcripts for e in t.events if e.kind == "data"
    )
    text += " ".join(o.output for o in report.outcomes)
    try:  # Python's own words about a file it cannot read ("expected ':'")
        compile(path.read_bytes(), str(path), "exec")
    except (SyntaxError, ValueError) as exc:
        text += str(exc)
    return frozenset(re.findall(r"[A-Za-z][A-Za-z'-]*", text))


def _learners_lines(report_text: str, path: Path) -> str:
    """The report without lines of the learner's source or its traceback."""
    source = path.read_text(encoding="utf-8", errors="replace")
    kept = []
    for line in report_text.split("\n"):
        stripped = line.strip()
        if stripped and (stripped in source or stripped.startswith(("File ", "^", "~"))):
            continue
        kept.append(line)
    return "\n".join(kept)


def test_the_russian_catalogue_is_complete_and_compiled() -> None:
    assert "ru" in shipped_languages()
    with (LOCALE_DIR / "grader.pot").open("rb") as f:
        wanted = {m.context: m.id for m in read_po(f) if m.id}
    with (RU / "grader.po").open("rb") as f:
        po = {m.context: m for m in read_po(f) if m.id}
    assert set(po) == set(wanted), "run pybabel update and translate what is new"
    for key, message in po.items():
        assert message.string, f"{key}: not translated"
        assert message.id == wanted[key], f"{key}: translated from an older English text"
        names = re.findall(r"\{(\w+)", message.id)
        assert sorted(set(re.findall(r"\{(\w+)", message.string))) == sorted(set(names)), key
    with (RU / "grader.mo").open("rb") as f:
        compiled = {m.context: m.string for m in read_mo(f) if m.id}
    assert compiled == {key: m.string for key, m in po.items()}, "pybabel compile it again"


def test_the_detector_finds_english() -> None:
    assert english_sentences("  ✗ sends the message exactly · “латиница”")
    assert not english_sentences("      получено  b'Wake up, Neo\\n' (вывод слишком длинный)")
    assert not english_sentences("    0.1 s  клиент   connect(('127.0.0.1', 9090)) → подключено")
    assert english_words(page_text("<dt>ended</dt>")) == ["ended"]
    assert english_words("ожидалось  'The server'", frozenset()) == []
    assert english_words(page_text('<p title="not judged">совет <code>expected</code></p>')) == [
        "not",
        "judged",
    ]


def _unescaped(command: str) -> str:
    """A workflow command's title and message as GitHub shows them."""
    for code, char in (("%0A", "\n"), ("%0D", "\r"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        command = command.replace(code, char)
    return command


def platform_texts(report: Report, words: Catalogue) -> dict[str, str]:
    """What each platform shows a learner of ``report``, format by format: Gradescope's
    ``output`` and each test's name and output; GitHub Classroom's test names and messages;
    JUnit's suite and testcase names and the failure, error and skipped messages and texts
    (not the ``<properties>`` nor ``<system-out>``, for machines and the program's own output);
    GitHub's annotations (titles and messages) and job summary as read on the page."""
    lang = words.lang
    results = json.loads(grader.render(report, "gradescope", lang=lang))
    gradescope = [results["output"]]
    gradescope += [f"{t['name']}\n{t['output']}" for t in results["tests"]]
    raw = base64.b64decode(grader.render(report, "classroom", lang=lang))
    classroom = [f"{t['name']}\n{t['message']}" for t in json.loads(raw)["tests"]]
    root = ET.fromstring(grader.render(report, "junit", lang=lang))
    junit = [suite.get("name", "") for suite in root.iter("testsuite")]
    for case in root.iter("testcase"):
        junit.append(case.get("name", ""))
        for said in case:
            if said.tag in ("failure", "error", "skipped"):
                junit += [said.get("message", ""), said.text or ""]
    annotations = [
        _unescaped(line.split(",title=", 1)[-1])
        for line in github.workflow_commands([report], words).splitlines()
    ]
    summary = page_text(github.job_summary([report], words=words))
    return {
        "gradescope": "\n".join(gradescope),
        "classroom": "\n".join(classroom),
        "junit": "\n".join(junit),
        "annotations": "\n".join(annotations),
        "job summary": summary,
    }


Graded = tuple[str, str, frozenset[str], dict[str, str]]
# the text report, the HTML page, the learner's words, each platform's text


@pytest.fixture(scope="module")
def russian() -> Iterator[dict[Path, Future[Graded]]]:
    with Grader.create(time_limit_s=2, lang="ru") as graders:
        words = graders.catalogue()

        def one(path: Path) -> Graded:
            report = graders.grade(path, int(path.parent.name[1]), seed=7)
            text = render([report], words=words) + render([report], verbose=True, words=words)
            page = grader.render(report, "html", lang="ru")
            return text, page, _theirs(report, path), platform_texts(report, words)

        with ThreadPoolExecutor(4) as pool:
            yield {path: pool.submit(one, path) for path in CORPUS}


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_russian_report_has_no_english_sentence(
    russian: dict[Path, Future[Graded]], path: Path
) -> None:
    text, _, theirs, _ = russian[path].result(timeout=120)
    text = _learners_lines(text, path)
    assert english_sentences(text, theirs) == [], text


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_russian_html_report_has_no_english_word_of_ours(
    russian: dict[Path, Future[Graded]], path: Path
) -> None:
    _, page, theirs, _ = russian[path].result(timeout=120)
    assert page.startswith('<!DOCTYPE html>\n<html lang="ru">')
    text = _learners_lines(page_text(page), path)
    assert english_sentences(text, theirs) == [], text
    assert english_words(text, theirs) == [], text


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_what_platforms_show_of_a_russian_report_has_no_english_word_of_ours(
    russian: dict[Path, Future[Graded]], path: Path
) -> None:
    _, _, theirs, shown = russian[path].result(timeout=120)
    assert set(shown) == {"gradescope", "classroom", "junit", "annotations", "job summary"}
    for where, text in shown.items():
        text = _learners_lines(text, path)
        assert english_sentences(text, theirs) == [], f"{where}:\n{text}"
        assert english_words(text, theirs) == [], f"{where}:\n{text}"
        ours = _CODE.sub(" ", _LITERAL.sub(" ", text))
        units = re.findall(r"(?m)(?:^|\s)\d+(?:\.\d+)? (?:s|KiB|MiB)\b", ours)
        assert units == [], f"{where}: English units\n{text}"


def test_the_platforms_english_is_caught() -> None:
    """The same texts of an English report are found English: the test above can fail."""
    from tests.conftest import SUBMISSIONS as subs

    path = subs / "p2" / "fail_trailing_newline.py"
    with Grader.create(time_limit_s=2, lang="en") as graders:
        report = graders.grade(path, 2, seed=7)
        shown = platform_texts(report, graders.catalogue())
    theirs = _theirs(report, path)
    for where, text in shown.items():
        assert english_words(_learners_lines(text, path), theirs), where


def test_grade_lang_ru_writes_russian_results_for_the_platforms(tmp_path: Path) -> None:
    """``grade FILE --format gradescope --lang ru``: Gradescope's page reads in Russian; so do
    JUnit's messages, and under GitHub Actions the annotation and the job summary."""
    from tests.test_cli import grade

    script = str(SUBMISSIONS / "p2" / "fail_trailing_newline.py")
    done = grade(script, "-p", "2", "--format", "gradescope", "--lang", "ru")
    assert done.returncode == 1 and done.stderr == ""
    results = json.loads(done.stdout)
    assert results["output"].split("\n")[:6] == [
        "Задача 2 (Проснись, Нео) — баллы: 50 из 100; пройдено проверок: 2 из 4",
        "",
        "Первая ошибка: отправляет ровно b'Wake up, Neo' (прогон «проснись»)",
        "ожидалось b'Wake up, Neo'",
        "получено  b'Wake up, Neo\\n'",
        "                        ^",
    ]
    assert results["output"].split("\n")[6].startswith("совет     Сообщение заканчивается")
    skipped = [t for t in results["tests"] if t["name"] == "проснись: сама закрывает соединение"]
    assert [t["status"] for t in skipped] == ["failed"]  # the statuses stay Gradescope's
    (ends,) = [t for t in results["tests"] if t["name"] == "проснись: чисто завершается за 5 с"]
    assert ends["output"].startswith(
        "ожидалось программа сама завершается за 5 с с кодом возврата 0\nполучено  завершилась за "
    )
    assert set(results) >= {"score", "output", "tests", "extra_data"}
    junit = grade(script, "-p", "2", "--format", "junit", "--lang", "ru").stdout
    assert '<testsuite name="задача 2: Проснись, Нео — ' in junit
    assert (
        "<failure message=\"ожидалось b'Wake up, Neo'; получено b'Wake up, Neo\\n'; совет: "
        in junit
    )
    assert '<property name="summary" value="2 of 4 checks passed" />' in junit  # for machines
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    actions = grade(script, "-p", "2", "--format", "gradescope", "--lang", "ru", env=env)
    (annotation,) = actions.stderr.splitlines()
    assert annotation.startswith(
        f"::error file={script},title=задача 2%3A отправляет ровно b'Wake up%2C Neo' [проснись]"
        "::ожидалось: b'Wake up, Neo'%0Aполучено: b'Wake up, Neo\\n'%0Aсовет: "
    )
    page = summary.read_text(encoding="utf-8")
    assert page.startswith("## Проверка сокетов: зачтено 0 из 1\n\n### НЕ ЗАЧТЕНО · задача 2 ")
    assert "| прогон | проверка | результат | баллы |\n" in page
    assert "❌ не пройдено" in page and "➖ не проверено" in page


def test_grade_lang_ru_writes_a_russian_html_page(tmp_path: Path) -> None:
    """``grade FILE --format html --lang ru``, to stdout and to ``-o``: the page's language
    is Russian, and so is each of its own words."""
    from tests.test_cli import grade

    script = str(SUBMISSIONS / "p2" / "fail_trailing_newline.py")
    target = tmp_path / "report.html"
    done = grade(script, "-p", "2", "--format", "html", "--lang", "ru", "-o", str(target))
    assert done.returncode == 1 and done.stderr == ""
    page = target.read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="ru">')
    assert '<h1 class="title">Задача 2: Проснись, Нео</h1>' in page
    assert '<span class="badge fail">НЕ ЗАЧТЕНО</span>' in page
    assert '<details class="statement"><summary>Задание</summary>' in page
    assert (
        '<pre class="diff"><span class="label">ожидалось  </span>b&#39;Wake up, Neo&#39;\n'
        '<span class="label">получено   </span>b&#39;Wake up, Neo\\n&#39;\n'
        '<span class="marker">                         ^</span></pre>'
    ) in page
    assert '<span class="mark" title="не проверено">-</span>' in page
    assert "<span>ваша программа</span><span></span><span>сервер</span>" in page
    assert "<dt>завершение</dt>" in page
    assert done.stdout.startswith("НЕ ЗАЧТЕНО задача 2 (Проснись, Нео)")  # the text, for a person
    english = grade(script, "-p", "2", "--format", "html", "--lang", "en")
    assert english.stdout.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<details class="statement"><summary>The task</summary>' in english.stdout
    assert "<span>your program</span><span></span><span>server</span>" in english.stdout


def test_the_pages_language_is_the_environments_when_no_lang_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANGUAGE", "ru_RU.UTF-8")
    report = Report("s.py", 2, "Проснись, Нео", (), "invalid", error="s.py: нет такого файла")
    page = grader.render(report, "html")
    assert page.startswith('<!DOCTYPE html>\n<html lang="ru-RU">')
    assert "<p>Эту работу не удалось проверить:</p>" in page
    assert "<title>НЕ ПРОВЕРЕНО · задача 2: Проснись, Нео — s.py</title>" in page


def test_what_a_program_wrote_to_the_control_channel_is_said_in_russian() -> None:
    """Every reason the channel's reader gives for a datagram that is no report of the sandbox
    (``grader.observe.trace``) is a sentence of the checks' table, so it is translated."""
    import ast

    from grader.judge.said import say_line
    from tests.conftest import ROOT

    tree = ast.parse((ROOT / "grader" / "observe" / "trace.py").read_text(encoding="utf-8"))
    reasons = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        name = node.func.id if isinstance(node.func, ast.Name) else name
        first = node.args[0]
        if name not in ("_tamper", "Malformed"):
            continue
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            reasons.append(first.value)
        elif isinstance(first, ast.JoinedStr):  # its fields filled with a word
            parts = [v.value if isinstance(v, ast.Constant) else "x" for v in first.values]
            reasons.append("".join(str(part) for part in parts))
    assert len(reasons) >= 15
    ru = catalogue("ru")
    assert [reason for reason in reasons if say_line(reason, ru) == reason] == []
    observed = (
        "the program wrote to the grader's control channel: an empty datagram, b'' "
        "(and 2 more datagrams)"
    )
    assert say_line(observed, ru) == (
        "программа писала в управляющий канал проверяющей системы: пустая датаграмма, b'' "
        "(и ещё датаграмм: 2)"
    )


def test_messages_sent_in_turn_are_joined_in_russian_between_whole_literals() -> None:
    """A passed "sends each message" check lists the messages with ", then " between them; only
    that word is said again, never the same letters inside a learner's bytes."""
    from grader.judge.said import say_line

    ru = catalogue("ru")
    assert say_line("b'First', then b'x, then y', then b\"it's\"", ru) == (
        "b'First', затем b'x, then y', затем b\"it's\""
    )
    assert say_line("b'one, then two'", ru) == "b'one, then two'"


def test_an_unknown_language_is_said_once(tmp_path: Path) -> None:
    from tests.test_cli import PASS_P2, grade

    (tmp_path / "a.py").write_text(PASS_P2)
    (tmp_path / "b.py").write_text(PASS_P2)
    result = grade(str(tmp_path), "-p", "2", "--lang", "fr")
    assert result.returncode == 0
    assert result.stderr.count("no catalogue for the language 'fr'") == 1
    assert "(shipped: en, ru)" in result.stderr
    quiet = grade(str(tmp_path / "a.py"), "-p", "2", "--lang", "ru")
    assert quiet.stderr == "" and quiet.stdout.startswith("ЗАЧТЕНО задача 2 (Проснись, Нео)")
    assert catalogue("ru").message("report.try") == "совет"


def test_the_readmes_steps_add_a_language(tmp_path: Path) -> None:
    """The README's commands, run as written in a copy of the package, give a new language."""
    import shlex
    import shutil
    import subprocess
    import sys

    from babel.messages.pofile import write_po

    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(pybabel init .*?)```", readme, re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line and not line.startswith("#")]
    assert [c.split()[0] for c in commands] == ["pybabel", "pybabel", "grade"]
    for name in ("grader", "problems", "fixtures"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "grader.toml", tmp_path)
    (tmp_path / "client.py").write_text("import socket\nprint(input())\n")
    bin_dir = Path(sys.executable).parent
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "PYTHONPATH": str(tmp_path)}

    def run(command: str) -> subprocess.CompletedProcess[str]:
        argv = shlex.split(command)
        if argv[0] == "grade":  # the copy's grader, not the installed one
            argv = [sys.executable, "-m", "grader", *argv[1:]]
        return subprocess.run(
            argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )

    made = run(commands[0])
    assert made.returncode == 0, made.stderr
    po_path = tmp_path / "grader" / "locale" / "fr" / "LC_MESSAGES" / "grader.po"
    with po_path.open("rb") as f:
        po = read_po(f)
    for message in po:  # a translator's work: here every sentence, marked
        if message.id:
            message.string = f"[fr] {message.id}"
    with po_path.open("wb") as f:
        write_po(f, po)
    compiled = run(commands[1])
    assert compiled.returncode == 0, compiled.stderr
    graded = run(commands[2])
    assert graded.returncode == 1, graded.stderr
    assert graded.stderr == ""  # the language is known now
    assert graded.stdout.startswith("[fr] [fr] FAIL problem 3 ([fr] Question and answer)")
    assert "[fr] expected" in graded.stdout


# -- What a learner meets at the terminal besides the report: bad input and a batch's table --

_PROBLEM_NAMES = frozenset({"knock", "wake-up", "question", "keep-talking", "nobody-home"})
_KNOWN_RU = (
    "известные задачи: 1 (knock), 2 (wake-up), 3 (question), 4 (keep-talking), 5 (nobody-home)"
)
_USAGE_RU = "использование: grade ФАЙЛ... --problem N [--format F] (см. grade --help)"


def _unreadable(tmp_path: Path) -> str:
    """A file this user cannot read: mode 000, or for root (who reads any mode) a sysctl
    that is write-only even for root."""
    if os.geteuid() != 0:
        path = tmp_path / "locked.py"
        path.write_text("print()\n")
        path.chmod(0)
        return "locked.py"
    for sysctl in ("/proc/sys/vm/compact_memory", "/proc/sys/vm/drop_caches"):
        try:
            os.close(os.open(sysctl, os.O_RDONLY))
        except PermissionError:
            return sysctl
        except OSError:
            continue
    pytest.skip("no file here that this user cannot read")


def _setup(tmp_path: Path, case: str) -> list[str]:
    """The command's arguments for ``case``, its files made in ``tmp_path`` (the cwd)."""
    (tmp_path / "ok.py").write_text(PASS_P2)
    if case == "fifo":
        os.mkfifo(tmp_path / "pipe.py")
    elif case == "big":
        (tmp_path / "big.py").write_bytes(b"#" * (1024 * 1024 + 1))
    elif case == "loop":
        (tmp_path / "loop.py").symlink_to("loop.py")
    elif case == "empty":
        (tmp_path / "empty").mkdir()
    elif case == "unreadable":
        return [_unreadable(tmp_path), "-p", "2"]
    return {
        "missing": ["missing.py", "-p", "1"],
        "fifo": ["pipe.py", "-p", "2"],
        "device": ["/dev/null", "-p", "2"],
        "big": ["big.py", "-p", "2"],
        "loop": ["loop.py", "-p", "2"],
        "empty": ["empty", "-p", "2"],
        "unknown": ["ok.py", "-p", "9"],
        "no problem": ["ok.py"],
        "no file": ["-p", "2"],
        "jobs": ["ok.py", "-p", "2", "-j", "0"],
        "output folder": ["ok.py", "-p", "2", "-o", "."],
        "output nowhere": ["ok.py", "-p", "2", "-o", "nowhere/r.json"],
        "output graded": ["ok.py", "-p", "2", "-o", "ok.py"],
    }[case]


BAD_INPUT_RU = {
    "missing": ["grade: missing.py: нет такого файла; укажите путь к .py-файлу ученика"],
    "fifo": [
        "grade: pipe.py: это именованный канал (FIFO), а не обычный файл; укажите .py-файл ученика"
    ],
    "device": [
        "grade: /dev/null: это символьное устройство, а не обычный файл; укажите .py-файл ученика"
    ],
    "big": ["grade: big.py: больше 1 МиБ, это не учебное решение; проверьте путь"],
    "loop": ["grade: loop.py: петля из символических ссылок; укажите сам файл"],
    "unreadable": [
        "grade: {file}: не удаётся прочитать (доступ запрещён); проверьте права доступа"
    ],
    "empty": ["grade: empty: в папке нет .py-файлов"],
    "unknown": [f"grade: неизвестная задача 9: её нет ни в одном наборе; {_KNOWN_RU}"],
    "no problem": [
        "grade: укажите ФАЙЛ... и --problem N (или --list, --show N, serve N)",
        _USAGE_RU,
    ],
    "no file": ["grade: укажите ФАЙЛ... и --problem N (или --list, --show N, serve N)", _USAGE_RU],
    "jobs": ["grade: --jobs 0: укажите 1 или больше"],
    "output folder": ["grade: --output .: это папка; укажите имя файла"],
    "output nowhere": ["grade: --output nowhere/r.json: папки nowhere нет; сначала создайте её"],
    "output graded": [
        "grade: --output ok.py: это один из проверяемых файлов; запишите отчёт в другое место"
    ],
}


@pytest.mark.parametrize("case", BAD_INPUT_RU)
def test_bad_input_a_learner_meets_is_said_in_russian(tmp_path: Path, case: str) -> None:
    """``grade ... --lang ru`` with the learner's own mistake: one Russian line (and the usage
    line after a command-line mistake), exit status 2, no English word of ours; the same
    command in English is unchanged."""
    args = _setup(tmp_path, case)
    done = grade(*args, "--lang", "ru", cwd=tmp_path)
    wanted = [line.format(file=args[0]) for line in BAD_INPUT_RU[case]]
    assert (done.returncode, done.stdout, done.stderr.splitlines()) == (2, "", wanted)
    names = frozenset(re.findall(r"[A-Za-z][A-Za-z'-]*", " ".join(args))) | _PROBLEM_NAMES
    assert english_words(done.stderr, names) == []
    english = grade(*args, cwd=tmp_path)
    assert english.returncode == 2 and english.stderr.startswith("grade: ")
    assert english_words(english.stderr, names), english.stderr  # the detector sees English


def test_bad_input_follows_the_environments_language(tmp_path: Path) -> None:
    done = grade("missing.py", "-p", "2", cwd=tmp_path, env={"LANGUAGE": "ru_RU.UTF-8"})
    assert (done.returncode, done.stderr) == (
        2,
        "grade: missing.py: нет такого файла; укажите путь к .py-файлу ученика\n",
    )


def test_the_library_still_raises_in_english_and_keeps_the_key(tmp_path: Path) -> None:
    """``BadInput`` keeps its English text for the library's callers; the key and the fields
    it keeps let the command line say it in the learner's language."""
    from grader.errors import BadInput
    from grader.submission import read_submission

    with pytest.raises(BadInput) as raised:
        grader.grade(tmp_path / "missing.py", 2, lang="ru")
    assert str(raised.value) == (
        f"{tmp_path}/missing.py: no such file; give the path of a learner's .py file"
    )
    assert raised.value.key == "input.missing"
    with pytest.raises(BadInput) as nul:  # no command line can carry a NUL: only the library
        read_submission(Path("a\0b.py"))
    assert str(nul.value) == "a\\x00b.py: a path cannot hold a NUL character; give the file's path"
    assert catalogue("ru").said(nul.value) == (
        "a\\x00b.py: в пути не может быть символа NUL; укажите путь к файлу"
    )
    with pytest.raises(BadInput) as folder:  # the command line grades a folder's files instead
        read_submission(tmp_path)
    assert catalogue("ru").said(folder.value) == (
        f"{tmp_path}: это папка; укажите .py-файл (или проверьте сразу несколько файлов)"
    )
    plain = BadInput("nope.toml: configuration file not found; check the path")
    assert catalogue("ru").said(plain) == str(plain)  # a teacher's message stays English


def _table(text: str) -> list[str]:
    """The summary table's lines, each time (the last column) as ``T``."""
    return [re.sub(r"\d+\.\d\d (с|s)$", r"T \1", line) for line in text.splitlines()]


def test_a_batchs_summary_table_is_said_in_russian(tmp_path: Path) -> None:
    """``grade FOLDER -p 2 --lang ru`` (and ``--verbose``): the table's heads, verdicts,
    seconds and total are Russian, the check titles too; exit status 1 for a failed file, 2
    once a file cannot be graded (its reason said in Russian)."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "a.py").write_text(PASS_P2)
    (folder / "b.py").write_bytes((SUBMISSIONS / "p2" / "fail_trailing_newline.py").read_bytes())
    (folder / "c.py").write_text("x = (\n")
    done = grade("class", "-p", "2", "--lang", "ru", cwd=tmp_path)
    table = [
        "файл        итог        баллы    не пройденные проверки            время",
        "class/a.py  ЗАЧТЕНО     100/100  -                                 T с",
        "class/b.py  НЕ ЗАЧТЕНО  50/100   отправляет ровно b'Wake up, Neo'  T с",
        "class/c.py  НЕ ЗАЧТЕНО  0/100    является скриптом на Python       T с",
        "зачтено файлов: 1 из 3",
    ]
    assert (done.returncode, done.stderr, _table(done.stdout)) == (1, "", table)
    assert english_words(done.stdout, frozenset({"class"})) == []
    verbose = grade("class", "-p", "2", "--lang", "ru", "--verbose", cwd=tmp_path)
    assert verbose.returncode == 1 and _table(verbose.stdout)[-5:] == table
    assert verbose.stdout.startswith("ЗАЧТЕНО задача 2 (Проснись, Нео)")
    english = grade("class", "-p", "2", cwd=tmp_path)
    assert _table(english.stdout) == [
        "file        verdict  points   failed checks                  time",
        "class/a.py  PASS     100/100  -                              T s",
        "class/b.py  FAIL     50/100   sends exactly b'Wake up, Neo'  T s",
        "class/c.py  FAIL     0/100    is a Python script             T s",
        "1 of 3 files passed",
    ]
    (folder / "d.py").write_bytes(b"#" * (1024 * 1024 + 1))
    ungraded = grade("class", "-p", "2", "--lang", "ru", cwd=tmp_path)
    assert ungraded.returncode == 2
    assert _table(ungraded.stdout)[4] == (
        "class/d.py  НЕ ПРОВЕРЕНО  0/100    "
        "class/d.py: больше 1 МиБ, это не учебное решение; проверьте путь  T с"
    )
    assert english_words(ungraded.stdout, frozenset({"class"})) == []
