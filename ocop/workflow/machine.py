"""The one ``transitions`` machine of the process, built from the lifecycle table: it decides.

For each firing the machine refuses a trigger from a state the table does not list (nothing
else checks the source state), then runs, in its ``prepare_event`` callback, the permission
check and the step (the guards, which raise to refuse), and its transitions' conditions choose
the destination the step's outcome names among those the table offers.

It is built once (:func:`shared_engine`) and never bound to a dossier: each firing hands it a
small :class:`Subject` (``machine.events[trigger].trigger(subject)``), which costs
microseconds, where a machine per dossier or ``add_model`` per operation would cost hundreds
(see bench/).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from transitions import EventData, Machine, MachineError

from ocop.errors import TransitionNotAllowed
from ocop.models import Dossier
from ocop.states import TRANSITIONS, State, Trigger
from ocop.workflow.steps import Context, Outcome

__all__ = ["Engine", "shared_engine"]

Step = Callable[[Dossier, Mapping[str, Any], Context], Outcome]


class Subject:
    """What the machine moves: a state, who may move it, and the step that decides where."""

    __slots__ = ("outcome", "permit", "state", "step")

    def __init__(
        self, state: State, permit: Callable[[], None], step: Callable[[], Outcome]
    ) -> None:
        self.state: str = state.value
        self.permit = permit
        self.step = step
        self.outcome: Outcome | None = None


def _prepare(event: EventData) -> None:
    # Runs once per event, after the machine has accepted the source state: who may, then the
    # step's guards (each raises to refuse, and the machine moves nowhere).
    subject: Subject = event.model  # type: ignore[assignment]
    subject.permit()
    subject.outcome = subject.step()


def _goes_to(dest: State) -> Callable[[EventData], bool]:
    def condition(event: EventData) -> bool:
        subject: Subject = event.model  # type: ignore[assignment]
        return subject.outcome is not None and subject.outcome.dest is dest

    return condition


class Engine:
    """Fires triggers on loaded dossiers with one shared machine."""

    def __init__(self) -> None:
        self.machine = Machine(
            model=None,
            states=[state.value for state in State],
            initial=State.REGISTERED.value,
            auto_transitions=False,
            send_event=True,
            prepare_event=_prepare,
        )
        for transition in TRANSITIONS.values():
            several = len(transition.dests) > 1
            for source in sorted(transition.sources):
                for dest in transition.dests:
                    self.machine.add_transition(
                        transition.trigger.value,
                        source.value,
                        dest.value,
                        conditions=[_goes_to(dest)] if several else None,
                    )

    def fire(
        self,
        dossier: Dossier,
        trigger: Trigger,
        data: Mapping[str, Any],
        ctx: Context,
        step: Step,
        permit: Callable[[], None] = lambda: None,
    ) -> tuple[State, Outcome]:
        """Fire ``trigger`` on ``dossier``: the machine checks the state, ``permit`` (which
        raises :class:`~ocop.errors.PermissionDenied`) and the step run, and it moves.

        Raises :class:`~ocop.errors.TransitionNotAllowed` from a state the table does not
        list. Returns the new state and the step's outcome; the dossier itself is not changed.
        """
        subject = Subject(dossier.state, permit, partial(step, dossier, data, ctx))
        try:
            moved = self.machine.events[trigger.value].trigger(subject)
        except MachineError:
            raise TransitionNotAllowed(trigger.value, dossier.state.value) from None
        if not moved or subject.outcome is None:
            # A step named a destination its row of the table does not offer: a bug, not a
            # refusal an officer could act on.
            raise RuntimeError(f"'{trigger}' found no destination for dossier {dossier.id}")
        return State(subject.state), subject.outcome


@functools.cache
def shared_engine() -> Engine:
    """The process's one engine, built on first use (building it costs milliseconds)."""
    return Engine()
