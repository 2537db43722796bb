"""The report of one grading: the single structure every output format is rendered from."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

from grader.errors import EXIT_BAD_INPUT as EXIT_BAD_INPUT
from grader.errors import EXIT_FAIL as EXIT_FAIL
from grader.errors import EXIT_GRADER_FAULT as EXIT_GRADER_FAULT
from grader.errors import EXIT_PASS as EXIT_PASS
from grader.show import printable

Status = Literal["passed", "failed", "skipped"]
Verdict = Literal["pass", "fail", "invalid", "error"]


def _escape(record: object, multiline: tuple[str, ...]) -> None:
    """Escape every text field of a frozen record in place, once, when it is made: whatever
    a learner controlled reaches every renderer already escaped (``grader.show.printable``)."""
    for f in fields(record):  # type: ignore[arg-type]
        value = getattr(record, f.name)
        if isinstance(value, str):
            object.__setattr__(record, f.name, printable(value, newlines=f.name in multiline))


@dataclass(frozen=True)
class Check:
    """One judged requirement. A failed check says what was expected, what was seen, what to try.

    ``expected`` and ``observed`` are display text (bytes already shown as Python bytes
    literals); ``marker`` is a line of spaces and a caret under the first difference of
    ``observed``, or empty.
    """

    name: str
    title: str
    run: str
    status: Status
    expected: str = ""
    observed: str = ""
    marker: str = ""
    hint: str = ""
    hint_key: str = ""  # the mistake's identity (a key of the hint table); the text may vary
    mistake: str = ""  # the hint's first part: what went wrong, in the lesson's words
    fix: str = ""  # the hint's second part: what to try
    # Points (see README, "Scoring"): what the check is worth and what it earned, in whole
    # quarter points (binary fractions: every sum of them is exact).
    score: float = 0.0
    max_score: float = 0.0
    line: int | None = None  # the line of the learner's file the failure points at, if known
    hidden: bool = False  # a hidden run's: its inputs and bytes are not shown, only its title

    def __post_init__(self) -> None:
        _escape(self, multiline=("expected", "observed", "marker", "hint"))

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def skipped(self) -> bool:
        return self.status == "skipped"


@dataclass(frozen=True)
class Diagnosis:
    """The one mistake to tell first, and every other failure sorted around it.

    Indices point into ``Report.checks``. ``same``: failures of the same mistake (other runs,
    later checks); ``caused``: other failures of the runs it occurs in, which follow from it;
    ``others``: failures elsewhere; ``not_judged``: checks skipped for a failed prerequisite.
    """

    check: int
    hint_key: str
    same: tuple[int, ...] = ()
    caused: tuple[int, ...] = ()
    others: tuple[int, ...] = ()
    not_judged: tuple[int, ...] = ()


@dataclass(frozen=True)
class WireEvent:
    """One line of a run's transcript: who did what on the wire, and when.

    ``kind``: ``connect`` (``text`` is the address asked for and the outcome), ``data`` (a
    bytes literal), ``end`` (how the connection ended: FIN, RST, or still open). ``at_s`` is
    seconds since the run started, None where only the program's own report tells of it.
    """

    who: Literal["client", "server"]
    kind: Literal["connect", "data", "end"]
    text: str
    at_s: float | None = None
    connection: int = 0  # which connection, in accept order (0 for a refused attempt)
    decoded: str = ""  # data: the bytes' UTF-8 text (a str literal) where it says more than them
    data: bytes = b""  # a ``data`` event's bytes, whole: ``text`` is their display, capped


@dataclass(frozen=True)
class RunTranscript:
    """What crossed the wire in one run, what the program printed, and how it ended."""

    run: str
    events: tuple[WireEvent, ...]
    stdout: str  # a str literal, capped
    stderr: str  # a str literal, capped
    ending: str  # "exit status 0", "stopped at the time limit", "stopped by signal SIGKILL"
    duration_s: float
    stdin: str = ""  # a str literal of the input given
    exception: str = ""  # "Type: detail" of an uncaught exception (its traceback is in stderr)
    # The bytes themselves, as captured (each stream at most the output cap), for readers that
    # show them their own way; the str fields above are their display.
    stdin_bytes: bytes = b""
    stdout_bytes: bytes = b""
    stderr_bytes: bytes = b""


@dataclass(frozen=True)
class Packet:
    """One TCP segment (or other packet) of a run, as its packet ladder shows it.

    ``flags`` in words (``SYN``, ``SYN ACK``, ``PSH ACK``, ``FIN ACK``, ``RST``; ``UDP`` or the
    protocol for anything not TCP); ``seq`` and ``ack`` relative to each side's first sequence
    number (None where the packet carries none); ``payload`` the start of its bytes as a bytes
    literal; ``at_s`` seconds since the run's first packet; ``connection`` numbers the
    conversations in order of their first packet.
    """

    at_s: float
    who: Literal["client", "server"]
    flags: str
    seq: int | None
    ack: int | None
    length: int
    payload: str = ""
    connection: int = 1


@dataclass(frozen=True)
class PacketLadder:
    """A run's packets: where its pcap file went, the packets kept, and how many there were.

    ``marked`` is the index of the packet that shows the diagnosed mistake (an RST, a SYN
    answered by RST), with ``mark`` saying what it shows; None when none does.
    """

    run: str
    packets: tuple[Packet, ...]
    seen: int  # every frame of the run; more than ``len(packets)`` when the capture was capped
    pcap: str = ""  # the file written, as the user named its folder
    marked: int | None = None
    mark: str = ""


@dataclass(frozen=True)
class RunOutcome:
    """How one run went, for formats that show it: its time and what the program printed.

    ``output`` is the program's standard output then standard error, decoded, capped and with
    control characters escaped (display text, like ``observed``).
    """

    run: str
    duration_s: float
    output: str = ""


@dataclass(frozen=True)
class ExampleSession:
    """One run of a problem's example: (label, value) lines, in the learner's language."""

    run: str
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Statement:
    """What a problem asks, as a learner reads it: its task, an example session and the rules
    it is judged by, all from its spec (``grade --show N``)."""

    problem: int
    title: str
    task: str
    examples: tuple[ExampleSession, ...] = ()
    judged: tuple[str, ...] = ()
    runs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """The outcome of grading one submission for one problem.

    ``verdict`` is ``pass`` only when every check passed; ``invalid`` means the input could not
    be graded (a missing file in a batch; ``error`` says why); ``error`` means the grader itself
    failed (``error`` says why) and is never the learner's fault.
    """

    submission: str
    problem: int
    title: str
    checks: tuple[Check, ...]
    verdict: Verdict
    isolation: str = ""
    duration_s: float = 0.0
    error: str = ""
    runs: tuple[str, ...] = field(default=())
    # The spec's checks never judged because no run happened (the file does not run, could not
    # be read, or the grader failed), each skipped and worth 0: with ``checks`` they make
    # ``tests``, the same list for every submission of a problem.
    unreached: tuple[Check, ...] = field(default=())
    outcomes: tuple[RunOutcome, ...] = field(default=())
    seed: int | None = None  # the seed of the random replies: grade --seed N replays them
    diagnosis: Diagnosis | None = None
    transcripts: tuple[RunTranscript, ...] = ()
    statement: Statement | None = None  # what the problem asks (HTML shows it folded)
    ladders: tuple[PacketLadder, ...] = ()  # each run's packets, when they were captured

    @property
    def diagnosed(self) -> Check | None:
        """The check whose mistake is told first, or None."""
        return self.checks[self.diagnosis.check] if self.diagnosis is not None else None

    def transcript(self, run: str) -> RunTranscript | None:
        """The transcript of ``run``, if the report carries one."""
        return next((t for t in self.transcripts if t.run == run), None)

    def ladder(self, run: str) -> PacketLadder | None:
        """The packet ladder of ``run``, if the report carries one."""
        return next((ladder for ladder in self.ladders if ladder.run == run), None)

    def __post_init__(self) -> None:
        _escape(self, multiline=("error",))
        object.__setattr__(self, "runs", tuple(printable(r) for r in self.runs))

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    @property
    def exit_code(self) -> int:
        """0 pass, 1 a check failed, 2 bad input, 3 the grader failed."""
        return {
            "pass": EXIT_PASS,
            "fail": EXIT_FAIL,
            "invalid": EXIT_BAD_INPUT,
            "error": EXIT_GRADER_FAULT,
        }[self.verdict]

    @property
    def failed_checks(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "failed")

    @property
    def passed_count(self) -> int:
        return sum(1 for c in self.checks if c.passed)

    @property
    def tests(self) -> tuple[Check, ...]:
        """The problem's runs × checks, in spec order, judged or not: the same list every time.

        The ``source`` check (the file is not Python) belongs to no run and is left out.
        """
        return tuple(c for c in self.checks if c.name != "source") + self.unreached

    @property
    def score(self) -> float:
        """Points earned: the sum over ``tests`` (exact: each is a whole number of quarters)."""
        return sum(c.score for c in self.tests)

    @property
    def max_score(self) -> float:
        """Points possible: the problem's points (see README, "Scoring")."""
        return sum(c.max_score for c in self.tests)

    @property
    def first_mistake(self) -> Check | None:
        """The mistake to tell first (the diagnosis's), else the first failed check, or None."""
        failed = self.failed_checks
        return self.diagnosed or (failed[0] if failed else None)

    def by_run(self) -> list[tuple[str, list[tuple[Check, str]]]]:
        """Checks grouped by run, each with the earlier run whose failure it repeats (or "").

        A failure that repeats one of an earlier run (same check, same hint) is named, not
        spelled out again: three inputs with the same wrong port make one message, not three.
        """
        groups: dict[str, list[tuple[Check, str]]] = {}
        shown: dict[tuple[str, str], str] = {}
        for check in self.checks + self.unreached:  # every test listed, judged or not
            seen_in = ""
            if check.status == "failed":
                seen_in = shown.setdefault((check.name, check.hint_key or check.hint), check.run)
                if seen_in == check.run:
                    seen_in = ""
            groups.setdefault(check.run, []).append((check, seen_in))
        return list(groups.items())

    def isolation_text(self) -> str:
        """How the runs were isolated, in words."""
        return {
            "namespace": "isolated in private namespaces",
            "namespace+cgroup": "isolated in private namespaces and a cgroup of its own",
            "routed": "routed in-process, without namespace isolation",
        }.get(self.isolation, self.isolation)

    def summary(self) -> str:
        """One line: ``3 of 5 checks passed``, counted over ``tests`` (the same for every file)."""
        if self.verdict in ("invalid", "error"):
            return f"could not grade: {self.error}"
        return f"{self.passed_count} of {len(self.tests)} checks passed"
