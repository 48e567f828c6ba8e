"""Random triggers by random actors; after every step the registry's invariants hold."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from factories import (
    ADMIN,
    CENTRAL_OFFICER,
    CRITERIA,
    OFFICER,
    OTHER_OFFICER,
    PRODUCER,
    PROVINCE_OFFICER,
    Clock,
    registration,
)
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import ocop
from ocop import OcopError, State, Trigger
from ocop.states import TRANSITIONS

CAST = [OFFICER, OTHER_OFFICER, PRODUCER, PROVINCE_OFFICER, CENTRAL_OFFICER, ADMIN]
SCORE = st.one_of(
    st.integers(20, 40),
    st.integers(20, 40),
    st.floats(-5, 60),
    st.just(float("nan")),
    st.just("abc"),
)

BACKWARD = {Trigger.WITHDRAW, Trigger.RETURN_DOSSIER, Trigger.REVOKE}
DATA: dict[Trigger, st.SearchStrategy[dict[str, Any]]] = {
    Trigger.RETURN_DOSSIER: st.fixed_dictionaries(
        {"reason": st.sampled_from(["Thiếu Mẫu 02", ""])}
    ),
    Trigger.RESUBMIT: st.just({}),
    Trigger.CHECK: st.fixed_dictionaries(
        {
            "documents": st.sampled_from([["mau_01", "mau_02"]] * 3 + [["mau_01"]]),
            "samples": st.sampled_from([5, 5, 5, 2]),
        }
    ),
    Trigger.EVALUATE: st.sampled_from(
        [{"criteria": CRITERIA}, {"criteria": {"local_labour": "x"}}]
    ),
    Trigger.SUBMIT: st.sampled_from(
        [{"letter_number": "1/UBND", "letter_date": "2026-02-20"}] * 3
        + [{"letter_date": "31/02/2026"}]
    ),
    Trigger.RATE: st.fixed_dictionaries(
        {
            "a": SCORE,
            "b": st.sampled_from([18, 22, 5]),
            "c": st.sampled_from([20, 30, 5]),
            "certificate_number": st.just("G-1"),
        }
    ),
    Trigger.RATE_CENTRAL: st.fixed_dictionaries(
        {
            "a": st.integers(20, 40),
            "b": st.integers(10, 25),
            "c": st.integers(15, 35),
            "certificate_number": st.just("C-1"),
        }
    ),
    Trigger.FLAG_RECERTIFICATION: st.just({}),
    Trigger.REAPPLY: st.sampled_from([{}, {"kind": "upgrade"}, {"kind": "lần đầu"}]),
    Trigger.EXPIRE: st.just({}),
    Trigger.REVOKE: st.sampled_from([{"ground": "production_stopped"}, {"ground": "ghost"}, {}]),
    Trigger.WITHDRAW: st.just({}),
}


# The next valid step from each state, with someone who may take it.
FORWARD: dict[State, tuple[Trigger, ocop.Actor, dict[str, Any]]] = {
    State.REGISTERED: (Trigger.CHECK, OFFICER, {"documents": ["mau_01", "mau_02"], "samples": 5}),
    State.RETURNED: (Trigger.RESUBMIT, OFFICER, {}),
    State.CHECKED: (Trigger.EVALUATE, OFFICER, {"criteria": CRITERIA}),
    State.COMMUNE_EVALUATED: (
        Trigger.SUBMIT,
        OFFICER,
        {"letter_number": "2/UBND", "letter_date": "2026-02-20"},
    ),
    State.SUBMITTED: (
        Trigger.RATE,
        PROVINCE_OFFICER,
        {"a": 30, "b": 15, "c": 20, "certificate_number": "G-2"},
    ),
    State.CENTRAL_REVIEW: (
        Trigger.RATE_CENTRAL,
        CENTRAL_OFFICER,
        {"a": 38, "b": 24, "c": 33, "certificate_number": "C-2"},
    ),
    State.RATED: (Trigger.REAPPLY, OFFICER, {}),
    State.RECERTIFICATION_DUE: (Trigger.REAPPLY, OFFICER, {}),
    State.NOT_RECOGNIZED: (Trigger.REAPPLY, OFFICER, {}),
    State.EXPIRED: (Trigger.REAPPLY, OFFICER, {}),
}


class RegistryMachine(RuleBasedStateMachine):
    """Drives one registry on a fresh SQLite file with random steps."""

    @initialize()
    def open_registry(self) -> None:
        self.folder = tempfile.TemporaryDirectory()
        self.clock = Clock()
        self.reg = ocop.open(f"sqlite:///{Path(self.folder.name) / 'p.db'}", clock=self.clock)
        self.ids: list[int] = []

    def teardown(self) -> None:
        if hasattr(self, "reg"):
            self.reg.close()
            self.folder.cleanup()

    @rule(by_producer=st.booleans())
    def register(self, by_producer: bool) -> None:
        self.ids.append(
            self.reg.register(registration(), actor=PRODUCER if by_producer else OFFICER).id
        )

    @rule(days=st.integers(1, 800))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days=days)

    @precondition(lambda self: bool(self.ids))
    @rule()
    def sweep(self) -> None:
        for fired in self.reg.advance():
            assert fired.after.state in (State.RECERTIFICATION_DUE, State.EXPIRED)

    @precondition(lambda self: bool(self.ids))
    @rule(data=st.data(), aimed=st.integers(0, 9))
    def fire(self, data: st.DataObject, aimed: int) -> None:
        dossier_id = data.draw(st.sampled_from(self.ids))
        before = (self.reg.get(dossier_id), self.reg.history(dossier_id))
        # Mostly aim at a trigger the state allows, fired by someone of a role that may: a
        # purely random walk is refused at the first step and never reaches a certificate.
        fitting = [t for t in DATA if before[0].state in TRANSITIONS[t].sources]
        forward = [t for t in fitting if t not in BACKWARD]
        if forward and aimed > 3:
            fitting = forward
        trigger = data.draw(st.sampled_from(fitting if fitting and aimed else list(DATA)))
        roles = TRANSITIONS[trigger].roles
        fit_actors = [a for a in CAST if a.role in roles and a is not OTHER_OFFICER]
        actor = data.draw(st.sampled_from(fit_actors if fit_actors and aimed > 1 else CAST))
        if trigger in (Trigger.FLAG_RECERTIFICATION, Trigger.EXPIRE):
            actor = ocop.Actor.system()
        payload = data.draw(DATA[trigger])
        try:
            after = self.reg.fire(dossier_id, trigger.value, actor=actor, **payload)
        except OcopError:
            assert (self.reg.get(dossier_id), self.reg.history(dossier_id)) == before
        else:
            event(f"reached {after.state.value}")
            assert after == self.reg.get(dossier_id)
            assert after.version == before[0].version + 1

    @precondition(lambda self: bool(self.ids))
    @rule(data=st.data(), steps=st.integers(1, 5))
    def walk_forward(self, data: st.DataObject, steps: int) -> None:
        """Take a dossier several valid steps along its path, so deep states are reached."""
        dossier_id = data.draw(st.sampled_from(self.ids))
        for _ in range(steps):
            state = self.reg.get(dossier_id).state
            if state not in FORWARD:
                return
            trigger, actor, payload = FORWARD[state]
            after = self.reg.fire(dossier_id, trigger.value, actor=actor, **payload)
            event(f"walked to {after.state.value}")

    @invariant()
    def history_replays_to_the_current_state(self) -> None:
        for dossier_id in getattr(self, "ids", []):
            dossier, history = self.reg.get(dossier_id), self.reg.history(dossier_id)
            state = None
            for entry in history:
                assert entry.from_state == state
                state = entry.to_state
            assert state is dossier.state
            assert dossier.version == len(history) == history[-1].version

    @invariant()
    def a_certificate_exists_exactly_when_the_state_says_so(self) -> None:
        for dossier_id in getattr(self, "ids", []):
            d = self.reg.get(dossier_id)
            cert = d.certificate
            if d.state in (State.RATED, State.RECERTIFICATION_DUE):
                assert cert is not None and cert.revoked_on is None
            if d.state is State.REVOKED:
                assert cert is not None and cert.revoked_on is not None
            if cert is None:
                assert d.state not in (State.RATED, State.RECERTIFICATION_DUE, State.EXPIRED)
            ever_rated = any(h.to_state is State.RATED for h in self.reg.history(dossier_id))
            assert (cert is not None) == ever_rated


RegistryMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_registry_invariants = RegistryMachine.TestCase
