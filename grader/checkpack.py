"""``grade check-pack [DIR]``: a problem pack checks itself before a learner ever sees it.

Strategy: three passes, each stopping the next when it finds a fault of the pack. First every
spec is validated (each malformed field named with its file and line). Then every reference
server is started and played through each run's conversation without a learner (the messages
its spec and its own ``expected`` want), so a server that raises, hangs, breaks its reply
rules or closes before the conversation is over is named as what it is. Last, every file of the
pack's ``solutions/`` is graded in the sandbox and must pass, and every file of ``mistakes/``
must fail with the check and hint key its ``# fails: check/hint_key`` line names. A table says
how each went. Exit 0 when the pack is sound, 2 when it is not (the pack is the teacher's
input), 3 when the grader itself failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader.errors import BadInput, GraderFault
from grader.problem.pack import Pack, builtin_pack, spec_files
from grader.problem.rehearsal import rehearse
from grader.problem.spec import ProblemSpec, read_spec
from grader.report import EXIT_BAD_INPUT, EXIT_GRADER_FAULT, EXIT_PASS


@dataclass(frozen=True)
class Row:
    """One line of the table: a file of the pack, what it must get and what it got."""

    problem: str
    file: str
    wants: str  # "pass", or "fail check/hint_key"
    got: str
    ok: bool


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade check-pack",
        description="Validate a problem pack: its specs, its reference servers, and its own "
        "solutions (must pass) and mistakes (must fail as each one says).",
        epilog="Exit status: 0 the pack is sound, 2 it is not, 3 grader fault.",
    )
    p.add_argument("pack", nargs="?", metavar="DIR", help="the pack (default: the built-in one)")
    p.add_argument("--config", metavar="FILE", help="a grader.toml (default: the shipped one)")
    p.add_argument("--jobs", "-j", type=int, metavar="K", help="gradings side by side")
    return p


def main(argv: Sequence[str]) -> int:
    """Run ``grade check-pack``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _check(args)
    except BadInput as exc:
        sys.stderr.write(f"grade check-pack: {exc}\n")
        return EXIT_BAD_INPUT
    except GraderFault as exc:
        sys.stderr.write(f"grade check-pack: grader fault: {exc}\n")
        return EXIT_GRADER_FAULT


def load_pack(pack: Pack) -> tuple[list[ProblemSpec], list[str]]:
    """Every spec of ``pack``, validated, and the errors of those that are not valid."""
    specs: list[ProblemSpec] = []
    errors: list[str] = []
    files = spec_files(pack.root)
    if not files:
        errors.append(
            f"{pack.root}: no problem specs; a pack holds <name>/problem.yaml or <name>.yaml files"
        )
    for path in files:
        try:
            specs.append(read_spec(path, pack=pack))
        except BadInput as exc:
            errors.append(str(exc))
    seen: dict[object, Path] = {}
    for spec in specs:
        for key in (spec.number, spec.name):
            if key in seen:
                errors.append(
                    f"{spec.path}: problem {key!r} is also {seen[key]}; give each problem its "
                    "own number and name"
                )
            seen[key] = spec.path or Path()
    for spec in specs:
        for folder, what in ((spec.solutions, "solutions"), (spec.mistakes, "mistakes")):
            if folder is None or not list(folder.glob("*.py")):
                errors.append(
                    f"{spec.path}: no {what}; put at least one .py file in {what}/ beside the "
                    f"spec (or name the folder with {what}:)"
                )
    return specs, errors


def play(spec: ProblemSpec) -> list[str]:
    """Start the problem's reference server and play every run's conversation with it, as a
    correct client would; the faults of the server, in words."""
    return [
        f"{spec.path}: run {name!r} (seed {seed}): {fault}" for name, seed, fault in rehearse(spec)
    ]


def _wants(path: Path) -> tuple[str, str]:
    """What a mistake must get: (check, hint key) from its ``# fails: check/hint_key`` line."""
    try:
        head = path.read_bytes().decode("utf-8", "replace").splitlines()[:5]
    except OSError as exc:
        raise BadInput(f"{path}: cannot read it ({exc.strerror})") from None
    for line in head:
        if line.startswith("# fails:"):
            check, _, key = line.removeprefix("# fails:").strip().partition("/")
            if check and key:
                return check, key
    raise BadInput(
        f"{path}: a mistake names what it must get in its first five lines, e.g. "
        "'# fails: sent/trailing_newline' (check/hint_key)"
    )


