"""Grade one job: a job dict in, a result dict out. No queue engine in sight.

Strategy: this is the whole of grading a queued submission, so that any engine can wrap it
(Dramatiq here; a Celery task could call ``grade_job`` just the same). The learner's bytes go to
a private temporary folder, the shared ``Grader`` grades them, and the Report travels back as
JSON data. What the learner did (time-outs, crashes, a file that is not Python) is a verdict;
a job that cannot be graded as sent is a result with verdict ``invalid``; only a fault of the
machine (the worker interpreter died, a run could not be set up, no disk) raises
``GraderFault``, which the engine retries.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import socket
import tempfile
import threading
from pathlib import Path
from typing import Any

from grader.api import Grader, check_pcap_dir
from grader.errors import BadInput, GraderFault
from grader.queue.codec import report_to_data
from grader.queue.job import Job, job_id_of, parse_job
from grader.report import Report, Verdict
from grader.show import printable

RESULT_VERSION = 1
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}\.py")


class Graders:
    """One process's ``Grader`` and its variants for a job's own time limit or points.

    The variants share the one worker interpreter (zygote) and live as long as this object,
    because a ``Grader`` stops its zygote when it is collected.
    """

    def __init__(self, grader: Grader, scratch: str | None = None) -> None:
        self.base = grader
        self.scratch = scratch  # where submissions are written (None: the system's temp folder)
        self._variants: dict[tuple[float | None, int | None, str | None], Grader] = {}
        self._lock = threading.Lock()

    def for_job(self, job: Job) -> Grader:
        """The grader for ``job``'s settings (the base one when it sets none)."""
        wanted: dict[str, Any] = {}
        if job.time_limit_s is not None:
            wanted["time_limit_s"] = job.time_limit_s
        if job.points is not None:
            wanted["points"] = job.points
        if job.pcap_dir is not None:
            wanted["pcap_dir"] = check_pcap_dir(job.pcap_dir)  # BadInput: the job is invalid
        if not wanted:
            return self.base
        key = (wanted.get("time_limit_s"), wanted.get("points"), job.pcap_dir)
        with self._lock:
            if key not in self._variants:
                self._variants[key] = dataclasses.replace(self.base, **wanted)
            return self._variants[key]

    def close(self) -> None:
        """Stop the worker interpreter."""
        self.base.close()


def worker_name() -> str:
    """``host:pid``: which worker process graded a job (in the result, for operators)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def make_result(job_id: str, report: Report) -> dict[str, Any]:
    """The result of a job as stored: versioned JSON data around the Report's data."""
    return {
        "v": RESULT_VERSION,
        "job_id": job_id,
        "verdict": report.verdict,
        "summary": report.summary(),
        "worker": worker_name(),
        "report": report_to_data(report),
    }


def not_graded(graders: Graders, name: str, problem: int, verdict: Verdict, reason: str) -> Report:
    """The Report of a submission that was not graded, listing the problem's checks if known."""
    try:
        return graders.base.ungraded(name, problem, verdict, reason)
    except BadInput:  # an unknown problem: it has no checks to list
        return Report(name, problem, "", (), verdict, error=printable(reason))


def failed_result(
    graders: Graders, raw: object, verdict: Verdict, reason: str
) -> dict[str, Any] | None:
    """A result saying the job was not graded (``invalid`` or ``error``), or None without an id."""
    job_id = job_id_of(raw)
    if job_id is None:
        return None
    fields = raw if isinstance(raw, dict) else {}
    name = fields.get("filename")
    problem = fields.get("problem")
    if not isinstance(problem, int) or isinstance(problem, bool):
        problem = 0
    report = not_graded(
        graders, name if isinstance(name, str) else job_id, problem, verdict, reason
    )
    return make_result(job_id, report)


def _renamed(data: Any, old: str, new: str) -> Any:
    """``data`` with the temporary path of the learner's file shown as the file's own name."""
    if isinstance(data, str):
        return data.replace(old, new)
    if isinstance(data, list):
        return [_renamed(v, old, new) for v in data]
    if isinstance(data, dict):
        return {k: _renamed(v, old, new) for k, v in data.items()}
    return data


def grade_job(graders: Graders, raw: object) -> dict[str, Any]:
    """Grade the decoded job ``raw`` and return its result.

    Raises ``BadInput`` when the job has no usable id (there is nowhere to file a result) and
    ``GraderFault`` for a fault of the machine, which is worth another try.
    """
    try:
        job = parse_job(raw)
    except BadInput as exc:
        result = failed_result(graders, raw, "invalid", str(exc))
        if result is None:
            raise
        return result
    name = job.filename if _SAFE_NAME.fullmatch(Path(job.filename).name) else "submission.py"
    try:
        folder = tempfile.mkdtemp(prefix="grader-job-", dir=graders.scratch)
    except OSError as exc:
        raise GraderFault(f"cannot make a folder for the submission ({exc})") from None
    try:
        path = Path(folder) / Path(name).name
        try:
            path.write_bytes(job.source)
        except OSError as exc:
            raise GraderFault(f"cannot write the submission to disk ({exc})") from None
        try:
            report = graders.for_job(job).grade(path, job.problem, job.seed)
        except BadInput as exc:
            report = not_graded(graders, job.filename, job.problem, "invalid", str(exc))
        if report.verdict == "error":  # the grader's own failure, never the learner's
            raise GraderFault(report.error or "the grading failed")
        report = dataclasses.replace(report, submission=job.filename)
        result = make_result(job.job_id, report)
        result["report"] = _renamed(result["report"], str(path), job.filename)
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)
