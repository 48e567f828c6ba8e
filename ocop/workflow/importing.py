"""Products rated before the system existed, brought in with their certificates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ocop.errors import CertificateHeld, InvalidInput, OcopError, PermissionDenied
from ocop.models import (
    Actor,
    Certificate,
    CertifiedProduct,
    Dossier,
    HistoryDraft,
    Kind,
    Message,
    parse,
)
from ocop.states import IMPORT_TRIGGER, Role, RuleSet, State
from ocop.text import N_
from ocop.transfer import FIRST_KEPT
from ocop.workdays import add_months
from ocop.workflow.deadlines import next_due
from ocop.workflow.permissions import covers

if TYPE_CHECKING:
    from ocop.storage.dossiers import Bulk, DossierRepository
    from ocop.workflow.registry import Registry

__all__ = [
    "BATCH",
    "FIRST_KEPT",
    "IMPORTERS",
    "ImportResult",
    "Row",
    "certified_draft",
    "import_rows",
    "prepared",
]

# History rows of dossiers brought in with their certificate carry this trigger.
IMPORTERS = frozenset({Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.ADMIN})


def certified_draft(
    product: CertifiedProduct, rules: RuleSet, actor: Actor, now: datetime, today: date
) -> Dossier:
    """The dossier ``product`` becomes (not yet stored), or the error that refuses it."""
    if product.issued_on > today:
        raise InvalidInput.said(
            N_("ngày cấp {day:%d/%m/%Y} là ngày trong tương lai."),
            field="issued_on",
            day=product.issued_on,
        )
    reg = product.registration
    certificate = parse(
        Certificate,
        {
            "number": product.certificate_number,
            "stars": product.stars,
            "issued_on": product.issued_on,
            "expires_on": add_months(product.issued_on, rules.certificate_months),
            "issued_by": "central" if product.stars == 5 else "province",
        },
    )
    draft = Dossier.new(
        reg, state=State.RATED, rule_set=rules.id, now=now, kind=Kind.FIRST, certificate=certificate
    )
    if actor.role not in IMPORTERS or not covers(actor, draft.commune, draft.province):
        raise PermissionDenied(
            f"{actor.name} may not import dossiers of {draft.commune}, {draft.province}; "
            "ask an officer of that commune or province.",
            trigger=IMPORT_TRIGGER,
            reason="area" if actor.role in IMPORTERS else "role",
            allowed_roles=sorted(IMPORTERS),
            details={"actor": actor.name, "commune": draft.commune, "province": draft.province},
        )
    return draft


# -- many rows at once -----------------------------------------------------------------------

BATCH = 1000
"""Rows checked against stored certificates and written per statement: enough for
``executemany`` to pay and for few look-ups of the certificates (each reads the stored rows:
the number has no index), small enough that memory stays flat however long the file."""

Row = tuple[int, "CertifiedProduct | Mapping[str, Any] | Sequence[str] | str"]
"""A row to import: its number (a line of a file, or a position) and the product's fields,
or the problems already found in it (a reader's checks), which refuse the import."""


@dataclass
class ImportResult:
    """What an import did; ``problems`` empty means every row was good (and, unless a dry run,
    written)."""

    read: int = 0
    """Rows read, good and bad."""
    valid: int = 0
    """Rows that passed every check."""
    imported: int = 0
    """Rows written: 0 when the import was refused or a dry run."""
    dossiers: list[Dossier] = field(default_factory=list)
    """The first imported dossiers (all of them when the caller asked to keep all)."""
    problems: dict[int, list[str]] = field(default_factory=dict)
    """Row number → what is wrong on it."""
    dry_run: bool = False

    def add(self, row: int, message: str) -> None:
        """Record a problem on ``row``."""
        self.problems.setdefault(row, []).append(message)


def prepared(
    registry: Registry, draft: Dossier, rules: RuleSet, trigger: str, actor: Actor, note: str | None
) -> tuple[Dossier, HistoryDraft, Sequence[Message]]:
    """A new dossier ready for storage: its next date, its first history row, its notices."""
    due_on, due = next_due(draft, rules, registry.calendar, registry.rule_sets)
    draft = draft.model_copy(update={"next_due_on": due_on, "next_due": due})
    payload = draft.model_dump(
        mode="json",
        exclude={"id", "registered_at", "created_at", "updated_at", "version", "state"},
    )
    entry = HistoryDraft(
        draft.created_at, actor.name, actor.role.value, trigger, None, draft.state, note, payload
    )
    messages = registry.notices(None, draft, entry) if registry.notices else ()
    return draft, entry, messages


def import_rows(
    registry: Registry,
    store: DossierRepository,
    rows: Iterable[Row],
    *,
    actor: Actor,
    publish: Callable[[Dossier], None] | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    describe: Callable[[OcopError], str] = str,
    keep: int | None = FIRST_KEPT,
    batch: int = BATCH,
) -> ImportResult:
    """Check and import ``rows`` in one transaction: all of them or none.

    Rows are read one at a time (a generator over a file of any size is fine): each is checked
    as :meth:`~ocop.Registry.import_certified` would, a certificate number may appear once and
    not on a stored dossier (checked inside the transaction, batch by batch), and good rows are
    written in batches as they come. After the first problem nothing more is written but every
    row is still checked, so that each bad one is reported; then the transaction is rolled back.
    A dry run checks the same and writes nothing (in a read transaction, so it holds no lock).

    ``describe`` turns a refusal into the text recorded for its row (default ``str``);
    ``progress`` is called with the number of rows read so far, after each batch and at the
    end; ``keep`` is how many imported dossiers the result holds (``None``: all). ``publish``
    (the registry's subscribers) hears of every dossier once the transaction has committed, so
    an import with one keeps them all until then.
    """
    result = ImportResult(dry_run=dry_run)
    now, today = registry.now(), registry.today()
    seen: dict[str, int] = {}
    pending: list[tuple[int, str, Dossier, RuleSet]] = []
    committed: list[Dossier] = []

    def flush(bulk: Bulk) -> None:
        held = bulk.holders(number for _, number, _, _ in pending)
        for row, number, _, _ in pending:
            if number in held:
                result.add(row, describe(CertificateHeld(number, held[number])))
        if not result.problems and not dry_run:
            ready = [
                prepared(registry, d, rules, IMPORT_TRIGGER, actor, None)
                for _, _, d, rules in pending
            ]
            ids = bulk.insert(ready)
            result.imported += len(ids)
            room = len(ids) if keep is None else max(0, keep - len(result.dossiers))
            wanted = len(ids) if publish is not None else room
            stored = [
                d.model_copy(update={"id": i})
                for (d, _, _), i in zip(ready[:wanted], ids[:wanted], strict=True)
            ]
            result.dossiers.extend(stored[:room])
            if publish is not None:
                committed.extend(stored)
        pending.clear()
        if progress is not None:
            progress(result.read)

    with store.bulk(write=not dry_run) as bulk:
        for row, data in rows:
            result.read += 1
            if isinstance(data, str):
                result.add(row, data)
                continue
            if not isinstance(data, (Mapping, CertifiedProduct)):
                for message in data:
                    result.add(row, message)
                continue
            try:
                product = parse(CertifiedProduct, data)
                rules = registry.rule_set(product.rule_set)
                draft = certified_draft(product, rules, actor, now, today)
            except OcopError as exc:
                result.add(row, describe(exc))
                continue
            number = product.certificate_number
            given = data.get("certificate_number") if isinstance(data, Mapping) else None
            if given == number:
                # The caller's own string, which a reader keeps for its check too: one copy of
                # each number held, not two (350 000 of them are about 25 MB).
                number = given
            if number in seen:
                result.add(row, f"certificate {number} is also on row {seen[number]}")
                continue
            seen[number] = row
            result.valid += 1
            pending.append((row, number, draft, rules))
            if len(pending) >= batch:
                flush(bulk)
        flush(bulk)
        if result.problems or dry_run:
            bulk.discard()
            result.imported = 0
            result.dossiers.clear()
            committed.clear()
    for dossier in committed:
        publish(dossier)  # type: ignore[misc]  # committed is empty without publish
    return result
