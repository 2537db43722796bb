"""The package's layout follows the pipeline: no module imports from a later stage.

Read from the source with ``ast`` (nothing is imported), so the rule holds for modules loaded
lazily as well as at the top of a file.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "grader"

# Stage of each part of the package, in pipeline order. The foundation (shared records of the
# result, errors, configuration, display helpers) may be used by every stage.
STAGES = {
    "grader.errors": 0,
    "grader.formats": 0,
    "grader.paths": 0,
    "grader.show": 0,
    "grader.report": 0,
    "grader.config": 0,
    "grader.i18n": 0,
    "grader.problem": 1,
    "grader.sandbox": 2,
    "grader.observe": 3,
    "grader.judge": 4,
    "grader.render": 5,
}
TOP = 6  # the entry points: api, cli, batch, queue, and anything else at the top


def _stage(module: str) -> int:
    for prefix, stage in STAGES.items():
        if module == prefix or module.startswith(prefix + "."):
            return stage
    return TOP


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_from_a_later_stage(path: Path) -> None:
    name = _module_name(path)
    later = [
        imported
        for imported in _imports(path)
        if imported.startswith("grader") and _stage(imported) > _stage(name)
    ]
    assert later == [], f"{name} (stage {_stage(name)}) imports from a later stage: {later}"


@pytest.mark.parametrize(
    "path",
    sorted((PACKAGE / "sandbox").glob("*.py")),
    ids=lambda p: p.name,
)
def test_sandbox_needs_only_the_standard_library(path: Path) -> None:
    """It runs in the learner's interpreter under ``python -I``: nothing installed is there."""
    outside = [
        imported
        for imported in _imports(path)
        if imported.split(".")[0] not in sys.stdlib_module_names
        and not imported.startswith("grader.sandbox")
    ]
    assert outside == [], f"{path.name} imports {outside}"


def test_every_stage_is_a_folder_a_newcomer_sees() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert {"problem", "sandbox", "observe", "judge", "render"} <= folders


def test_the_spec_and_the_check_table_name_the_same_checks() -> None:
    """A spec may name every check of the table but those judged in every run anyway."""
    from grader.judge.checks import ALWAYS_JUDGED, CHECKS
    from grader.problem.spec import CHECK_NAMES

    assert set(CHECK_NAMES) == set(CHECKS) - set(ALWAYS_JUDGED)
