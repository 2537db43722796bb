"""Malformed specs and configurations are bad input with a message that names the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.config import load_config, parse_config
from grader.errors import BadInput
from grader.paths import data_path
from grader.problem.spec import available_problems, load_spec

GOOD = """
problem: 2
title: Wake up, Neo
server: problem2.py
defaults: {checks: [connected, sent]}
runs:
  - name: wake up
    messages: ["Wake up, Neo"]
"""


def write_spec(folder: Path, text: str, number: int = 2) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / f"{number}.yaml").write_text(text, encoding="utf-8")
    return folder


def test_the_shipped_specs_and_config_load() -> None:
    assert available_problems() == [1, 2, 3, 4, 5]
    for number in available_problems():
        spec = load_spec(number)
        assert spec.number == number and spec.runs
    assert load_config().limits.time_limit_s == 5.0


def test_a_valid_spec_from_another_folder(tmp_path: Path) -> None:
    spec = load_spec(2, write_spec(tmp_path / "p", GOOD), data_path("fixtures"))
    assert spec.runs[0].expected_bytes == (b"Wake up, Neo",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("problem: [", "not valid YAML"),
        ("- just a list", "a problem spec must be a mapping"),
        (GOOD.replace("title: Wake up, Neo\n", ""), "missing key 'title'"),
        (GOOD.replace("server: problem2.py", "server: nowhere.py"), "server: nowhere.py not found"),
        (GOOD.replace("[connected, sent]", "[connected, telepathy]"), "unknown check 'telepathy'"),
        (GOOD.replace("name: wake up", "name: wake up\n    server: sideways"), "use up or down"),
        (GOOD.replace("problem: 2", "problem: 3"), "problem = 3, but the file is named 2.yaml"),
        (GOOD + "colour: blue\n", "unknown key 'colour'"),
    ],
)
def test_a_malformed_spec_names_the_problem(tmp_path: Path, text: str, message: str) -> None:
    folder = write_spec(tmp_path / "p", text)
    with pytest.raises(BadInput) as caught:
        load_spec(2, folder, data_path("fixtures"))
    assert message in str(caught.value)
    assert str(folder / "2.yaml") in str(caught.value)


def test_an_unknown_problem_lists_the_known_ones() -> None:
    with pytest.raises(
        BadInput, match=r"unknown problem 7: there is no 7.yaml; known problems: 1, 2, 3, 4, 5"
    ):
        load_spec(7)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[limits]\nmemory_mb = -1\n", "[limits] memory_mb = -1: it must be a positive number"),
        ("[limits]\nmemory_mb = true\n", "[limits] memory_mb = True: it must be a positive number"),
        ("[limits]\noutput_kb = 1.5\n", "[limits] output_kb = 1.5: it must be a positive number"),
        ("[limits]\nspeed = 3\n", "unknown key [limits] speed"),
        ("[network]\n", "unknown section [network]"),
        (
            '[isolation]\nmode = "docker"\n',
            "[isolation] mode = 'docker'; use one of auto, namespace, routed",
        ),
        ("[batch]\njobs = -2\n", "[batch] jobs = -2"),
        ("limits = ", "not valid TOML"),
    ],
)
def test_a_malformed_config_names_the_key(text: str, message: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_config(text, "grader.toml")
    assert message in str(caught.value)


def test_unknown_keys_of_every_section_are_named() -> None:
    with pytest.raises(BadInput, match=r"unknown key \[batch\] workers; known: jobs"):
        parse_config("[batch]\nworkers = 2\n", "grader.toml")
    with pytest.raises(BadInput, match=r"limits must be a \[limits\] table"):
        parse_config("limits = 3\n", "grader.toml")
