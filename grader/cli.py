"""``grade FILE... --problem N``: the command line. Exit 0 pass, 1 fail, 2 bad input, 3 grader fault.

Strategy: parse, grade through the library, render through ``grader.render``; every error the
user can fix becomes one or two lines on stderr naming the thing and the fix (never a
traceback), and anything unexpected is a grader fault (exit 3) with a one-line reason.
stdout carries the chosen format, or text for a person when the format goes to ``--output``
(a batch's summary table, or the one report), whatever the format; under GitHub Actions the
annotations go to stderr and the job summary to its file (``grader.render.github``).
"""

from __future__ import annotations

import argparse
import io
import os
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

# Only what parsing the command needs: the worker interpreter is started before the rest of
# the grader is imported, so that it boots while they load (see ``_run``).
from grader.errors import EXIT_BAD_INPUT, EXIT_GRADER_FAULT, EXIT_PASS, BadInput, GraderFault
from grader.formats import FORMATS
from grader.show import display_path

if TYPE_CHECKING:
    from grader.api import Grader
    from grader.i18n import Catalogue
    from grader.report import Report

EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as shells report it
EXIT_READER_GONE = 141  # stdout's reader closed it: 128 + SIGPIPE, as shells report it


class _Parser(argparse.ArgumentParser):
    lang: str | None = None  # ``--lang``, read ahead of parsing: the usage line is said in it

    def error(self, message: str) -> None:  # type: ignore[override]
        from grader.i18n import catalogue

        sys.stderr.write(f"grade: {message}\n")
        sys.stderr.write(catalogue(self.lang).message("cli.usage") + "\n")
        raise SystemExit(EXIT_BAD_INPUT)


