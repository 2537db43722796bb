"""Problem packs: where problems come from, and how an ID (a number or a name) finds its spec.

Strategy: a pack is a folder of specs, each either ``<pack>/<name>/problem.yaml`` (a problem's
own folder: its server, statement, ``solutions/`` and ``mistakes/`` beside it) or
``<pack>/<file>.yaml`` (flat, naming its files). Packs are searched in one order: the folders
given (``--problems``, ``[problems] paths``), then installed distributions that expose one
through the ``socket_grader.packs`` entry-point group, then the built-in pack (the five
problems of the lesson, ``problems/``). The first pack holding an ID wins, so a teacher's pack
may shadow a built-in problem. Specs are read only when asked for; finding a pack reads only
the ``problem`` and ``name`` of each spec.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import yaml

from grader.errors import BadInput, Phrase
from grader.paths import data_path

ENTRY_POINT_GROUP = "socket_grader.packs"
SPEC_FILE = "problem.yaml"
NAME = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Pack:
    """A folder of problems and where it was found (shown when it is at fault)."""

    root: Path
    origin: str  # "built-in", "folder", or "entry point <name> (<distribution>)"

    @property
    def label(self) -> str:
        return "the built-in pack" if self.origin == "built-in" else f"pack {self.root}"


@dataclass(frozen=True)
class Entry:
    """One problem of a pack, as listed: its number, its name and its spec file."""

    number: int
    name: str
    path: Path
    pack: Pack


def builtin_pack() -> Pack:
    """The five problems of the lesson, shipped with the grader."""
    return Pack(data_path("problems"), "built-in")


def spec_files(root: Path) -> list[Path]:
    """The spec files of the pack at ``root``, in name order."""
    flat = [p for p in root.glob("*.yaml") if p.is_file()]
    nested = [p for p in root.glob(f"*/{SPEC_FILE}") if p.is_file()]
    return sorted(flat + nested)


def default_name(path: Path) -> str:
    """A problem's name when its spec gives none: its folder's, else the file's stem."""
    return path.parent.name if path.name == SPEC_FILE else path.stem


def _may_declare_packs() -> bool:
    """Whether a distribution on ``sys.path`` may declare a pack: its ``entry_points.txt``
    names the group. A look at a few small files, where importing ``importlib.metadata`` costs
    ten milliseconds on every command; anything it cannot read cheaply (a zip) counts as yes."""
    for folder in sys.path:
        try:
            items = list(os.scandir(folder or "."))
        except NotADirectoryError:
            return True
        except OSError:
            continue
        for item in items:
            if not item.name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(item.path, "entry_points.txt"), "rb") as f:
                    if ENTRY_POINT_GROUP.encode() in f.read():
                        return True
            except OSError:
                continue
    return False


def _entry_point_packs() -> Iterator[Pack]:
    if not _may_declare_packs():
        return
    from importlib.metadata import entry_points  # costs milliseconds: only when packs are sought

    for point in entry_points(group=ENTRY_POINT_GROUP):
        where = f"entry point {point.name}" + (f" ({point.dist.name})" if point.dist else "")
        try:
            loaded = point.load()
        except Exception as exc:  # the distribution's code: say whose, never a traceback
            raise BadInput(
                f"{where} of group {ENTRY_POINT_GROUP} cannot be loaded ({type(exc).__name__}: "
                f"{exc}); reinstall or fix that distribution"
            ) from None
        if isinstance(loaded, ModuleType) and loaded.__file__:
            root = Path(loaded.__file__).parent
        elif isinstance(loaded, (str, Path)):
            root = Path(loaded)
        else:
            raise BadInput(
                f"{where}: it names {loaded!r}; point it at a package (its folder is the pack) "
                "or at a str path"
            )
        yield Pack(root, where)


def find_packs(paths: Sequence[str | Path] = (), installed: bool = True) -> list[Pack]:
    """The packs to search, in order: ``paths``, installed ones, then the built-in pack."""
    packs: list[Pack] = []
    for raw in paths:
        root = Path(raw)
        if not root.is_dir():
            raise BadInput(f"problem pack {raw}: not a folder; give the folder holding the specs")
        packs.append(Pack(root, "folder"))
    if installed:
        packs.extend(_entry_point_packs())
    packs.append(builtin_pack())
    return packs


# libyaml's parser where PyYAML was built with it: the pure-Python one costs milliseconds a spec.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _peek(path: Path) -> tuple[object, object]:
    """The ``problem`` and ``name`` of a spec, or (None, None) when it cannot be read."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None, None
    if not isinstance(raw, dict):
        return None, None
    return raw.get("problem"), raw.get("name")


def entries(pack: Pack) -> list[Entry]:
    """The problems of ``pack`` (a spec that cannot be read is listed under its file name, so
    that asking for it reports what is wrong with it)."""
    out: list[Entry] = []
    for path in spec_files(pack.root):
        number, name = _peek(path)
        if not isinstance(number, int) or isinstance(number, bool):
            number = int(path.stem) if path.stem.isdigit() else -1
        out.append(Entry(number, name if isinstance(name, str) else default_name(path), path, pack))
    return out


def find_problem(problem: int | str, packs: Sequence[Pack]) -> Entry:
    """The first spec, across ``packs`` in order, whose number or name is ``problem``."""
    wanted = str(problem).strip()
    by_number = wanted.isdigit()
    listed: list[Entry] = []
    for pack in packs:
        for entry in entries(pack):
            listed.append(entry)
            if (by_number and entry.number == int(wanted)) or entry.name == wanted:
                return entry
    known = ", ".join(
        f"{e.number} ({e.name})" if e.number >= 0 else e.name
        for e in sorted(listed, key=lambda e: (e.number, e.name))
    )
    raise BadInput.told(
        "input.unknown_problem", problem=wanted, known=known or Phrase("input.none")
    )
