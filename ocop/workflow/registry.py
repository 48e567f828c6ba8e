"""The Registry: the one object a host application, the CLI and the daemon talk to."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from ocop.errors import (
    ConcurrentUpdate,
    GuardFailed,
    InvalidInput,
    Missing,
    OcopError,
    PermissionDenied,
    RowsRejected,
    TransitionNotAllowed,
)
from ocop.models import (
    Actor,
    CertifiedProduct,
    Dossier,
    HistoryDraft,
    HistoryEntry,
    Message,
    Registration,
    User,
    clean_text,
    nfc,
    parse,
)
from ocop.states import (
    CERTIFIED,
    IMPORT_TRIGGER,
    RULE_SETS,
    TRANSITIONS,
    Role,
    RuleSet,
    State,
    Trigger,
    rule_set,
    rule_set_for,
)
from ocop.storage.changes import ChangeFeed, ChangePage
from ocop.storage.database import Database
from ocop.storage.dossiers import DossierQuery, DossierRepository, DossierStore
from ocop.storage.numbers import NumberRequest
from ocop.storage.outbox import Outbox
from ocop.storage.users import UserStore
from ocop.text import N_
from ocop.workdays import Calendar, local_date
from ocop.workflow.deadlines import next_due
from ocop.workflow.importing import FIRST_KEPT, ImportResult, certified_draft, import_rows
from ocop.workflow.importing import Row as ImportRow
from ocop.workflow.machine import shared_engine
from ocop.workflow.numbers import (
    AreaCodes,
    Numbering,
    form_request,
    missing_codes,
    product_request,
)
from ocop.workflow.permissions import (
    check_permission,
    check_read,
    permitted,
    read_scope,
    sees_user,
)
from ocop.workflow.steps import STEPS, Context, check_forms

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from ocop.plan import Plan

__all__ = ["Notices", "Registry", "TransitionEvent"]

log = logging.getLogger("ocop")


@dataclass(frozen=True)
class TransitionEvent:
    """What subscribers receive after a transition has committed."""

    before: Dossier | None
    after: Dossier
    trigger: str
    actor: Actor
    note: str | None


Notices = Callable[[Dossier | None, Dossier, HistoryDraft], Sequence[Message]]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _note(note: str | None) -> str | None:
    return None if note is None else clean_text(note, "note") or None


class Registry:
    """Dossiers on one database: register, fire triggers, read, subscribe.

    Build it with :func:`ocop.open`. ``clock`` returns the current aware datetime (tests and
    ``--as-of`` pass their own); ``notices`` turns each transition into outbox messages, written
    in the same transaction.
    """

    def __init__(
        self,
        database: Database,
        *,
        clock: Callable[[], datetime] | None = None,
        calendar: Calendar | None = None,
        rule_sets: Mapping[str, RuleSet] | None = None,
        notices: Notices | None = None,
        plan: Plan | None = None,
        area_codes: Mapping[tuple[str, str], AreaCodes] | None = None,
    ) -> None:
        if clock is not None and clock().tzinfo is None:
            raise InvalidInput.said(_NAIVE_CLOCK, field="clock")
        self.database = database
        self.plan = plan
        """The commune's plan the registry was opened with, if any (its reminders' source)."""
        self.numbering = Numbering(plan, dict(area_codes) if area_codes else None)
        """Where the official codes of the numbers of the record come from (the plan's
        ``[numbers]``, then ``area_codes`` by (province, commune)): ocop.workflow.numbers."""
        self.clock = clock or _utcnow
        self.calendar = calendar or Calendar()
        self.rule_sets: Mapping[str, RuleSet] = dict(rule_sets or RULE_SETS)
        self.notices = notices
        self._dossiers: DossierRepository = DossierStore(database)
        self._users = UserStore(database)
        self._subscribers: list[Callable[[TransitionEvent], None]] = []
        self._outbox: Outbox | None = None
        self._changes = ChangeFeed(database)
        self._engine = shared_engine()

    # -- life of the registry -------------------------------------------------------------

    @property
    def outbox(self) -> Outbox:
        """The outbox: the messages transitions and reminders wrote, and their delivery."""
        if self._outbox is None:
            self._outbox = Outbox(self.database)
        return self._outbox

    def within(self, connection: Connection) -> Registry:
        """This registry working inside a host application's ``connection``.

        Every read uses the connection, and every write (a transition with its history and
        outbox rows, a registration, a sweep) is a SAVEPOINT inside the connection's
        transaction: the host's own rows and ocop's are committed or rolled back together, by
        the host. Subscribers hear of a transition when ``fire`` returns, before the host
        commits; a reader in another process sees it only after. ::

            with engine.begin() as conn:
                conn.execute(portal_log.insert().values(note="checked"))
                registry.within(conn).fire(7, "check", actor=officer, ...)
        """
        view = copy.copy(self)
        view.database = self.database.bound(connection)
        view._dossiers = DossierStore(view.database)
        view._users = UserStore(view.database)
        view._outbox = None
        view._changes = ChangeFeed(view.database)
        return view

    def upgrade(self) -> None:
        """Create or upgrade the schema (``ocop db upgrade``)."""
        self.database.upgrade()

    def close(self) -> None:
        """Release the database connections."""
        self.database.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the law and the clock ------------------------------------------------------------

    def now(self) -> datetime:
        """The registry's current time (aware)."""
        return self.clock()

    def today(self) -> date:
        """Today's date in Vietnam."""
        return local_date(self.clock())

    def rule_set(self, rule_set_id: str | None = None, *, on: date | None = None) -> RuleSet:
        """The rule set named, or the one in force ``on`` a day (default today)."""
        if rule_set_id is not None:
            return rule_set(rule_set_id, self.rule_sets)
        return rule_set_for(on or self.today(), self.rule_sets)

    # -- writing ----------------------------------------------------------------------------

    def register(
        self,
        registration: Registration | Mapping[str, Any],
        *,
        actor: Actor,
        rule_set: str | None = None,
        note: str | None = None,
    ) -> Dossier:
        """Register a new dossier from its Mẫu 01 fields; starts the commune's clock."""
        reg = parse(Registration, registration)
        if actor.role is Role.PRODUCER:
            if reg.owner not in (None, actor.name):
                raise PermissionDenied(
                    "A producer registers only their own products.",
                    trigger=Trigger.REGISTER,
                    reason="owner",
                    allowed_roles=[Role.PRODUCER, Role.COMMUNE_OFFICER],
                    details={"actor": actor.name, "owner": reg.owner},
                )
            reg = reg.model_copy(update={"owner": actor.name})
        now = self.now()
        rules = self.rule_set(rule_set)
        check_forms(reg.documents, rules)
        draft = Dossier.new(reg, state=State.REGISTERED, rule_set=rules.id, now=now)
        check_permission(actor, TRANSITIONS[Trigger.REGISTER], draft)
        return self._create([(draft, rules)], Trigger.REGISTER.value, actor, _note(note))[0]

    def import_certified(
        self,
        registration: Registration | Mapping[str, Any],
        *,
        certificate_number: str,
        stars: int,
        issued_on: date | str,
        actor: Actor,
        rule_set: str | None = None,
        note: str | None = None,
    ) -> Dossier:
        """Bring in a product rated before the system existed, with its certificate.

        The dossier starts ``rated``; the sweep flags it when its re-rating window opens.
        """
        product = parse(
            CertifiedProduct,
            {
                "registration": registration,
                "certificate_number": certificate_number,
                "stars": stars,
                "issued_on": issued_on,
                "rule_set": rule_set,
                "note": note,
            },
        )
        rules = self.rule_set(product.rule_set)
        draft = certified_draft(product, rules, actor, self.now(), self.today())
        return self._create([(draft, rules)], IMPORT_TRIGGER, actor, _note(product.note))[0]

    def import_certified_many(
        self,
        products: Iterable[CertifiedProduct | Mapping[str, Any]],
        *,
        actor: Actor,
        progress: Callable[[int], None] | None = None,
    ) -> list[Dossier]:
        """Import many certified products in one transaction: all of them or none.

        Every product is checked; if any is refused, :class:`RowsRejected` maps each bad one
        (numbered from 1, in the order given) to what is wrong, and nothing is written. A
        certificate number may appear once, and not on a dossier already stored. ``progress``
        is called with the number of products read so far, every few hundred. For a file of
        any size, :meth:`import_certified_rows` streams and keeps only a summary.
        """
        result = self.import_certified_rows(
            enumerate(products, start=1), actor=actor, progress=progress, keep=None
        )
        if result.problems:
            raise RowsRejected(result.problems)
        return result.dossiers

    def import_certified_rows(
        self,
        rows: Iterable[ImportRow],
        *,
        actor: Actor,
        dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
        describe: Callable[[OcopError], str] = str,
        keep: int | None = FIRST_KEPT,
    ) -> ImportResult:
        """Import numbered rows (``(line, product)``, or ``(line, problems)`` a reader found)
        in one transaction, streamed: all or none, every bad row reported by its number.

        Memory stays flat however many rows come (they are written in batches as they are
        checked; the result keeps ``keep`` dossiers); ``dry_run`` checks and writes nothing;
        ``describe`` words each refusal (default ``str``). :func:`ocop.transfer.import_file`
        feeds it a CSV or Excel file. See :func:`ocop.workflow.importing.import_rows`.
        """
        return import_rows(
            self,
            self._dossiers,
            rows,
            actor=actor,
            publish=(
                (lambda d: self._publish(TransitionEvent(None, d, IMPORT_TRIGGER, actor, None)))
                if self._subscribers
                else None
            ),
            dry_run=dry_run,
            progress=progress,
            describe=describe,
            keep=keep,
        )

    def _create(
        self,
        drafts: Sequence[tuple[Dossier, RuleSet]],
        trigger: str,
        actor: Actor,
        note: str | None,
    ) -> list[Dossier]:
        batch = []
        numbers: list[list[NumberRequest]] = []
        for draft, rules in drafts:
            due_on, due = next_due(draft, rules, self.calendar, self.rule_sets)
            draft = draft.model_copy(update={"next_due_on": due_on, "next_due": due})
            payload = draft.model_dump(
                mode="json",
                exclude={"id", "registered_at", "created_at", "updated_at", "version", "state"},
            )
            entry = HistoryDraft(
                draft.created_at,
                actor.name,
                actor.role.value,
                trigger,
                None,
                draft.state,
                note,
                payload,
            )
            messages = self.notices(None, draft, entry) if self.notices else ()
            batch.append((draft, entry, messages))
            numbers.append(self._form_number(draft) if trigger == Trigger.REGISTER else [])
        stored = self._dossiers.insert(batch, numbers)
        for dossier in stored:
            self._publish(TransitionEvent(None, dossier, trigger, actor, note))
        return stored

    def fire(
        self,
        dossier_id: int,
        trigger: str,
        *,
        actor: Actor,
        note: str | None = None,
        expected_version: int | None = None,
        **data: Any,
    ) -> Dossier:
        """Fire ``trigger`` on a dossier as ``actor``; returns the dossier as it now stands.

        Raises :class:`TransitionNotAllowed` (wrong state), :class:`PermissionDenied` (wrong
        role or area), :class:`GuardFailed` (something missing), :class:`InvalidInput` (bad
        data) or :class:`ConcurrentUpdate` (someone else changed it first). Nothing is written
        unless the whole transition succeeds.
        """
        trig, text = _trigger(trigger), _note(note)

        with self._dossiers.held(dossier_id) as held:
            before = held.dossier
            if expected_version is not None and before.version != expected_version:
                raise ConcurrentUpdate(before.id, expected_version)
            after, entry, messages = self._decide(before, trig, actor, text, data)
            after, numbers = self._numbers(trig, before, after)
            after = held.write(after, entry, messages, numbers)
        self._publish(TransitionEvent(before, after, trig.value, actor, text))
        return after

    # The numbers of the record (ocop.workflow.numbers): the registry decides which a write
    # takes, storage takes them from the commune's counters in the write's transaction.

    def _form_number(self, draft: Dossier) -> list[NumberRequest]:
        """A new filing's form number, unless the officer typed the paper form's own."""
        if draft.form_number:
            return []
        request = form_request(self.numbering, draft, local_date(draft.registered_at))
        return [request] if request else []

    def _numbers(
        self, trigger: Trigger, before: Dossier, after: Dossier
    ) -> tuple[Dossier, list[NumberRequest]]:
        """The numbers a transition gives: a new cycle files a new Mẫu 01 (its own form
        number; the last cycle's stays in the history), a recognition its product code.

        A recognition is any step that brings a rated dossier to a certificate (``rate``,
        ``rate_central`` today), told by its result rather than by its name."""
        if trigger is Trigger.REAPPLY:
            after = after.model_copy(update={"form_number": None})
            return after, self._form_number(after)
        if before.state not in CERTIFIED:
            request = product_request(self.numbering, after)
            return after, [request] if request else []
        return after, []

    def missing_codes(self, dossier: Dossier) -> list[str]:
        """What must be set before ``dossier``'s numbers can be given (empty: nothing):
        plan keys such as ``numbers.commune_code``, or ``plan`` when no plan of its commune
        was given."""
        return missing_codes(self.numbering, dossier)

    def assign_numbers(self, dossier_id: int, *, actor: Actor) -> Dossier:
        """Give the dossier the numbers it is waiting for, now that its area's codes are set.

        A dossier registered or recognised while its commune's codes were missing has its form
        number or product code pending; this takes them from the commune's counters (the next
        ones, in the order officers ask) and records them in the history. A commune officer of
        the dossier's area or an administrator may; nothing pending, or codes still missing,
        is :class:`GuardFailed` naming what to set.
        """
        if actor.role not in (Role.COMMUNE_OFFICER, Role.ADMIN):
            raise PermissionDenied(
                "Only the commune's officer or an administrator gives a dossier its numbers.",
                trigger="assign_numbers",
                reason="role",
                allowed_roles=[Role.COMMUNE_OFFICER, Role.ADMIN],
                details={"actor": actor.name, "role": actor.role.value},
            )
        with self._dossiers.held(dossier_id) as held:
            before = held.dossier
            check_read(actor, before)
            requests = [] if before.form_number else self._form_number(before)
            code = product_request(self.numbering, before)
            requests += [code] if code else []
            if not requests:
                raise GuardFailed("assign_numbers", self._pending(before))
            now = self.now()
            after = before.model_copy(update={"version": before.version + 1, "updated_at": now})
            entry = HistoryDraft(
                now, actor.name, actor.role.value, "assign_numbers", before.state, before.state
            )
            after = held.write(after, entry, (), requests)
        self._publish(TransitionEvent(before, after, "assign_numbers", actor, None))
        return after

    def _pending(self, dossier: Dossier) -> list[Missing]:
        missing = self.missing_codes(dossier)
        if missing:
            where = f"{dossier.commune}, {dossier.province}"
            if missing == ["plan"]:
                text = (
                    f"a plan of {where} with numbers.province_code and numbers.commune_code "
                    "(the codes of QĐ 19/2025/QĐ-TTg)"
                )
                return [Missing("area_codes", text, {"keys": ("plan",), "area": where})]
            text = f"{' and '.join(missing)} in the plan of {where} (QĐ 19/2025/QĐ-TTg)"
            return [Missing("area_codes", text, {"keys": tuple(missing), "area": where})]
        return [Missing("pending_number", "a number still to give (none is pending)", {})]

    def _fire(
        self,
        before: Dossier,
        trigger: Trigger,
        actor: Actor,
        note: str | None,
        data: Mapping[str, Any],
    ) -> Dossier:
        """Fire on a dossier already read (the sweep's); the write checks its version."""
        after, entry, messages = self._decide(before, trigger, actor, note, data)
        self._dossiers.apply(before, after, entry, messages)
        self._publish(TransitionEvent(before, after, trigger.value, actor, note))
        return after

    def _decide(
        self,
        before: Dossier,
        trigger: Trigger,
        actor: Actor,
        note: str | None,
        data: Mapping[str, Any],
    ) -> tuple[Dossier, HistoryDraft, Sequence[Message]]:
        """The transition's result: the next version, its history row and its notices."""
        now = self.now()
        ctx = Context(
            now, local_date(now), self.rule_set(before.rule_set), self.calendar, self.rule_sets
        )
        permit = partial(check_permission, actor, TRANSITIONS[trigger], before)
        try:
            state, outcome = self._engine.fire(before, trigger, data, ctx, STEPS[trigger], permit)
        except TransitionNotAllowed as refused:
            # The machine refused the state; the officer is told what they could do instead.
            allowed = [t.value for t in self.allowed(before, actor)]
            raise TransitionNotAllowed(trigger.value, before.state.value, allowed) from refused
        after = before.model_copy(
            update=outcome.changes
            | {"state": state, "version": before.version + 1, "updated_at": now}
        )
        due_on, due = next_due(after, self.rule_set(after.rule_set), self.calendar, self.rule_sets)
        after = after.model_copy(update={"next_due_on": due_on, "next_due": due})
        entry = HistoryDraft(
            now,
            actor.name,
            actor.role.value,
            trigger.value,
            before.state,
            state,
            note,
            outcome.payload,
        )
        messages = self.notices(before, after, entry) if self.notices else ()
        return after, entry, messages

    def advance(self, *, limit: int | None = None) -> list[TransitionEvent]:
        """Fire the system transitions that are due today: re-rating windows and expiries.

        What another process fired first is skipped, so several daemons may sweep at once.
        """
        fired: list[TransitionEvent] = []
        for dossier in self._due_for_system():
            if limit is not None and len(fired) >= limit:
                break
            event = self._system_step(dossier, write=True)
            if event is not None:
                fired.append(event[0])
        return fired

    def preview_advance(self) -> list[tuple[TransitionEvent, Sequence[Message]]]:
        """What :meth:`advance` would fire today, each with the notices it would write.

        Writes nothing: ``ocop daemon --dry-run`` shows it.
        """
        today = self.today()
        found: list[tuple[TransitionEvent, Sequence[Message]]] = []
        for dossier in self._due_for_system():
            # As the sweep meets a dossier again on its next date when that is still due (a
            # certificate flagged for re-rating and expired in one go), so does the preview.
            current: Dossier | None = dossier
            while current is not None:
                step = self._system_step(current, write=False)
                if step is None:
                    break
                found.append(step)
                after = step[0].after
                due = after.next_due_on is not None and after.next_due_on <= today
                current = after if due and after.state is not current.state else None
        return found

    def _due_for_system(self) -> Iterator[Dossier]:
        return self._dossiers.due(self.today(), states=tuple(CERTIFIED))

    def _system_step(
        self, dossier: Dossier, *, write: bool
    ) -> tuple[TransitionEvent, Sequence[Message]] | None:
        """The first system step whose guard passes on ``dossier`` (expiry before re-rating)."""
        system = Actor.system()
        for trigger in (Trigger.EXPIRE, Trigger.FLAG_RECERTIFICATION):
            if dossier.state not in TRANSITIONS[trigger].sources:
                continue
            messages: Sequence[Message] = ()
            try:
                if write:
                    after = self._fire(dossier, trigger, system, None, {})
                else:
                    after, _entry, messages = self._decide(dossier, trigger, system, None, {})
            except (GuardFailed, ConcurrentUpdate):
                continue
            return TransitionEvent(dossier, after, trigger.value, system, None), messages
        return None

    # -- reading ----------------------------------------------------------------------------

    # Reads take the reader: a commune officer sees their commune's dossiers, a province
    # officer their province's, a producer their own, central officers and administrators all
    # (ocop.workflow.permissions). Without ``actor`` the caller is the trusted host itself.

    def get(self, dossier_id: int, *, actor: Actor | None = None) -> Dossier:
        """The dossier with that id: :class:`NotFound`, or :class:`PermissionDenied` when it
        is outside ``actor``'s scope."""
        dossier = self._dossiers.get(dossier_id)
        if actor is not None:
            check_read(actor, dossier)
        return dossier

    def find(
        self, query: DossierQuery | None = None, /, *, actor: Actor | None = None, **filters: Any
    ) -> list[Dossier]:
        """Dossiers matching every filter given, in order; text filters match NFC-normalised.

        The filters are the fields of :class:`~ocop.storage.dossiers.DossierQuery`, given as
        keywords (``state``, ``commune``, ``province``, ``owner``, ``product_set``, ``kind``,
        ``due_before``, ``expires_before``, ``search``, ``number`` and ``code`` (part of the
        registration form number or the product code, any case), ``order_by``, ``descending``,
        ``limit``, ``offset``) or as a query built once::

            registry.find(state="rated", commune="Lưu Vệ", order_by="due", limit=50)
            registry.find(code="38-16087-")

        With ``actor``, only what the actor may see (nothing when a filter asks outside it).
        Raises :class:`InvalidInput` for an unknown filter, state or sort.
        """
        scoped = self._scoped(query or DossierQuery.build(**filters), actor)
        return self._dossiers.find(scoped) if scoped is not None else []

    def stream(
        self,
        query: DossierQuery | None = None,
        /,
        *,
        actor: Actor | None = None,
        batch: int = 1000,
        **filters: Any,
    ) -> Iterator[Dossier]:
        """The dossiers :meth:`find` returns, in the same order, one at a time: ``batch`` rows
        are held at once however many match, and the first can be used (printed) before the
        last are read. The filters and ``actor`` are :meth:`find`'s, checked before the first
        row; close the iterator (or read it to the end) to end its read transaction."""
        scoped = self._scoped(query or DossierQuery.build(**filters), actor)
        if scoped is None:
            return iter(())
        return self._dossiers.stream(scoped, batch=batch)

    def count(
        self, query: DossierQuery | None = None, /, *, actor: Actor | None = None, **filters: Any
    ) -> int:
        """How many dossiers :meth:`find` would return with these filters, paging aside."""
        scoped = self._scoped(query or DossierQuery.build(**filters), actor)
        return self._dossiers.count(scoped) if scoped is not None else 0

    @staticmethod
    def _scoped(query: DossierQuery, actor: Actor | None) -> DossierQuery | None:
        """``query`` kept within ``actor``'s scope; ``None`` when it asks outside it."""
        if actor is None:
            return query
        scope = read_scope(actor)
        if scope is None:
            return None
        for name, value in scope.items():
            asked = getattr(query, name)
            if asked is not None and asked != value:
                return None
        return replace(query, **scope)  # type: ignore[arg-type]  # str fields only

    def history(self, dossier_id: int, *, actor: Actor | None = None) -> list[HistoryEntry]:
        """The dossier's audit trail, oldest first (within ``actor``'s scope, as :meth:`get`)."""
        if actor is not None:
            self.get(dossier_id, actor=actor)
        return self._dossiers.history(dossier_id)

    def changes(self, after: str | None = None, *, limit: int = 100) -> ChangePage:
        """Committed transitions after the cursor ``after``, from every process, in order.

        The feed reads the append-only history: a host keeps the returned ``cursor`` and asks
        again from it (``None`` starts from the first transition ever). Unlike
        :meth:`subscribe`, it sees the transitions of other processes, the ``ocop`` command
        and the daemon included, and loses none across a restart of the reader::

            page = registry.changes(after=saved_cursor)
            for entry in page.changes:
                handle(entry.dossier_id, entry.trigger, entry.to_state)
            saved_cursor = page.cursor

        Raises :class:`InvalidInput` for a cursor it did not hand out.
        """
        return self._changes.read(after, limit)

    def wait_for_changes(self, after: str | None, timeout: float) -> bool:
        """Block until a transition after ``after`` commits or ``timeout`` seconds pass;
        whether there is one. PostgreSQL notifies the reader (LISTEN/NOTIFY); SQLite is
        polled."""
        return self._changes.wait(after, timeout)

    def allowed(self, dossier: Dossier, actor: Actor) -> list[Trigger]:
        """The triggers ``actor`` may fire on ``dossier`` in its current state."""
        return [
            t.trigger
            for t in TRANSITIONS.values()
            if dossier.state in t.sources and permitted(actor, t, dossier)
        ]

    def allowed_triggers(self, dossier_id: int, actor: Actor) -> list[Trigger]:
        """The triggers ``actor`` may fire on the dossier now (guards aside)."""
        return self.allowed(self.get(dossier_id), actor)

    # -- events -----------------------------------------------------------------------------

    def subscribe(self, callback: Callable[[TransitionEvent], None]) -> Callable[[], None]:
        """Call ``callback`` after each committed transition; returns an unsubscribe function.

        A subscriber's exception is logged, not raised: the transition has already happened.
        """
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def _publish(self, event: TransitionEvent) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("subscriber %r failed on %s", callback, event.trigger)

    # -- users ------------------------------------------------------------------------------

    def add_user(self, user: User | Mapping[str, Any]) -> User:
        """Add an officer or producer the CLI can act as."""
        return self._users.add(parse(User, user), self.now())

    def user(self, username: str) -> User:
        """The user with that username."""
        return self._users.get(nfc(username))

    def users(self, *, actor: Actor | None = None) -> list[User]:
        """Every user, by username; with ``actor``, only those the actor may see (themselves
        and the users of their area: :func:`~ocop.workflow.permissions.sees_user`)."""
        found = self._users.all()
        return found if actor is None else [u for u in found if sees_user(actor, u)]

    def set_user_active(self, username: str, active: bool) -> User:
        """Enable or disable a user; their history stays."""
        return self._users.set_active(nfc(username), active)

    def actor(self, username: str) -> Actor:
        """The :class:`Actor` for an active user, or :class:`PermissionDenied`."""
        user = self.user(username)
        if not user.active:
            raise PermissionDenied(
                f"User '{username}' is disabled; ask an administrator.",
                trigger=None,
                reason="disabled",
                details={"actor": username},
            )
        return user.actor()


_NAIVE_CLOCK = N_(
    "Đồng hồ truyền cho ocop.open(clock=…) trả về thời điểm không có múi giờ (naive datetime); "
    "nó phải trả về thời điểm có múi giờ (ví dụ datetime.now(UTC))."
)


def _trigger(name: str) -> Trigger:
    try:
        trigger = Trigger(name)
    except ValueError:
        names = ", ".join(t.value for t in Trigger if t is not Trigger.REGISTER)
        raise InvalidInput.said(
            N_("Không có bước '{name}'. Các bước là: {names}."),
            field="trigger",
            name=name,
            names=names,
        ) from None
    if trigger is Trigger.REGISTER:
        raise InvalidInput.said(
            N_("Hồ sơ được đăng ký bằng register(), không phải bằng fire()."), field="trigger"
        )
    return trigger
