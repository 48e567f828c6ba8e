"""There is always an active administrator, also when two disable each other at once."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest

import ocop

ROUNDS = 12


def _admins(url: str) -> None:
    with ocop.open(url) as registry:
        for name in ("an", "binh"):
            registry.add_user({"username": name, "full_name": name.title(), "role": "admin"})


def _disable(url: str, other: str, ready: Any, go: Any, results: Any) -> None:
    # Opened before the go, so both processes race on the write alone.
    with ocop.open(url, upgrade=False) as registry:
        registry.users()
        ready.wait()
        go.wait()
        try:
            registry.set_user_active(other, False)
        except ocop.PermissionDenied as refused:
            results.put(("refused", refused.reason))
        else:
            results.put(("done", other))


def test_two_administrators_disabling_each_other_leave_one_active(db_url: str) -> None:
    _admins(db_url)
    context = multiprocessing.get_context("spawn")
    outcomes = []
    for _ in range(ROUNDS):
        ready, go, results = context.Barrier(3), context.Event(), context.Queue()
        workers = [
            context.Process(target=_disable, args=(db_url, other, ready, go, results))
            for other in ("binh", "an")
        ]
        for worker in workers:
            worker.start()
        ready.wait(timeout=120)
        go.set()
        for worker in workers:
            worker.join(timeout=120)
            assert worker.exitcode == 0
        got = sorted(results.get(timeout=10) for _ in workers)
        outcomes.append(got)
        with ocop.open(db_url, upgrade=False) as registry:
            active = [u.username for u in registry.users() if u.active]
            assert len(active) == 1, (got, active)
            assert [r for r in got if r[0] == "refused"] == [("refused", "last_admin")]
            for name in ("an", "binh"):
                registry.set_user_active(name, True)
    print(f"administrators: {ROUNDS} races, each left exactly one active: {outcomes[:2]} …")


def test_the_last_administrator_cannot_be_disabled(db_url: str) -> None:
    _admins(db_url)
    with ocop.open(db_url) as registry:
        registry.set_user_active("an", False)
        with pytest.raises(ocop.PermissionDenied) as refused:
            registry.set_user_active("binh", False)
        assert refused.value.reason == "last_admin"
        assert [u.username for u in registry.users() if u.active] == ["binh"]
