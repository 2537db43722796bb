"""The library entry points: ``grade`` one submission, ``grade_many`` side by side.

Strategy: a ``Grader`` holds what is made once (configuration, specs, and the warm worker that
forks every run) and is otherwise immutable; each run builds its own server, process and scratch
folder, so gradings share nothing and run in parallel threads (each spends its time waiting on
its own selector while the learners' processes use the cores). The module runs past 300 lines
because the Grader is the one place where a grading is put together (observe every run, judge,
diagnose, score, the Report) and the Report of a file that could not be graded sits beside it.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.config import Config, load_config
from grader.errors import BadInput, GraderFault
from grader.i18n import Catalogue, catalogue
from grader.judge.diagnosis import diagnose
from grader.judge.hidden import conceal_checks, conceal_outcome
from grader.judge.location import learner_line
from grader.judge.packets import packet_ladder
from grader.judge.run import judge_run
from grader.judge.said import said
from grader.judge.scoring import DEFAULT_POINTS, fitting, parse_points, scored, unreached
from grader.judge.source import source_problem
from grader.judge.transcript import run_transcript
from grader.judge.verdict import Context
from grader.observe.packets import pcap_bytes
from grader.observe.records import Observation
from grader.observe.session import observe
from grader.observe.zygote import Zygote
from grader.problem.pack import find_packs
from grader.problem.reference import PackFault
from grader.problem.rehearsal import rehearse
from grader.problem.spec import ProblemSpec, find_spec
from grader.problem.statement import localized, statement
from grader.report import Check, PacketLadder, Report, RunOutcome, Verdict
from grader.show import display_path, printable
from grader.submission import held_submission, read_submission

OUTPUT_SHOWN = 4000  # characters of a run's printed output kept for the formats that show it
NOT_PYTHON = "needs “is a Python script” first"
WHY_NOT_GRADED = {
    "invalid": "the submission could not be graded",
    "error": "the grader failed (not the learner's mistake)",
}


@dataclass(frozen=True)
class Grader:
    """Grades submissions for any shipped problem with one configuration.

    It owns a warm worker interpreter (the zygote) that forks every run; ``close()`` it, or use
    it as a context manager, when done (it is also stopped when the Grader is collected).
    """

    config: Config
    zygote: Zygote = field(repr=False)
    time_limit_s: float | None = None  # overrides config and spec (the CLI's --timeout)
    points: float | None = None  # what each problem is worth (quarters); overrides the spec
    lang: str | None = None  # the learner's language (None: the environment's LANG, else English)
    locale_dir: Path | None = None  # compiled catalogues (None: the shipped grader/locale)
    pcap_dir: Path | None = None  # where each run's packets go as a pcap file (None: not captured)
    _specs: dict[int | str, ProblemSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        weakref.finalize(self, self.zygote.close)

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker interpreter."""
        self.zygote.close()

    @property
    def isolation_label(self) -> str:
        """How runs are isolated, as reports say it: ``namespace+cgroup``, ``namespace``, ..."""
        mode = self.isolation  # raises where the configured mode is not available
        return f"{mode}+cgroup" if self.zygote.cgroups() else mode

    @property
    def isolation(self) -> str:
        """``namespace`` or ``routed``: how runs are isolated on this machine (see README)."""
        mode = self.zygote.mode()
        if self.config.isolation == "namespace" and mode != "namespace":
            raise GraderFault(
                "isolation mode 'namespace' is configured, but this machine refuses unprivileged "
                'user namespaces; set [isolation] mode = "auto" to grade in routed mode'
            )
        return mode

    def refuse_unsandboxed(self) -> None:
        """Raise ``GraderFault`` when runs would be routed without it being configured.

        Routed mode has no sandbox: fit for a learner grading their own script, not for a batch
        or a worker grading strangers' code, unless the configuration asks for it by name.
        """
        if self.isolation == "routed" and self.config.isolation != "routed":
            raise GraderFault(
                "this machine refuses user namespaces, and routed mode runs scripts without a "
                "sandbox; refusing to grade a batch of strangers' code that way (set [isolation] "
                'mode = "routed" to grade trusted files all the same)'
            )

    @classmethod
    def create(
        cls,
        config: Config | str | Path | None = None,
        time_limit_s: float | None = None,
        points: float | None = None,
        lang: str | None = None,
        locale_dir: str | Path | None = None,
        problems: Iterable[str | Path] = (),
        pcap_dir: str | Path | None = None,
    ) -> Grader:
        """A grader with ``config`` (a Config, a grader.toml path, or None for the shipped one).

        ``problems``: problem packs (folders) searched before the configuration's.

        ``points``: what a problem is worth, in quarter points (default: its spec's ``points``,
        else 100); each test of a problem must get at least a quarter.
        ``lang``: the feedback's language; ``locale_dir``: where its compiled catalogue is.
        ``pcap_dir``: capture each run's packets and write them there, one pcap file per run
        (``BadInput`` unless it is a folder one can write in).
        """
        cfg = config if isinstance(config, Config) else load_config(config)
        cfg = cfg.with_problems([str(p) for p in problems])
        if time_limit_s is not None:
            cfg.with_time_limit(time_limit_s)  # validates the value
        points = check_points(points)
        mode = "routed" if cfg.isolation == "routed" else "auto"
        where = Path(locale_dir) if locale_dir is not None else None
        pcaps = check_pcap_dir(pcap_dir) if pcap_dir is not None else None
        zygote = Zygote(mode, cfg.run_ids, cfg.pool, cfg.limits)
        return cls(cfg, zygote, time_limit_s, points, lang, where, pcap_dir=pcaps)

    def catalogue(self, lang: str | None = None) -> Catalogue:
        """The sentences of ``lang`` (default: the grader's language, else the environment's)."""
        return catalogue(lang or self.lang, self.locale_dir)

    def spec(self, problem: int | str) -> ProblemSpec:
        """The validated spec of ``problem``, a number or a name (read once per grader), from
        the configuration's packs, the installed ones, or the built-in pack, in that order."""
        if problem not in self._specs:
            spec = find_spec(problem, find_packs(self.config.problem_paths))
            # A server a correct client cannot get through is the pack's fault: refuse it here,
            # before a learner's grading is failed by it.
            for name, seed, fault in rehearse(spec):
                raise PackFault(
                    f"{spec.origin}: run {name!r} (seed {seed}): {fault}; "
                    "check the pack with grade check-pack"
                )
            self._specs[problem] = spec
        return self._specs[problem]

    def _limit(self, spec: ProblemSpec) -> float:
        return time_limit(spec, self.config, self.time_limit_s)

    def _points(self, spec: ProblemSpec) -> float:
        return points_of(spec, self.points)

    def grade(
        self,
        path: str | Path | None = None,
        problem: int | str | None = None,
        seed: int | None = None,
        lang: str | None = None,
        *,
        source: bytes | str | None = None,
        filename: str | None = None,
    ) -> Report:
        """Grade one submission: the file at ``path``, or ``source`` held in memory.

        ``source`` is the script's bytes (or its text, taken as UTF-8), graded without anything
        written to disk; ``filename`` is how the report and tracebacks name it (default
        ``submission.py``). Raises ``BadInput`` for a missing file, bytes over 1 MiB or an
        unknown problem.

        ``seed`` fixes the random part of the server's replies (the Report records the seed
        used either way, so any grading can be replayed); ``lang`` chooses the language of
        the feedback (default: the grader's, else the environment's).
        """
        if problem is None:
            raise TypeError("grade() needs the problem: grade(path, problem=N)")
        words = self.catalogue(lang)
        shipped = self.spec(problem)
        spec = localized(shipped, words)  # titles and run names in the learner's language
        told = statement(shipped, words)
        if (path is None) == (source is None):
            raise BadInput("give either a file's path or its source (bytes or text), not both")
        if source is not None:
            data, name = held_submission(source, filename or "submission.py")
            script = shown = Path(name)  # a name only: the bytes reach the run by descriptor
            names: tuple[str, ...] = (name,)
        else:
            assert path is not None
            script = Path(path)
            data = read_submission(script)
            name = display_path(path)
            shown = script.resolve()
            names = (str(script), str(shown))
        started = time.monotonic()
        limit = self._limit(spec)
        points = self._points(spec)
        bad_source = source_problem(script, data, words)
        bad_source = said(bad_source, words) if bad_source is not None else None
        if bad_source is not None:
            return Report(
                name,
                spec.number,
                spec.title,
                scored((bad_source,), points),
                "fail",
                self.isolation_label,
                time.monotonic() - started,
                runs=tuple(r.name for r in spec.runs),
                unreached=tuple(said(c, words) for c in unreached(spec, limit, points, NOT_PYTHON)),
                diagnosis=diagnose((bad_source,)),
                statement=told,
            )
        self.refuse_routed_capture()
        limits = self.config.limits
        ctx = Context(limit, limits.output_kb, limits.memory_mb, data, limits.run_memory_mb)
        base = int.from_bytes(os.urandom(4), "big") if seed is None else seed
        try:
            observations = self._observe_all(shown, data, spec, limit, base)
        except (GraderFault, OSError) as exc:
            return Report(
                name,
                spec.number,
                spec.title,
                (),
                "error",
                self.isolation_label,
                time.monotonic() - started,
                error=f"{type(exc).__name__}: {exc}",
                unreached=tuple(
                    said(c, words) for c in unreached(spec, limit, points, WHY_NOT_GRADED["error"])
                ),
                seed=base,
                statement=told,
            )
        checks: list[Check] = []
        for run, obs in zip(spec.runs, observations, strict=True):
            line = learner_line(obs.process.stderr, names)
            checks += [
                replace(c, line=line) if c.status == "failed" and line else c
                for c in judge_run(run, obs, ctx, words)
            ]
        hidden = {r.name for r in spec.runs if r.hidden}
        checks = conceal_checks(checks, hidden, words)
        outcomes = tuple(
            conceal_outcome(o) if o.run in hidden else o for o in map(_outcome, observations)
        )
        transcripts = tuple(
            run_transcript(obs, words) for obs in observations if obs.run_name not in hidden
        )
        verdict: Verdict = "pass" if all(c.passed for c in checks) else "fail"
        ladders = self._ladders(name, observations, checks, hidden, words)
        return Report(
            name,
            spec.number,
            spec.title,
            scored(checks, points),
            verdict,
            self.isolation_label,
            time.monotonic() - started,
            runs=tuple(r.name for r in spec.runs),
            outcomes=outcomes,
            seed=base,
            diagnosis=diagnose(checks),
            transcripts=transcripts,
            statement=told,
            ladders=ladders,
        )

    def refuse_routed_capture(self) -> None:
        """``BadInput`` when packets are asked for and runs are routed: a routed run has no
        loopback of its own, so its packets cannot be told from the host's."""
        if self.pcap_dir is not None and self.isolation == "routed":
            raise BadInput(
                f"--pcap {display_path(self.pcap_dir)}: packets are captured only in namespace "
                "isolation, and this machine routes runs; grade without --pcap"
            )

    def _ladders(
        self,
        name: str,
        observations: Sequence[Observation],
        checks: Sequence[Check],
        hidden: Collection[str],
        words: Catalogue,
    ) -> tuple[PacketLadder, ...]:
        """Each shown run's packets written as a pcap file, and its ladder."""
        if self.pcap_dir is None:
            return ()
        ladders = []
        for obs in observations:
            if obs.capture is None or obs.run_name in hidden:
                continue
            path = self.pcap_dir / pcap_name(name, obs.run_name)
            write_atomically(path, pcap_bytes(obs.capture))
            mistakes = [c.hint_key for c in checks if c.run == obs.run_name and not c.passed]
            shown = display_path(path)
            ladders.append(packet_ladder(obs.capture, obs.run_name, shown, mistakes, words))
        return tuple(ladders)

    def ungraded(
        self,
        path: str | Path,
        problem: int | str,
        verdict: Verdict,
        reason: str,
        seconds: float = 0.0,
    ) -> Report:
        """A Report for a submission that could not be graded (``invalid`` or ``error``).

        It lists every check of the problem, skipped and scoring 0, so that platforms see the
        same tests as for any other submission; its titles are in the grader's language.
        """
        words = self.catalogue()
        spec = localized(self.spec(problem), words)
        mode = self.zygote.mode()  # not ``isolation``: a refused mode is the reason given here
        isolation = f"{mode}+cgroup" if self.zygote.cgroups() else mode
        report = ungraded_report(
            path, spec, verdict, reason, isolation, self._limit(spec), self._points(spec), seconds
        )
        return replace(report, unreached=tuple(said(c, words) for c in report.unreached))

    def _observe_all(
        self, script: Path, source: bytes, spec: ProblemSpec, limit: float, seed: int
    ) -> list[Observation]:
        """Every run of ``spec``, side by side: they share nothing, and the learner waits less."""
        ns = self.isolation == "namespace"

        def one(index: int) -> Observation:
            run = spec.runs[index]
            capture = self.pcap_dir is not None and not run.hidden
            return observe(
                script,
                run,
                spec,
                self.config.limits,
                limit,
                self.zygote,
                ns,
                seed + index,
                source,
                capture=capture,
            )

        if len(spec.runs) == 1:
            return [one(0)]
        from concurrent.futures import ThreadPoolExecutor  # not on a one-run grading's path

        with ThreadPoolExecutor(len(spec.runs), thread_name_prefix="run") as pool:
            return list(pool.map(one, range(len(spec.runs))))

    def grade_many(
        self,
        paths: Iterable[str | Path],
        problem: int | str,
        jobs: int | None = None,
        stop: threading.Event | None = None,
    ) -> Iterator[Report]:
        """Grade files side by side, yielding each Report as it completes.

        A file that cannot be graded (missing, a folder) yields a Report with verdict
        ``invalid`` and the reason, so one broken file never stops the batch. Once ``stop`` is
        set, no further grading starts; those already running end and are yielded.
        """
        self.spec(problem)  # an unknown problem is the caller's error: raise before starting
        self.refuse_unsandboxed()
        self.refuse_routed_capture()
        from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

        workers = jobs or self.config.jobs or os.cpu_count() or 1
        todo = iter(list(paths))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade") as pool:
            running: dict[Future[Report], str] = {}

            def submit_next() -> bool:
                if stop is not None and stop.is_set():
                    return False
                for path in todo:
                    running[pool.submit(self._grade_or_error, path, problem)] = str(path)
                    return True
                return False

            for _ in range(workers):
                if not submit_next():
                    break
            while running:
                done, _pending = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    running.pop(future)
                    submit_next()
                    yield future.result()

    def _grade_or_error(self, path: str | Path, problem: int | str) -> Report:
        self.isolation  # noqa: B018  (a configured mode this machine refuses is a fault: raise)
        try:
            return self.grade(path, problem)
        except BadInput as exc:  # the learner's file: said in the report's language
            return self.ungraded(path, problem, "invalid", self.catalogue().said(exc))
        except GraderFault as exc:
            return self.ungraded(path, problem, "error", str(exc))
        except Exception as exc:  # a fault of ours must not stop the other gradings of a batch
            return self.ungraded(path, problem, "error", f"{type(exc).__name__}: {exc}")


