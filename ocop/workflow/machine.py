"""The one ``transitions`` machine of the process, built from the lifecycle table.

It is built once and never bound to a dossier: each firing hands it a small :class:`Subject`
(``machine.events[trigger].trigger(subject)``), which costs microseconds, where a machine per
dossier or ``add_model`` per operation would cost hundreds (see bench/).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from transitions import EventData, Machine, MachineError

from ocop.errors import OcopError, TransitionNotAllowed
from ocop.models import Dossier
from ocop.states import TRANSITIONS, State, Trigger
from ocop.workflow.steps import Context, Outcome

__all__ = ["Engine"]

Step = Callable[[Dossier, Mapping[str, Any], Context], Outcome]


class Subject:
    """What the machine moves: a state, and the step that decides the destination."""

    __slots__ = ("outcome", "state", "step")

    def __init__(self, state: State, step: Callable[[], Outcome]) -> None:
        self.state: str = state.value
        self.step = step
        self.outcome: Outcome | None = None


def _prepare(event: EventData) -> None:
    # Runs once per event, after the machine has checked the source state: the guard.
    subject: Subject = event.model  # type: ignore[assignment]
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
    ) -> tuple[State, Outcome]:
        """Check ``trigger`` against ``dossier``'s state, run its step, and move.

        Returns the new state and the step's outcome; the dossier itself is not changed.
        """
        subject = Subject(dossier.state, partial(step, dossier, data, ctx))
        try:
            moved = self.machine.events[trigger.value].trigger(subject)
        except MachineError:
            raise TransitionNotAllowed(trigger.value, dossier.state.value) from None
        if not moved or subject.outcome is None:
            raise OcopError(f"'{trigger}' found no destination for dossier {dossier.id}.")
        return State(subject.state), subject.outcome
