"""The translators' template: every learner-facing sentence, keyed, as a gettext ``.pot``.

Strategy: the English sources stay in the tables that use them (``hints.HINTS``,
``i18n.MESSAGES``, the specs in ``problems/``); ``python -m grader.judge.pot`` writes ``grader/locale/grader.pot`` from them,
and a test keeps the shipped file in step.
"""

from __future__ import annotations

from grader.i18n import DOMAIN, LOCALE_DIR, MESSAGES
from grader.judge.hints import DOING, HINTS
from grader.judge.said import SAID
from grader.problem.spec import available_problems, load_spec
from grader.problem.statement import spec_sentences


def sources() -> dict[str, str]:
    """Every learner-facing sentence: key to English source (the ``.pot``'s contents)."""
    out: dict[str, str] = {}
    for key, (mistake, fix) in HINTS.items():
        out[key] = mistake
        out[f"{key}.try"] = fix
    for key, (doing, fix) in DOING.items():
        out[f"doing.{key}"] = doing
        out[f"doing.{key}.try"] = fix
    out.update(MESSAGES)
    out.update(SAID)
    for number in available_problems():  # the shipped problems' titles, tasks, rules, runs
        out.update(spec_sentences(load_spec(number)))
    return out


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def template() -> str:
    """The ``.pot`` text: one entry per key, the key as msgctxt, the English as msgid."""
    lines = [
        "# Learner-facing sentences of socket-grader; msgctxt is each sentence's key.",
        "# pybabel init -i grader/locale/grader.pot -d grader/locale -D grader -l <lang>,",
        "# fill each msgstr (keep every {placeholder}), pybabel compile -d grader/locale -D grader",
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        "",
    ]
    for key, source in sources().items():
        lines += [f"msgctxt {_quoted(key)}", f"msgid {_quoted(source)}", 'msgstr ""', ""]
    return "\n".join(lines)


if __name__ == "__main__":
    (LOCALE_DIR / f"{DOMAIN}.pot").write_text(template(), encoding="utf-8")
