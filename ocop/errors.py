"""Every error a caller of ``ocop`` can meet.

One root, :class:`OcopError`, so that a host application can catch everything the library
raises with one ``except``. Each subclass carries structured fields as well as a message an
officer can act on: the CLI prints ``str(error)``, a portal may read the fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "CertificateHeld",
    "ConcurrentUpdate",
    "ConfigurationError",
    "DaemonAlreadyRunning",
    "DatabaseDamaged",
    "DeliveryError",
    "DiskFull",
    "GuardFailed",
    "InvalidInput",
    "Missing",
    "NotFound",
    "NumberTooLarge",
    "OcopError",
    "PermanentFailure",
    "PermissionDenied",
    "RegistryClosed",
    "RowsRejected",
    "SchemaNotCurrent",
    "SchemaTooNew",
    "StampError",
    "StorageUnavailable",
    "TemporaryFailure",
    "TransitionNotAllowed",
    "UncertainFailure",
]


class OcopError(Exception):
    """The root of every error the library raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def explain(self, lang: str = "vi") -> str:
        """What went wrong, in one line an officer can act on, in ``lang`` (``"vi"`` or
        ``"en"``): the words the CLI and the mail use (:func:`ocop.explanations.explain`, which
        also takes the actor, the dossier and a front end's hints)."""
        from ocop.explanations import explain

        return explain(self, lang)


class InvalidInput(OcopError):
    """A value given by a caller is malformed or out of range; nothing was changed.

    ``field`` names the value (``product_set``, ``producer.email``). Where the library knows
    the problem in the catalogue's words, ``text`` is its Vietnamese sentence with ``values``
    filled into it, so :meth:`explain` says it in the reader's language; ``message`` is the
    same sentence in English. :meth:`said` builds such an error.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        text: str | None = None,
        values: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.text = text
        self.values: dict[str, object] = dict(values or {})

    def problem(self, lang: str = "vi") -> str:
        """The problem alone, in ``lang``: :meth:`explain` without its "Invalid data:" lead,
        for a caller that names the value itself (``--smtp is not …: <problem>``)."""
        from ocop.explanations import problem

        return problem(self, lang)

    @classmethod
    def said(cls, text: str, /, *, field: str | None = None, **values: object) -> InvalidInput:
        """The error whose problem is the catalogue's ``text`` (marked with ``N_``) filled
        with ``values``; its ``message`` is the English of it."""
        from ocop.text import translator

        return cls(translator("en")(text, **values), field=field, text=text, values=values)


class ConfigurationError(InvalidInput):
    """A setting names something that cannot be used; nothing was changed.

    ``field`` is the setting (``database``, ``calendar`` …), ``reason`` what is wrong with it:
    ``scheme`` (a database other than SQLite or PostgreSQL), ``driver`` (its Python driver is
    not installed), ``url`` (not a database URL), ``missing`` (no such file); ``value`` is what
    was given (a database URL without its password). The CLI exits 2 on it, as on a usage error.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        reason: str = "",
        value: str | None = None,
    ) -> None:
        super().__init__(message, field=field)
        self.reason = reason
        self.value = value


class NumberTooLarge(InvalidInput):
    """A whole number given is larger than the database holds (``limit``, 2**63 - 1)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"A number given is too large for the database (at most {limit}).")
        self.limit = limit


class RowsRejected(InvalidInput):
    """A batch (an import) was refused whole; ``problems`` maps each bad row to its errors."""

    def __init__(self, problems: Mapping[int, Sequence[str]]) -> None:
        lines = [f"row {row}: {'; '.join(errors)}" for row, errors in sorted(problems.items())]
        super().__init__(
            f"Nothing was imported: {len(problems)} bad row(s). " + " | ".join(lines),
            field="rows",
        )
        self.problems = {row: tuple(errors) for row, errors in problems.items()}


class CertificateHeld(InvalidInput):
    """A certificate to import is already on a stored dossier (``number``, ``dossier_id``)."""

    def __init__(self, number: str, dossier_id: int) -> None:
        super().__init__(
            f"certificate {number} is already on dossier {dossier_id}", field="certificate_number"
        )
        self.number = number
        self.dossier_id = dossier_id


class NotFound(OcopError):
    """No record with that identifier exists."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"No {kind} {key!s} exists.")
        self.kind = kind
        self.key = key


class TransitionNotAllowed(OcopError):
    """The trigger does not apply to a dossier in its current state."""

    def __init__(self, trigger: str, state: str, allowed: Sequence[str] = ()) -> None:
        hint = f" Possible now: {', '.join(allowed)}." if allowed else " Nothing can be done now."
        super().__init__(f"'{trigger}' cannot be done on a dossier that is '{state}'.{hint}")
        self.trigger = trigger
        self.state = state
        self.allowed = tuple(allowed)


