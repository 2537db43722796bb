"""The job a producer puts on the queue: plain JSON, versioned, the submission's bytes inside.

Strategy: a job is a JSON object ``{v, job_id, problem, filename, source, seed?, time_limit_s?,
points?, pcap_dir?}`` (``pcap_dir``: a folder on the worker's machine for each run's packets) with ``source`` the file's bytes in base64, so a worker needs nothing but the message
(no shared disk). ``parse_job`` validates every field once, at the worker, and names the field
that is wrong; ``make_job`` builds one on the producer's side. A job without an id gets one
derived from what decides its grading (problem, bytes and the optional settings), so the same
submission sent twice is one job.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from grader.errors import BadInput
from grader.judge.scoring import parse_points

VERSION = 1
MAX_SOURCE_BYTES = 256 * 1024  # a practice solution is a few hundred bytes; this is generous
MAX_JOB_ID = 200  # characters: the id is part of a Redis key and of every log line


class BadJob(BadInput):
    """A job that cannot be graded as sent; the message names the field and the fix."""


@dataclass(frozen=True)
class Job:
    """One submission to grade, validated."""

    job_id: str
    problem: int
    filename: str
    source: bytes
    seed: int | None = None
    time_limit_s: float | None = None
    points: float | None = None
    pcap_dir: str | None = None  # the worker writes each run's packets there (an absolute path)


def derive_job_id(
    problem: int,
    source: bytes,
    seed: int | None = None,
    time_limit_s: float | None = None,
    points: float | None = None,
    pcap_dir: str | None = None,
) -> str:
    """An id fixed by what decides the grading: the same job sent twice gets the same id."""
    digest = hashlib.sha256(source)
    settings: list[object] = [problem, seed, time_limit_s, points]
    settings += [pcap_dir] if pcap_dir is not None else []  # ids of jobs without one unchanged
    digest.update(json.dumps(settings).encode())
    return f"p{problem}-{digest.hexdigest()[:32]}"


def make_job(
    source: bytes,
    problem: int,
    filename: str = "submission.py",
    job_id: str | None = None,
    *,
    seed: int | None = None,
    time_limit_s: float | None = None,
    points: float | None = None,
    pcap_dir: str | None = None,
) -> dict[str, Any]:
    """The JSON object for one submission; raises ``BadJob`` for bytes over the cap."""
    if points is not None and float(points).is_integer():
        points = int(points)  # 10, not 10.0: the same job, and the same derived id, as ever
    if len(source) > MAX_SOURCE_BYTES:
        raise BadJob(
            f"{filename}: {len(source)} bytes, over the queue's limit of "
            f"{MAX_SOURCE_BYTES // 1024} KiB per submission; send the learner's script only"
        )
    job: dict[str, Any] = {
        "v": VERSION,
        "job_id": job_id or derive_job_id(problem, source, seed, time_limit_s, points, pcap_dir),
        "problem": problem,
        "filename": filename,
        "source": base64.b64encode(source).decode("ascii"),
    }
    optional = {
        "seed": seed,
        "time_limit_s": time_limit_s,
        "points": points,
        "pcap_dir": pcap_dir,
    }
    job.update({key: value for key, value in optional.items() if value is not None})
    parse_job(job)  # what a worker would refuse is refused here, before it travels
    return job


def job_id_of(raw: object) -> str | None:
    """The job's id if it has a usable one (to file a result under), else None."""
    if isinstance(raw, dict):
        job_id = raw.get("job_id")
        if isinstance(job_id, str) and 0 < len(job_id) <= MAX_JOB_ID and job_id.isprintable():
            return job_id
    return None


def _whole(raw: dict[str, Any], key: str, low: int, high: int) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BadJob(f"job field {key!r} = {value!r}: give a whole number from {low} to {high}")
    return value


def _points(raw: dict[str, Any]) -> float | None:
    """The job's points: a positive number of quarter points (as ``grade --points`` takes)."""
    value = raw.get("points")
    if value is None:
        return None
    try:
        points = parse_points(value, "job field 'points' =")
    except BadInput as exc:
        raise BadJob(str(exc)) from None
    return int(points) if points.is_integer() else points


def parse_job(raw: object) -> Job:
    """Validate a decoded job; ``BadJob`` names the first field that is wrong."""
    if not isinstance(raw, dict):
        raise BadJob(f"a job must be a JSON object, not {type(raw).__name__}")
    if raw.get("v") != VERSION:
        raise BadJob(
            f"job version {raw.get('v')!r} is not supported; this worker reads v={VERSION}"
        )
    job_id = job_id_of(raw)
    if job_id is None:
        raise BadJob(
            f"job field 'job_id' = {raw.get('job_id')!r}: give printable text of 1 to "
            f"{MAX_JOB_ID} characters"
        )
    problem = _whole(raw, "problem", 1, 1000)
    if problem is None:
        raise BadJob("job field 'problem' is missing: give the problem number")
    filename = raw.get("filename")
    if not isinstance(filename, str) or not filename or not filename.isprintable():
        raise BadJob(f"job field 'filename' = {filename!r}: give the submission's file name")
    encoded = raw.get("source")
    if not isinstance(encoded, str):
        raise BadJob("job field 'source' is missing: give the file's bytes in base64")
    if len(encoded) > (MAX_SOURCE_BYTES + 2) // 3 * 4:
        raise BadJob(
            f"job field 'source': over the queue's limit of {MAX_SOURCE_BYTES // 1024} KiB "
            "per submission; send the learner's script only"
        )
    try:
        source = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise BadJob("job field 'source' is not valid base64; encode the file's bytes") from None
    limit = raw.get("time_limit_s")
    if limit is not None and (
        not isinstance(limit, (int, float)) or isinstance(limit, bool) or not 0 < limit <= 600
    ):
        raise BadJob(f"job field 'time_limit_s' = {limit!r}: give seconds from 0 to 600")
    pcap_dir = raw.get("pcap_dir")
    if pcap_dir is not None and (
        not isinstance(pcap_dir, str) or not pcap_dir.startswith("/") or not pcap_dir.isprintable()
    ):
        raise BadJob(
            f"job field 'pcap_dir' = {pcap_dir!r}: give the absolute path of a folder on the "
            "worker's machine"
        )
    return Job(
        job_id,
        problem,
        filename,
        source,
        seed=_whole(raw, "seed", 0, 2**63 - 1),
        time_limit_s=None if limit is None else float(limit),
        points=_points(raw),
        pcap_dir=pcap_dir,
    )
