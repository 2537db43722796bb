"""A run's lifecycle as the grader sees it: one table of states, events and who observed them.

Strategy (after h11's ``_state.py``): everything that moves a run from one state to the next
lives here, as data. Events come from three observers, none of them the learner's process: the
zygote (``Z``: it forked the run's first process, or reaped it), the run's supervisor (``S``: the
script's process started, stopped in its exit, gone; see ``grader.sandbox.supervisor``) and the
grader itself (``G``: the view taken and the process released, the time limit, a kill). The
control channel, which the script can write to, has no event here: what it says explains a
verdict, it never moves the run. An event not allowed in the current state is a
``LifecycleError`` (a fault of the grader's side, never the learner's).

Rules kept beside the table, not in callers:
- the clock starts at RUNNING (the script's process exists and is traced), never at the request;
- a deadline reached in HELD or RELEASED is not a time-out: the script had already exited;
- only SCRIPT_GONE carries the script's status; a run that reaches ENDED without it was stopped
  by the grader (KILLING), by its memory cap, or lost its supervisor (a fault);
- ``A`` (the first process's pid) and ``B`` (PID 1's pid) are facts recorded whenever they come,
  since their senders race with the supervisor's first report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

State = Literal[
    "requested",  # the run's descriptors went to the zygote
    "running",  # the script's process exists, traced, its set-up under way; the clock runs
    "held",  # the kernel stopped the script's process in its exit
    "released",  # the grader looked at its sockets and let it go
    "script_gone",  # the script's process is reaped; its status is known
    "killing",  # the grader is ending the run (time limit, output flood, its own failure)
    "failed",  # the run could not be set up
    "ended",  # the run's first process is reaped: every process of the run is gone
]
Event = Literal["P", "H", "K", "W", "F", "X", "kill"]
Observer = Literal["Z", "S", "G"]

# Who may send each event.
OBSERVERS: dict[Event, Observer] = {
    "P": "S",  # the script's process started under the supervisor (its pidfd attached)
    "H": "S",  # held in its exit, with the status the kernel gives
    "W": "S",  # reaped, with its wait status
    "F": "S",  # a set-up step failed (also sent by the zygote and the first processes)
    "X": "Z",  # the run's first process reaped: the run is over
    "K": "G",  # the view is taken; the script's process is released
    "kill": "G",  # the run is ended by the grader
}

TRANSITIONS: dict[State, dict[Event, State]] = {
    "requested": {"P": "running", "F": "failed", "X": "ended", "kill": "killing"},
    "running": {"H": "held", "W": "script_gone", "F": "failed", "X": "ended", "kill": "killing"},
    "held": {"K": "released", "X": "ended", "kill": "killing"},
    "released": {"W": "script_gone", "X": "ended", "kill": "killing"},
    "script_gone": {"X": "ended", "kill": "script_gone"},
    # Reports still in flight when the grader began to end the run change nothing.
    "killing": {
        "P": "killing",
        "H": "killing",
        "W": "killing",
        "F": "killing",
        "X": "ended",
        "kill": "killing",
    },  # fmt: skip
    "failed": {"F": "failed", "X": "ended", "kill": "failed", "P": "failed"},
    "ended": {"kill": "ended"},
}

# The states in which the script's time limit runs.
TIMED: frozenset[State] = frozenset({"running"})


class LifecycleError(Exception):
    """An event the table does not allow in the current state."""


@dataclass
class Lifecycle:
    """The state of one run; ``on`` moves it, or raises ``LifecycleError``."""

    state: State = "requested"

    def on(self, event: Event) -> State:
        """Apply ``event``; return the new state."""
        try:
            self.state = TRANSITIONS[self.state][event]
        except KeyError:
            raise LifecycleError(
                f"{event!r} (from {OBSERVERS[event]}) is not expected while the run is {self.state}"
            ) from None
        return self.state

    @property
    def over(self) -> bool:
        """Every process of the run is gone."""
        return self.state == "ended"