def check_pcap_dir(folder: str | Path) -> Path:
    """``folder`` as the place for pcap files; ``BadInput`` unless it is a writable folder."""
    path = Path(folder)
    shown = display_path(str(folder))
    if not path.is_dir():
        raise BadInput(f"--pcap {shown}: no such folder; create it first")
    if not os.access(path, os.W_OK | os.X_OK):
        raise BadInput(f"--pcap {shown}: cannot write in it; check its permissions")
    return path


def pcap_name(submission: str, run: str) -> str:
    """``<file>.<run>.pcap``: the submission's file name and the run's name, made file-safe."""
    base = Path(submission).name or "submission"
    slug = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in run)
    slug = "-".join(part for part in slug.split("-") if part) or "run"
    return f"{base}.{slug}.pcap"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a new name, then a rename)."""
    temporary = path.with_name(f".{path.name}.{os.urandom(4).hex()}.part")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BadInput(
            f"--pcap {display_path(str(path.parent))}: cannot write {path.name} ({exc.strerror})"
        ) from None


def check_points(points: float | None) -> float | None:
    """``points`` checked (``BadInput`` unless None or a positive number of quarter points)."""
    return None if points is None else parse_points(points)


def _outcome(obs: Observation) -> RunOutcome:
    """The run's time and printed output (stdout, then stderr), capped, as display text."""
    proc = obs.process
    text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    if len(text) > OUTPUT_SHOWN:
        half = OUTPUT_SHOWN // 2
        cut = len(text) - 2 * half
        text = f"{text[:half]}\n[… {cut} characters not shown …]\n{text[-half:]}"
    shown = "\n".join(printable(line) for line in text.split("\n"))
    return RunOutcome(obs.run_name, round(proc.duration_s, 4), shown)


