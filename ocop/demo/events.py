"""What the demo's story is made of: days, transitions, refusals and the mail of the day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ocop.errors import OcopError
from ocop.models import Actor, Dossier
from ocop.states import State
from ocop.text import translator

__all__ = ["Change", "Mail", "Refusal", "Step", "Text"]


@dataclass(frozen=True, init=False)
class Text:
    """A line of the story: a text of the catalogue (its Vietnamese, marked with ``N_``) and
    the values filled into it, said in the reader's language when it is shown.

    ``Text(N_("Kiểm tra hồ sơ mới: đủ"))``, ``Text(N_("… {names}"), names=…)``;
    :meth:`verbatim` is a line that is not the catalogue's (a name from the plan).
    """

    message: str
    values: tuple[tuple[str, object], ...]

    def __init__(self, message: str, /, **values: object) -> None:
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "values", tuple(values.items()))

    @classmethod
    def verbatim(cls, text: str) -> Text:
        """``text`` as it is, in every language."""
        return cls("{text}", text=text)

    def __call__(self, lang: str = "vi") -> str:
        return translator(lang)(self.message, **dict(self.values))


@dataclass(frozen=True)
class Change:
    """One transition: who fired what, the state before, and the dossier after."""

    trigger: str
    actor: str
    before: State | None
    dossier: Dossier


@dataclass(frozen=True)
class Refusal:
    """A step the library refused, as an officer would have seen it."""

    trigger: str
    actor: Actor
    dossier: Dossier
    error: OcopError


@dataclass(frozen=True)
class Mail:
    """An e-mail of the day, as the daemon would have sent it (written to the mail folder)."""

    kind: str
    recipient: str
    subject: str


@dataclass(frozen=True)
class Step:
    """One day of the story."""

    day: date
    title: Text
    events: tuple[Change | Refusal, ...] = ()
    """What happened, in order: transitions and refused attempts."""
    notes: tuple[Text, ...] = ()
    system: bool = False
    """Fired by the daily sweep rather than by a person."""
    mail: tuple[Mail, ...] = ()
    """E-mails sent that day: reminders and notices (only when the demo has a mail folder)."""
