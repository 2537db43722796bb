"""The run's lifecycle table, pair by pair, as h11 tests its state machine: no I/O."""

from __future__ import annotations

from typing import get_args

import pytest

from grader.observe.lifecycle import (
    OBSERVERS,
    TIMED,
    TRANSITIONS,
    Event,
    Lifecycle,
    LifecycleError,
    State,
)

STATES: tuple[State, ...] = get_args(State)
EVENTS: tuple[Event, ...] = get_args(Event)


def test_the_table_names_every_state_and_only_known_events() -> None:
    assert set(TRANSITIONS) == set(STATES)
    for moves in TRANSITIONS.values():
        assert set(moves) <= set(EVENTS)
        assert set(moves.values()) <= set(STATES)
    assert set(OBSERVERS) == set(EVENTS)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("event", EVENTS)
def test_every_pair_moves_as_the_table_says_or_is_refused(state: State, event: Event) -> None:
    life = Lifecycle(state)
    if event in TRANSITIONS[state]:
        assert life.on(event) == TRANSITIONS[state][event]
    else:
        with pytest.raises(LifecycleError) as refused:
            life.on(event)
        assert str(refused.value) == (
            f"{event!r} (from {OBSERVERS[event]}) is not expected while the run is {state}"
        )
        assert life.state == state


def test_the_ways_a_run_goes() -> None:
    ways: list[tuple[Event, ...]] = [
        ("P", "H", "K", "W", "X"),  # ends by itself, held in its exit by the kernel
        ("P", "kill", "W", "X"),  # the time limit
        ("P", "H", "kill", "X"),  # killed while held: its supervisor is gone with it
        ("P", "X"),  # the whole run died (its memory cap): no report from the supervisor
        ("F", "X"),  # not set up
        ("kill", "P", "X"),  # the grader failed before the script started
    ]
    for way in ways:
        life = Lifecycle()
        for event in way:
            life.on(event)
        assert life.over, way


def test_only_a_running_script_is_timed() -> None:
    # Held or released in its exit, the script had already ended: a deadline then is no time-out.
    assert TIMED == {"running"}


def test_the_script_says_nothing_here() -> None:
    """No event comes from the learner's process: the control channel moves nothing."""
    assert set(OBSERVERS.values()) == {"Z", "S", "G"}