def time_limit(spec: ProblemSpec, config: Config, override: float | None = None) -> float:
    """A run's time limit: the caller's override, else the spec's, else the configuration's."""
    return override or spec.time_limit_s or config.limits.time_limit_s


def points_of(spec: ProblemSpec, override: float | None = None, name: str = "points") -> float:
    """What a problem is worth: the caller's override, else the spec's, else the default.

    Raises ``BadInput`` when that gives a test of ``spec`` less than a quarter point (``name``:
    where the override came from, as the message names it).
    """
    if override:
        return fitting(spec, override, name)
    where = display_path(spec.path) if spec.path is not None else f"problem {spec.number}"
    return fitting(spec, spec.points or DEFAULT_POINTS, f"{where}: points =")


def ungraded_report(
    path: str | Path,
    spec: ProblemSpec,
    verdict: Verdict,
    reason: str,
    isolation: str,
    time_limit_s: float,
    points: float,
    seconds: float = 0.0,
) -> Report:
    """The Report of a submission of ``spec`` that was not graded: every check skipped, 0 points."""
    why = WHY_NOT_GRADED.get(verdict, WHY_NOT_GRADED["error"])
    return Report(
        display_path(path),
        spec.number,
        spec.title,
        (),
        verdict,
        isolation,
        seconds,
        error=printable(reason),
        runs=tuple(r.name for r in spec.runs),
        unreached=unreached(spec, time_limit_s, points, why),
    )