def _grade_all(specs: list[ProblemSpec], pack: Pack, args: argparse.Namespace) -> list[Row]:
    from grader.api import Grader

    todo: list[tuple[ProblemSpec, Path, tuple[str, str] | None]] = []
    for spec in specs:
        for path in sorted((spec.solutions or Path("/nonexistent")).glob("*.py")):
            todo.append((spec, path, None))
        for path in sorted((spec.mistakes or Path("/nonexistent")).glob("*.py")):
            todo.append((spec, path, _wants(path)))
    jobs = args.jobs or os.cpu_count() or 1
    # The pack is searched first, so its problems are the ones graded (the built-in pack is
    # searched last anyway, as in every grading).
    first = [] if pack.origin == "built-in" else [pack.root]
    with Grader.create(args.config, problems=first) as grader:

        def one(item: tuple[ProblemSpec, Path, tuple[str, str] | None]) -> Row:
            spec, path, wants = item
            report = grader.grade(path, spec.name, seed=0)
            label = f"{spec.number} {spec.name}"
            shown = (
                str(path.relative_to(pack.root)) if path.is_relative_to(pack.root) else str(path)
            )
            if report.verdict in ("error", "invalid"):
                return Row(label, shown, _said(wants), f"{report.verdict}: {report.error}", False)
            told = report.diagnosed
            got = "pass" if report.verdict == "pass" else "fail"
            if told is not None:
                got = f"fail {told.name}/{told.hint_key}"
            ok = got == _said(wants)
            return Row(label, shown, _said(wants), got, ok)

        with ThreadPoolExecutor(jobs, thread_name_prefix="check-pack") as pool:
            return list(pool.map(one, todo))


def _said(wants: tuple[str, str] | None) -> str:
    return "pass" if wants is None else f"fail {wants[0]}/{wants[1]}"


def table(rows: Sequence[Row]) -> str:
    """The rows as a plain table, one file a line."""
    head = ("", "problem", "file", "must get", "got")
    cells = [("ok" if r.ok else "BAD", r.problem, r.file, r.wants, r.got) for r in rows]
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(len(head) - 1)]
    lines = []
    for cell in [head, *cells]:
        first = "  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=False))
        lines.append(f"{first}  {cell[-1]}".rstrip())
    return "\n".join(lines) + "\n"


def _check(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise BadInput(f"--jobs {args.jobs}: give 1 or more")
    if args.pack is None:
        pack = builtin_pack()
    else:
        root = Path(args.pack)
        if not root.is_dir():
            raise BadInput(f"{args.pack}: not a folder; give the folder of the pack")
        pack = Pack(root, "folder")
    out = sys.stdout
    specs, errors = load_pack(pack)
    if errors:
        for error in errors:
            sys.stderr.write(f"grade check-pack: {error}\n")
        sys.stderr.write(f"grade check-pack: {pack.label}: {len(errors)} error(s) in the specs\n")
        return EXIT_BAD_INPUT
    out.write(f"{pack.label}: {len(specs)} problems, specs valid\n")
    faults = [fault for spec in specs for fault in play(spec)]
    if faults:
        for fault in faults:
            sys.stderr.write(f"grade check-pack: {fault}\n")
        sys.stderr.write(f"grade check-pack: {pack.label}: a reference server is at fault\n")
        return EXIT_BAD_INPUT
    out.write(f"{pack.label}: every reference server played its runs\n")
    out.flush()
    rows = _grade_all(specs, pack, args)
    out.write(table(rows))
    bad = [r for r in rows if not r.ok]
    if any(r.got.startswith("error:") for r in bad):
        sys.stderr.write(
            "grade check-pack: grading faulted (a reference server, or the grader): see the table\n"
        )
    if bad:
        out.write(
            f"{len(bad)} of {len(rows)} files did not get what they must: the pack is not ready\n"
        )
        return EXIT_BAD_INPUT
    out.write(f"all {len(rows)} files got what they must\n")
    return EXIT_PASS
