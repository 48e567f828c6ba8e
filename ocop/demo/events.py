"""What the demo's story is made of: days, transitions, refusals and the mail of the day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ocop.errors import OcopError
from ocop.models import Actor, Dossier
from ocop.states import State

__all__ = ["Change", "Mail", "Refusal", "Step", "Text"]


@dataclass(frozen=True)
class Text:
    """A line of the story in Vietnamese and English."""

    vi: str
    en: str

    def __call__(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi


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
