"""The lifecycle table as a graph, and the rule sets as data."""

from __future__ import annotations

from collections import deque
from datetime import date

import pytest

from ocop import InvalidInput
from ocop.states import (
    INITIAL,
    PRODUCT_SETS,
    QD26_2026,
    QD148_1489,
    TERMINAL,
    TRANSITIONS,
    Role,
    State,
    Trigger,
    mermaid,
    periods,
    rule_set,
    rule_set_for,
)
from ocop.workflow.machine import Engine
from ocop.workflow.steps import round_for


def _edges() -> dict[State, set[State]]:
    graph: dict[State, set[State]] = {s: set() for s in State}
    for t in TRANSITIONS.values():
        for source in t.sources:
            graph[source].update(t.dests)
    return graph


def test_exactly_one_trigger_creates_a_dossier_and_it_lands_in_the_initial_state() -> None:
    creators = [t for t in TRANSITIONS.values() if not t.sources]
    assert [t.trigger for t in creators] == [Trigger.REGISTER]
    assert creators[0].dests == (INITIAL,)


def test_every_state_is_reachable_from_the_initial_state() -> None:
    graph, seen, queue = _edges(), {INITIAL}, deque([INITIAL])
    while queue:
        for nxt in graph[queue.popleft()] - seen:
            seen.add(nxt)
            queue.append(nxt)
    assert seen == set(State)


def test_every_non_terminal_state_has_a_way_out_and_terminal_states_have_none() -> None:
    graph = _edges()
    for state in State:
        if state in TERMINAL:
            assert graph[state] == set(), state
        else:
            assert graph[state] - {state}, f"{state} is a dead end"


def test_every_trigger_names_roles_and_system_triggers_are_only_the_sweeps() -> None:
    system = {t.trigger for t in TRANSITIONS.values() if t.by_system}
    assert system == {Trigger.FLAG_RECERTIFICATION, Trigger.EXPIRE}
    assert all(t.roles for t in TRANSITIONS.values())
    assert set(TRANSITIONS) == set(Trigger)


def test_the_machine_knows_exactly_the_tables_transitions() -> None:
    machine = Engine().machine
    table = {
        (t.trigger.value, s.value, d.value)
        for t in TRANSITIONS.values()
        for s in t.sources
        for d in t.dests
    }
    built = {
        (name, source, tr.dest)
        for name, event in machine.events.items()
        for source, transitions in event.transitions.items()
        for tr in transitions
    }
    assert built == table


def test_labels_exist_in_both_languages() -> None:
    for enum in (State, Trigger, Role):
        for member in enum:
            assert member.label("vi") and member.label("en")
    assert State.RATED.label() == "Đã công nhận"
    assert State.RATED.label("en") == "Rated and certified"


def test_mermaid_has_every_edge() -> None:
    text = mermaid()
    assert text.startswith("stateDiagram-v2\n")
    assert "[*] --> registered: register" in text
    assert "submitted --> central_review: rate" in text
    assert "revoked --> [*]" in text
    edges = sum(len(t.sources) * len(t.dests) for t in TRANSITIONS.values())
    assert text.count(" --> ") == edges + 1 + len(TERMINAL)


@pytest.mark.parametrize(
    ("score", "stars"),
    [
        (0, 1),
        (29.99, 1),
        (30, 2),
        (49.99, 2),
        (50, 3),
        (69.99, 3),
        (70, 4),
        (89.99, 4),
        (90, 5),
        (100, 5),
    ],
)
def test_star_bands_are_half_open(score: float, stars: int) -> None:
    assert QD26_2026.stars_for(score) == stars
    assert QD148_1489.stars_for(score) == stars


def test_a_score_outside_the_scale_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        QD26_2026.stars_for(100.5)


def test_rule_sets_carry_the_law() -> None:
    for rules in (QD148_1489, QD26_2026):
        assert dict(rules.part_maxima) == {"a": 40, "b": 25, "c": 35}
        assert rules.recognised_stars == {3, 4, 5}
        assert rules.raters[3] is rules.raters[4] is Role.PROVINCE_OFFICER
        assert rules.raters[5] is Role.CENTRAL_OFFICER
        assert rules.certificate_months == 36
        assert rules.revocation_grounds
    commune = QD26_2026.deadline("commune")
    assert commune is not None and (commune.amount, commune.unit) == (15, "working_days")
    assert QD148_1489.deadline("commune") is None  # NOT FOUND in the sources: no invented limit
    assert (QD26_2026.recertification_opens_days, QD26_2026.filing_closes_days) == (180, 120)
    assert QD26_2026.grace_after_expiry_days == 180
    assert len(PRODUCT_SETS) == 26 and PRODUCT_SETS[26].sector.startswith("VI.")


def test_the_rule_set_is_picked_by_date_with_the_newer_winning_the_overlap() -> None:
    assert rule_set_for(date(2025, 12, 1)).id == "qd148-2023+qd1489-2025"
    assert rule_set_for(date(2026, 5, 22)).id == "qd26-2026"
    assert rule_set_for(date(2027, 1, 1)).id == "qd26-2026"
    with pytest.raises(InvalidInput, match="No OCOP rule set"):
        rule_set_for(date(2020, 1, 1))
    with pytest.raises(InvalidInput, match="Known rule sets"):
        rule_set("qd999")


def test_a_deployment_may_set_what_the_law_left_open() -> None:
    local = QD148_1489.replace(recertification_opens_days=90)
    assert local.recertification_opens_days == 90 and QD148_1489.recertification_opens_days == 30
    with pytest.raises(InvalidInput):
        QD148_1489.replace(no_such_setting=1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 30), (1, 2026)),
        (date(2026, 5, 1), (2, 2026)),
        (date(2026, 8, 20), (2, 2026)),
        (date(2026, 10, 31), (1, 2027)),
    ],
)
def test_province_rounds_by_the_date_the_commune_proposes(
    day: date, expected: tuple[int, int]
) -> None:
    assert round_for(QD26_2026, day) == expected
    assert round_for(QD148_1489, day) is None


def test_each_day_is_governed_by_one_rule_set() -> None:
    assert [(start, end, rules.id) for start, end, rules in periods()] == [
        (date(2025, 7, 6), date(2026, 5, 21), "qd148-2023+qd1489-2025"),
        (date(2026, 5, 22), None, "qd26-2026"),
    ]