def _parser() -> _Parser:
    p = _Parser(
        prog="grade",
        description="Grade a learner's TCP client script for a problem: one of the five "
        "built-in ones, or a pack's (grade check-pack DIR checks a pack).",
        epilog="Try a script by hand: grade serve N [--port P] plays problem N's server. "
        "Exit status: 0 every check passed, 1 a check failed, 2 bad input, 3 grader fault.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="a .py file, several, or a folder")
    p.add_argument("--problem", "-p", metavar="ID", help="problem number or name (1-5, ...)")
    p.add_argument(
        "--problems",
        action="append",
        metavar="DIR",
        help="a problem pack to search first (repeatable; see docs/authoring.md)",
    )
    p.add_argument("--list", action="store_true", help="list the problems and their tasks")
    p.add_argument("--show", metavar="ID", help="the problem's task, example and rules")
    p.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format")
    p.add_argument("--output", "-o", metavar="FILE", help="also write the report here")
    p.add_argument("--jobs", "-j", type=int, metavar="K", help="gradings side by side")
    p.add_argument("--timeout", type=_seconds, metavar="S", help="time limit per run, seconds")
    p.add_argument("--config", metavar="FILE", help="a grader.toml (default: the shipped one)")
    p.add_argument("--no-color", action="store_true", help="no colour even on a terminal")
    p.add_argument(
        "--points", metavar="N", help="what the problem is worth, in quarters (default 100)"
    )
    p.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    p.add_argument("--verbose", "-v", action="store_true", help="text: every check of every run")
    p.add_argument(
        "--seed", type=int, metavar="N", help="replay the server's random replies of a report"
    )
    p.add_argument("--lang", metavar="LANG", help="feedback language (default: from LANG)")
    p.add_argument("--broker", metavar="URL", help="grade on queue workers (redis://HOST:PORT/DB)")
    p.add_argument(
        "--pcap", metavar="DIR", help="write each run's packets there as a pcap file (tcpdump -r)"
    )
    return p


def _seconds(text: str) -> float:
    """A time limit in seconds; anything else is told in one line that says what to give."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds, such as 5") from None


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked (it costs milliseconds)."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kw: object) -> None:
        sys.stdout.write(f"grade {_version()}\n")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("socket-grader")
    except PackageNotFoundError:
        return "(not installed)"


def _expand(paths: Sequence[str], words: Catalogue) -> list[Path]:
    from grader.batch import find_scripts

    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found, skipped = find_scripts(path, words)
            if skipped:
                shown = ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else "")
                said = words.message(
                    "batch.skipped",
                    path=display_path(path),
                    count=len(skipped),
                    skipped=display_path(shown),
                )
                sys.stderr.write(f"grade: {said}\n")
            if not found:
                raise BadInput.told("input.empty_folder", path=path)
            out.extend(found)
        else:
            out.append(path)
    return out


def _check_output(raw: str, paths: Sequence[Path]) -> Path:
    """The ``--output`` target, refused (exit 2) if it cannot be written or is being graded."""
    target = Path(raw)
    shown = display_path(raw)
    if target.is_dir():
        raise BadInput.told("output.folder", path=shown)
    parent = target.parent
    if not parent.is_dir():
        raise BadInput.told("output.no_folder", path=shown, folder=display_path(parent))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BadInput.told("output.cannot_write_in", path=shown, folder=display_path(parent))
    if target.exists():
        for path in paths:
            if path.exists() and os.path.samefile(path, target):
                raise BadInput.told("output.graded", path=shown)
    return target


def _umask() -> int:
    """This process's umask, read without changing it (Linux); else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomically(target: Path, text: str) -> None:
    """Replace ``target`` with ``text`` in one step: a new file gets the mode the umask gives,
    an existing one keeps its mode."""
    target = target.resolve()
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    try:
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _unwritable(target, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        os.unlink(tmp)
        raise _unwritable(target, exc) from None
    except BaseException:
        os.unlink(tmp)
        raise


def _unwritable(target: Path, exc: OSError) -> BadInput:
    return BadInput.told("output.cannot_write", path=display_path(target), reason=exc.strerror)


def _colour(stream: TextIO, no_color: bool) -> bool:
    """Colour as the conventions say: ``--no-color`` and ``NO_COLOR`` (non-empty) turn it off,
    ``FORCE_COLOR`` (non-empty) turns it on anywhere, ``TERM=dumb`` off; else on a terminal."""
    env = os.environ
    if no_color or env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    return stream.isatty()


def _safe_streams() -> None:
    """Whatever encoding stdout and stderr were given, a character it lacks is escaped."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    """Point stdout at /dev/null: what is still buffered for a reader that has gone is dropped,
    not raised again when the stream is flushed at the end."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # no descriptor behind stdout: nothing can be flushed to it either
    finally:
        os.close(devnull)


def _exit_status(reports: Sequence[Report]) -> int:
    return max((r.exit_code for r in reports), default=EXIT_PASS)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    _safe_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check-pack"]:  # likewise
        from grader.checkpack import main as check_pack

        return check_pack(argv[1:])
    if argv[:1] == ["serve"]:  # a file named serve is graded as ./serve
        from grader import learner_cli

        _say_unknown_language(_lang(argv))
        return _learner(lambda words: learner_cli.serve_main(argv[1:], words), _lang(argv))
    parser = _parser()
    parser.lang = _lang(argv)
    args = parser.parse_args(argv)
    _say_unknown_language(args.lang)
    if args.list or args.show is not None:
        return _learner(lambda words: _statements(args, words), args.lang)
    if not args.paths or args.problem is None:
        from grader.i18n import catalogue

        parser.error(catalogue(args.lang).message("cli.give_file"))
    try:
        return _run(args)
    except BadInput as exc:
        sys.stderr.write(f"grade: {_said(exc, args.lang)}\n")
        return EXIT_BAD_INPUT
    except GraderFault as exc:
        sys.stderr.write(f"grade: grader fault: {exc}\n")
        return EXIT_GRADER_FAULT
    except KeyboardInterrupt:
        from grader.i18n import catalogue

        sys.stderr.write(f"grade: {catalogue(args.lang).message('cli.interrupted')}\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Whoever read the output has gone (``| head``): no fault, and nothing more to write.
        _silence_stdout()
        return EXIT_READER_GONE
    except Exception as exc:  # a bug of ours: say so in one line, with the exit status that says so
        sys.stderr.write(f"grade: grader fault: {type(exc).__name__}: {exc}\n")
        return EXIT_GRADER_FAULT


def entry() -> NoReturn:
    """The ``grade`` command: ``main()``, its streams flushed, then the process ends at once.

    Everything a command opens is closed by then (the worker with its Grader, files as they are
    written); tearing the interpreter down would only add the command's last ten milliseconds.
    """
    status = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # its reader has gone (a closed pipe): nothing more can reach it
    os._exit(status)


def _said(error: BadInput, lang: str | None) -> str:
    """A bad input's message in the learner's language (English for what a teacher fixes)."""
    from grader.i18n import catalogue

    return catalogue(lang).said(error)


def _say_unknown_language(lang: str | None) -> None:
    """Once, on stderr: a ``--lang`` with no catalogue gives English feedback."""
    from grader.i18n import unknown_language

    if lang and (said := unknown_language(lang)):
        sys.stderr.write(f"grade: {said}\n")


def _lang(argv: Sequence[str]) -> str | None:
    """``--lang`` among ``argv``, for the commands parsed elsewhere."""
    for i, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return arg.removeprefix("--lang=")
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
    return None


def _learner(command: Callable[[Catalogue], int], lang: str | None) -> int:
    """A learner's command (statements, serve) in the chosen language; bad input is one line."""
    from grader.i18n import catalogue

    words = catalogue(lang)
    try:
        return command(words)
    except BadInput as exc:
        sys.stderr.write(f"grade: {words.said(exc)}\n")
        return EXIT_BAD_INPUT


def terminal_width(stream: TextIO) -> int:
    """The width text is fitted to: ``COLUMNS``, else the terminal's, from 60 to 100 columns."""
    from grader.render.text_format import fit_width

    raw = os.environ.get("COLUMNS", "")
    if raw.isdigit() and int(raw) > 0:
        return fit_width(int(raw))
    try:
        return fit_width(os.get_terminal_size(stream.fileno()).columns if stream.isatty() else None)
    except (OSError, ValueError, AttributeError):
        return fit_width(None)


def _statements(args: argparse.Namespace, words: Catalogue) -> int:
    from grader import learner_cli
    from grader.config import load_config
    from grader.problem.pack import find_packs

    width = terminal_width(sys.stdout)
    packs = find_packs(load_config(args.config).with_problems(args.problems).problem_paths)
    if args.show is not None:
        sys.stdout.write(learner_cli.show_one(args.show, words, width, packs))
    else:
        sys.stdout.write(learner_cli.show_list(words, width, packs))
    return EXIT_PASS


ROUTED_FALLBACK = (
    "grade: this machine refuses user namespaces, so scripts run in routed mode, without a "
    "sandbox: they can read and write your files, reach your network and sockets and run "
    "programs as you; grade only code you trust\n"
)


def _run(args: argparse.Namespace) -> int:
    from grader.config import load_config
    from grader.observe.zygote import Zygote

    if args.jobs is not None and args.jobs < 1:
        raise BadInput.told("cli.jobs", jobs=args.jobs)
    if args.points is not None:
        from grader.judge.scoring import parse_points

        args.points = parse_points(args.points, "--points")
    if args.broker:
        _refuse_the_workers_options(args)
    config = load_config(args.config).with_problems(args.problems)
    config.with_time_limit(args.timeout)  # validates it
    if args.broker:  # graded by grade-worker processes elsewhere (see README), rendered here
        from grader.queue.remote import RemoteGrader

        if args.pcap is not None:
            raise BadInput(
                "--pcap: not with --broker (the workers capture; give the job a pcap_dir)"
            )
        with RemoteGrader(args.broker, config, args.timeout, args.points) as remote:
            return _grade(remote, args)  # type: ignore[arg-type]  # spec, grade, grade_many
    pcaps = _pcap_dir(args.pcap) if args.pcap is not None else None
    # Start the worker interpreter first: it boots while the rest of the grader is imported.
    # One file's runs arrive together as soon as it is up: preparing runs ahead would only
    # make runs nobody asks for (and end them at exit).
    mode = "routed" if config.isolation == "routed" else "auto"
    one = len(args.paths) == 1 and not Path(args.paths[0]).is_dir()
    zygote = Zygote(mode, config.run_ids, 0 if one else config.pool, config.limits)
    from grader.api import Grader

    with Grader(config, zygote, args.timeout, args.points, args.lang, pcap_dir=pcaps) as grader:
        grader.spec(args.problem)  # read and rehearsed while the worker interpreter boots
        grader.refuse_routed_capture()  # before anything is graded: no report, no file
        if config.isolation == "auto" and grader.isolation == "routed":
            sys.stderr.write(ROUTED_FALLBACK)
        return _grade(grader, args)


def _refuse_the_workers_options(args: argparse.Namespace) -> None:
    """With ``--broker`` the workers grade: options they own would be silently ignored here."""
    if args.config is not None:
        raise BadInput(
            "--config with --broker: the workers grade with their own configuration "
            "(grade-worker --config); drop --config"
        )
    if args.lang is not None:
        raise BadInput(
            "--lang with --broker: the workers write the feedback in their own language "
            "(LANG of grade-worker); drop --lang"
        )


def _pcap_dir(raw: str) -> Path:
    from grader.api import check_pcap_dir

    return check_pcap_dir(raw)


def _grade(grader: Grader, args: argparse.Namespace) -> int:
    from grader.api import points_of
    from grader.i18n import catalogue

    words = catalogue(args.lang)
    points_of(grader.spec(args.problem), args.points, "--points")  # a quarter point per test
    paths = _expand(args.paths, words)
    target = _check_output(args.output, paths) if args.output is not None else None
    batch = len(paths) > 1 or any(Path(p).is_dir() for p in args.paths)
    if not batch:
        try:
            reports = [grader.grade(paths[0], args.problem, seed=args.seed)]
        except BadInput as exc:
            if args.format == "text":
                raise
            # A machine-readable report still says why (a platform shows 0 points and the
            # reason instead of a failed job); the exit status is still 2.
            said = words.said(exc)
            sys.stderr.write(f"grade: {said}\n")
            reports = [grader.ungraded(paths[0], args.problem, "invalid", said)]
    else:
        from grader.batch import run_batch

        stream = args.format == "json" and target is None
        done = run_batch(grader, paths, args.problem, args.jobs, stream, words)
        reports = done.reports
        if done.interrupted:  # what finished is still reported and written
            _emit(reports, args, batch, target)
            if stream:
                from grader.batch import summary_table

                sys.stderr.write(summary_table(reports, words))
            said = words.message("batch.interrupted", done=len(reports), total=len(paths))
            sys.stderr.write(f"grade: {said}\n")
            return EXIT_INTERRUPTED
    _emit(reports, args, batch, target)
    return _exit_status(reports)


def _text(reports: list[Report], args: argparse.Namespace, colour: bool) -> str:
    """The text report, in the chosen language, every check with ``--verbose``."""
    from grader.render import render

    return render(
        reports,
        "text",
        colour=colour,
        verbose=args.verbose,
        lang=args.lang,
        width=terminal_width(sys.stdout),
    )


def _emit(
    reports: list[Report], args: argparse.Namespace, batch: bool, target: Path | None
) -> None:
    """The report to ``--output`` and stdout, then GitHub's annotations and job summary."""
    from grader.batch import summary_table
    from grader.i18n import catalogue
    from grader.render import github, render

    out = sys.stdout
    words = catalogue(args.lang)
    if target is not None:
        kept = (
            _text(reports, args, False)
            if args.format == "text"
            else render(reports, args.format, lang=args.lang)
        )
        _write_atomically(target, kept)
    for_a_person = target is not None or args.format == "text"
    if for_a_person:
        colour = _colour(out, args.no_color)
        if not batch:
            text = _text(reports, args, colour)
        elif args.verbose:  # each file's feedback, then the table
            text = _text(reports, args, colour) + "\n" + summary_table(reports, words)
        else:
            text = summary_table(reports, words)
    elif batch and args.format == "json":
        text = ""  # the JSON Lines were streamed as each file was graded
    else:
        text = render(reports, args.format, lang=args.lang)
    if github.active():
        if for_a_person:
            text = github.fenced(text)  # it quotes the learner's program
        elif args.format in ("junit", "html"):
            text = github.defused(text)
    out.write(text)
    out.flush()
    if github.active():  # in the reports' language, as the format's
        sys.stderr.write(github.workflow_commands(reports, words))
        sys.stderr.flush()
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            github.append_summary(reports, summary, words)
