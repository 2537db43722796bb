"""A problem's reference server, played through every run as a correct client would, before a
learner's script ever meets it.

Strategy: no socket and no learner: each run's messages (the spec's, or those the server's own
replies decide) are fed to a ``ServerSession`` over the server, with a few seeds since replies
vary with them. What a correct client could not get through is the pack's fault, told in words:
the server raises, hangs, breaks its reply rules, or closes its side before the conversation is
over. ``grade check-pack`` reports these; a grading refuses the problem with them (a grader
fault naming the pack), so that a learner is never failed by a broken server.
"""

from __future__ import annotations

from grader.problem.protocol import ServerSession
from grader.problem.reference import PackFault
from grader.problem.spec import ProblemSpec

SEEDS = (0, 1, 2)  # each conversation is played with a few seeds: replies vary with them
MAX_REPLIES = 1000  # a conversation longer than this never ends


def rehearse(spec: ProblemSpec) -> list[tuple[str, int, str]]:
    """(run name, seed, fault) for each run whose conversation a correct client could not
    finish (the first failing seed of each)."""
    faults: list[tuple[str, int, str]] = []
    for index, run in enumerate(spec.runs):
        if not run.server_up:
            continue
        for seed in SEEDS:
            fault = _play_run(spec, index, seed)
            if fault:
                faults.append((run.name, seed, fault))
                break
    return faults


def _play_run(spec: ProblemSpec, index: int, seed: int) -> str:
    run = spec.runs[index]
    try:
        server = spec.make_server(seed)
    except PackFault as exc:
        return str(exc).removeprefix(f"{spec.origin}: ")
    try:
        session = ServerSession(
            run.expected_bytes, server.answer if server.replies else None, server
        )
        replies = tuple(session.opening())
        sent = 0
        while run.replies:
            wants = run.wanted(replies)
            if sent >= len(wants):
                break
            if session.closed:
                return (
                    f"the server closed its side after {len(replies)} replies, before message "
                    f"{sent + 1} of {len(wants)}; a correct client could not finish"
                )
            replies += tuple(session.feed(wants[sent]))
            sent += 1
            if len(replies) > MAX_REPLIES:
                return f"the conversation did not end within {MAX_REPLIES} replies"
        run.printed(replies)
    except PackFault as exc:  # "<origin>: <what>": the spec's path names the problem here
        return str(exc).removeprefix(f"{server.origin}: ")
    except Exception as exc:  # the pack's expected() or printed(): the teacher's code
        return f"{type(exc).__name__}: {exc}"
    return ""
