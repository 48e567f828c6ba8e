"""The users the CLI knows: officers and producers, with their role and area."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ocop.errors import InvalidInput, NotFound, PermissionDenied
from ocop.models import STORED, User
from ocop.states import Role
from ocop.storage.database import Database
from ocop.storage.tables import users
from ocop.text import N_

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
            raise InvalidInput.said(
                N_("Người dùng '{username}' đã có; chọn tên đăng nhập khác."),
                field="username",
                username=user.username,
            ) from exc
        return user

    def get(self, username: str) -> User:
        """The user with that username, or :class:`NotFound`."""
        with self.db.read() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            raise NotFound("user", username)
        return User.model_validate({k: row._mapping[k] for k in _FIELDS}, context=STORED)

    def all(self) -> list[User]:
        """Every user, by username."""
        with self.db.read() as conn:
            rows = conn.execute(select(users).order_by(users.c.username)).all()
        return [
            User.model_validate({k: r._mapping[k] for k in _FIELDS}, context=STORED) for r in rows
        ]

    def set_active(self, username: str, active: bool) -> User:
        """Enable or disable a user (users are never deleted: history names them).

        Disabling the last active administrator is refused with :class:`PermissionDenied`,
        checked inside the write transaction with the administrators' rows locked, so two
        administrators disabling each other at once leave one of them active.
        """
        c = users.c
        with self.db.write() as conn:
            if not active:
                admins = select(c.username).where(c.role == Role.ADMIN.value, c.active.is_(True))
                # FOR UPDATE on PostgreSQL (a second writer waits, then sees the first's
                # result); SQLite's write transaction already holds the database.
                found = set(conn.execute(admins.with_for_update()).scalars())
                if found == {username}:
                    raise PermissionDenied(
                        f"{username} is the last active administrator; add or enable another "
                        "one first.",
                        trigger=None,
                        reason="last_admin",
                        details={"actor": username},
                    )
            result = conn.execute(update(users).where(c.username == username).values(active=active))
        if result.rowcount != 1:
            raise NotFound("user", username)
        return self.get(username)