class PermissionDenied(OcopError):
    """The acting user may not do this here.

    ``reason`` says why: ``role`` (the step is for other roles, ``allowed_roles``), ``state``
    (not by this role at this stage), ``commune``, ``province`` or ``area`` (outside the
    actor's area), ``owner`` (not the producer's dossier), ``disabled`` (the user is disabled).
    ``details`` holds the names and places the message was built from.
    """

    def __init__(
        self,
        message: str,
        *,
        trigger: str | None,
        reason: str = "role",
        allowed_roles: Sequence[str] = (),
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.trigger = trigger
        self.reason = reason
        self.allowed_roles = tuple(allowed_roles)
        self.details = dict(details or {})


@dataclass(frozen=True)
class Missing:
    """One thing a guard still needs.

    ``code`` is the kind of thing (``document``, ``samples``, ``criterion``, ``value``,
    ``certificate``, ``valid_certificate``, ``window``, ``lapse``), ``params`` which one (e.g.
    ``{"field": "reason"}``), ``text`` the English phrase.
    """

    code: str
    text: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text


class GuardFailed(OcopError):
    """A transition's precondition is not met; ``missing`` lists what must be supplied."""

    def __init__(self, trigger: str, missing: Sequence[Missing]) -> None:
        super().__init__(f"'{trigger}' needs: " + "; ".join(map(str, missing)) + ".")
        self.trigger = trigger
        self.missing = tuple(missing)


class ConcurrentUpdate(OcopError):
    """Someone else changed the dossier first; reload it and try again."""

    def __init__(self, dossier_id: int, expected_version: int) -> None:
        super().__init__(
            f"Dossier {dossier_id} was changed by someone else (expected version "
            f"{expected_version}). Reload it and try again."
        )
        self.dossier_id = dossier_id
        self.expected_version = expected_version


class StorageUnavailable(OcopError):
    """The database cannot be reached, is locked, or is read-only.

    As for :class:`InvalidInput`, ``text`` and ``values`` (when set, by :meth:`said`) are the
    catalogue's Vietnamese sentence and what fills it, so :meth:`explain` says it in the
    reader's language; ``message`` is its English.
    """

    def __init__(
        self,
        message: str,
        *,
        text: str | None = None,
        values: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.text = text
        self.values: dict[str, object] = dict(values or {})

    @classmethod
    def said(cls, text: str, /, **values: object) -> StorageUnavailable:
        """The error whose problem is the catalogue's ``text`` (marked with ``N_``) filled
        with ``values``; its ``message`` is the English of it."""
        from ocop.text import translator

        return cls(translator("en")(text, **values), text=text, values=values)


class RegistryClosed(OcopError):
    """The registry (or its database) was closed with ``close()``: it neither reads nor
    writes again; open another with :func:`ocop.open`."""

    def __init__(self, database: str) -> None:
        super().__init__(f"This registry on {database} was closed; open another with ocop.open(…).")
        self.database = database


class SchemaNotCurrent(StorageUnavailable):
    """The database has no ocop schema, or an older one, and was opened not to upgrade it.

    ``database`` names it (without a password)."""

    def __init__(self, database: str) -> None:
        super().__init__(f"Database {database} has no up-to-date ocop schema; upgrade it first.")
        self.database = database


class DatabaseDamaged(StorageUnavailable):
    """The database file is not an ocop database (not SQLite at all), or it is damaged.

    ``database`` names it (without a password), ``detail`` is the database's own word.
    """

    def __init__(self, database: str, detail: str) -> None:
        super().__init__(
            f"{database} is not an ocop database or is damaged ({detail}); check the database "
            "setting, or restore the file from a backup. Nothing was changed."
        )
        self.database = database
        self.detail = detail


class SchemaTooNew(StorageUnavailable):
    """The database was made or upgraded by a newer ocop: its schema ``revision`` is unknown."""

    def __init__(self, database: str, revision: str) -> None:
        super().__init__(
            f"{database} was made by a newer ocop (revision {revision}); upgrade ocop to use it. "
            "Nothing was changed."
        )
        self.database = database
        self.revision = revision


class DiskFull(StorageUnavailable):
    """The disk holding the database is full; the step was not saved."""

    def __init__(self, database: str) -> None:
        super().__init__(
            f"The disk holding {database} is full; nothing was saved. Free some disk space "
            "and try again."
        )
        self.database = database


class DaemonAlreadyRunning(OcopError):
    """Another daemon holds the SQLite database (several daemons need PostgreSQL).

    ``holder`` names it (worker and pid, or ``unknown``), ``database`` the database."""

    def __init__(self, holder: str, database: str) -> None:
        super().__init__(
            f"Another ocop daemon ({holder}) is already running on {database}. Stop it "
            "first; several daemons on one database need PostgreSQL."
        )
        self.holder = holder
        self.database = database


class DeliveryError(OcopError):
    """A message could not be handed over; the subclass says whether to try again."""


class TemporaryFailure(DeliveryError):
    """Nothing was delivered and trying later may work (4xx, refused, timeout before DATA).

    ``connection`` is true when the server (or folder) could not be reached at all, so the
    messages after this one would fail the same way.
    """

    def __init__(self, message: str, *, connection: bool = False) -> None:
        super().__init__(message)
        self.connection = connection


class PermanentFailure(DeliveryError):
    """The server refused the message for good (5xx); the message keeps its answer."""


class UncertainFailure(DeliveryError):
    """The body was sent but no answer came: the message may or may not have arrived."""


class StampError(OcopError):
    """Keys or stamps refused: a missing or unreadable key file, a certificate not valid, …

    Codes: ``no_keys`` (no issuer key at ``path``), ``keys_exist`` (``keys init`` would
    overwrite one), ``passphrase`` (the key needs a passphrase, or another one), ``bad_key``
    (a file that is not an Ed25519 key), ``key_mode`` (a private key others may read),
    ``key_clash`` (two trusted keys with one id), ``no_such_key`` (no trusted key of that id),
    ``no_certificate``, ``certificate_revoked``, ``certificate_expired``,
    ``certificate_not_yet`` (the dossier's certificate cannot be stamped), ``count`` (the
    number of stamps asked for), ``too_long`` (the stamp does not fit its QR code),
    ``base_url`` (a base URL that is not http(s)), ``image`` (no stamp found in an image),
    ``format`` (a sheet file of another kind than .svg, .png, .pdf). ``params`` say with what,
    so the CLI and the web page can say it in Vietnamese or English.
    """

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params: Mapping[str, object] = params