def grade(
    path: str | Path | None = None,
    problem: int | str | None = None,
    *,
    source: bytes | str | None = None,
    filename: str | None = None,
    config: Config | str | Path | None = None,
    time_limit_s: float | None = None,
    seed: int | None = None,
    points: float | None = None,
    lang: str | None = None,
    pcap_dir: str | Path | None = None,
) -> Report:
    """Grade a learner's script for ``problem`` (a number or a name, from the configuration's
    packs or the built-in 1-5) and return its Report.

    The script is the file at ``path``, or ``source``: its bytes (or text) held in memory,
    named ``filename`` in the report (default ``submission.py``), with nothing written to disk::

        grade(source=b"import socket\n...", filename="anna.py", problem=3)

    ``points``: what the problem is worth, spread over its checks (default: the spec's, or 100).
    ``seed`` replays the server's replies of an earlier Report (its ``seed``); ``lang`` is the
    feedback's language (default: the environment's LANG, else English); ``pcap_dir`` captures
    each run's packets and writes them there, one pcap file per run (``Report.ladders``).

    Raises ``BadInput`` for a missing file, an unknown problem or a malformed configuration,
    ``GraderFault`` when this machine cannot run a grading as configured.
    """
    with Grader.create(config, time_limit_s, points, lang, pcap_dir=pcap_dir) as grader:
        return grader.grade(path, problem, seed, source=source, filename=filename)


def grade_many(
    paths: Iterable[str | Path],
    problem: int | str,
    *,
    jobs: int | None = None,
    config: Config | str | Path | None = None,
    time_limit_s: float | None = None,
    points: float | None = None,
    pcap_dir: str | Path | None = None,
) -> Iterator[Report]:
    """Grade many files for ``problem``, ``jobs`` at a time (default: one per core).

    Yields each Report as soon as it is ready (completion order, not input order).
    ``pcap_dir``: each run's packets as a pcap file there (see ``grade``).
    """
    with Grader.create(config, time_limit_s, points, pcap_dir=pcap_dir) as grader:
        yield from grader.grade_many(paths, problem, jobs)
