"""The vocabulary's one home: every message kind, outbox status and due kind has what it needs,
and the state groups agree with the lifecycle table they summarise."""

from __future__ import annotations

import pytest

from ocop.notifications.render import TEMPLATES
from ocop.states import (
    AT_COMMUNE,
    CERTIFIED,
    COMMUNE_CLOCK,
    IN_CYCLE,
    NOT_EVALUATED,
    TERMINAL,
    TRANSITIONS,
    DueKind,
    MessageKind,
    OutboxStatus,
    State,
    Trigger,
)
from ocop.states.vocabulary import label
from ocop.storage.outbox import STATUSES

VOCABULARIES = (MessageKind, OutboxStatus, DueKind)


@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_message_kind_has_its_templates_in_both_languages(kind: MessageKind) -> None:
    for lang in ("vi", "en"):
        template = TEMPLATES / f"{kind.value}.{lang}.txt"
        assert template.is_file(), template
        assert template.read_text("utf-8").strip()


def test_every_template_belongs_to_a_message_kind() -> None:
    kinds = {kind.value for kind in MessageKind}
    for template in TEMPLATES.glob("*.txt"):
        if template.name.startswith("_"):
            continue  # the layout and macros every message shares
        assert template.name.split(".")[0] in kinds, template.name


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.__name__)
def test_every_name_has_a_vietnamese_and_an_english_label(vocabulary: type[MessageKind]) -> None:
    for member in vocabulary:
        vi, en = member.label("vi"), member.label("en")
        assert vi and en and vi != en, member
        assert label(vocabulary, member.value, "en") == en
    assert label(vocabulary, "a-host-application's-own", "vi") == "a-host-application's-own"


def test_the_outbox_statuses_are_the_vocabularys() -> None:
    assert tuple(STATUSES) == tuple(OutboxStatus)


def test_the_notices_are_the_kinds_a_transition_writes() -> None:
    notices = {kind for kind in MessageKind if kind.is_notice}
    assert notices == {
        MessageKind.ACCEPTED,
        MessageKind.RETURNED,
        MessageKind.RATED,
        MessageKind.REVOKED,
    }


def test_the_state_groups_agree_with_the_lifecycle_table() -> None:
    # The system steps apply exactly to certified dossiers.
    assert TRANSITIONS[Trigger.EXPIRE].sources == CERTIFIED
    assert TRANSITIONS[Trigger.REVOKE].sources == CERTIFIED
    # Closed dossiers go nowhere.
    for transition in TRANSITIONS.values():
        assert not transition.sources & TERMINAL, transition.trigger
    # A producer withdraws only what is still at the commune.
    assert TRANSITIONS[Trigger.WITHDRAW].sources == AT_COMMUNE
    assert TRANSITIONS[Trigger.CHECK].sources <= NOT_EVALUATED
    assert COMMUNE_CLOCK <= AT_COMMUNE and State.RETURNED not in COMMUNE_CLOCK
    assert AT_COMMUNE | {State.SUBMITTED, State.CENTRAL_REVIEW} == IN_CYCLE
    assert not IN_CYCLE & (CERTIFIED | TERMINAL)
    # Every state is in a cycle, decided or closed.
    decided = {State.NOT_RECOGNIZED, State.EXPIRED}
    assert IN_CYCLE | CERTIFIED | TERMINAL | decided == set(State)
