"""The users the CLI knows: officers and producers, with their role and area."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ocop.errors import InvalidInput, NotFound
from ocop.models import User
from ocop.storage.database import Database
from ocop.storage.tables import users

__all__ = ["UserStore"]

_FIELDS = ("username", "full_name", "role", "email", "commune", "province", "active")


class UserStore:
    """The users table of one :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, user: User, now: datetime) -> User:
        """Add ``user``; a taken username is :class:`InvalidInput`."""
        values = user.model_dump(include=set(_FIELDS))
        try:
            with self.db.write() as conn:
                conn.execute(insert(users).values(**values, created_at=now))
        except IntegrityError as exc:
            raise InvalidInput(
                f"User '{user.username}' exists already; choose another username.",
                field="username",
            ) from exc
        return user

    def get(self, username: str) -> User:
        """The user with that username, or :class:`NotFound`."""
        with self.db.read() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            raise NotFound("user", username)
        return User.model_validate({k: row._mapping[k] for k in _FIELDS})

    def all(self) -> list[User]:
        """Every user, by username."""
        with self.db.read() as conn:
            rows = conn.execute(select(users).order_by(users.c.username)).all()
        return [User.model_validate({k: r._mapping[k] for k in _FIELDS}) for r in rows]

    def set_active(self, username: str, active: bool) -> User:
        """Enable or disable a user (users are never deleted: history names them)."""
        with self.db.write() as conn:
            result = conn.execute(
                update(users).where(users.c.username == username).values(active=active)
            )
        if result.rowcount != 1:
            raise NotFound("user", username)
        return self.get(username)
