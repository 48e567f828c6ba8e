"""Many officers at once: every transition commits whole or fails with ConcurrentUpdate.

The race window opens only when every officer process is ready: each opens its
registry, reads every dossier once (connection made, metadata and caches warm), says
so, and waits for one go signal. The window then lasts ``SECONDS``, and longer (up to
``MAX_SECONDS``) only until there were enough steps and at least one lost race, so a
slow or loaded machine does not make the test fail for want of a race it did not run.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import random
import time
from typing import Any

from factories import CRITERIA, OFFICER, PROVINCE_OFFICER, registration

import ocop
from ocop import ConcurrentUpdate, State

PROCESSES, DOSSIERS, SECONDS, MAX_SECONDS = 4, 8, 4.0, 60.0
READY_TIMEOUT = 120.0  # spawning 4 interpreters and opening 4 registries, on a loaded machine

# Each state's next step, cycling forever: ... rated -> reapply -> registered -> ...
NEXT: dict[State, tuple[str, ocop.Actor, dict[str, Any]]] = {
    State.REGISTERED: ("check", OFFICER, {"documents": ["mau_01", "mau_02"], "samples": 5}),
    State.CHECKED: ("evaluate", OFFICER, {"criteria": CRITERIA}),
    State.COMMUNE_EVALUATED: (
        "submit",
        OFFICER,
        {"letter_number": "1/UBND", "letter_date": "2026-08-20"},
    ),
    State.SUBMITTED: (
        "rate",
        PROVINCE_OFFICER,
        {"a": 30, "b": 15, "c": 20, "certificate_number": "G"},
    ),
    State.RATED: ("reapply", OFFICER, {}),
}


def _enough(committed: Any, lost: Any) -> bool:
    """What the test needs to have seen: more steps than dossiers, and a lost race."""
    return bool(committed.value > DOSSIERS and lost.value > 0)


def _officer(
    url: str,
    ids: list[int],
    seed: int,
    ready: mp.Queue,  # type: ignore[type-arg]
    go: Any,
    totals: tuple[Any, Any],
    out: mp.Queue,  # type: ignore[type-arg]
) -> None:
    rng = random.Random(seed)
    committed = lost = 0
    other: list[str] = []
    all_committed, all_lost = totals
    with ocop.open(url, upgrade=False) as reg:
        for dossier_id in ids:  # warm up: connection open, every dossier read once
            reg.get(dossier_id)
        ready.put(seed)
        if not go.wait(READY_TIMEOUT):
            out.put((0, 0, ["no go signal"]))
            return
        started = time.monotonic()
        while True:
            elapsed = time.monotonic() - started
            if elapsed >= MAX_SECONDS or (elapsed >= SECONDS and _enough(all_committed, all_lost)):
                break
            dossier = reg.get(rng.choice(ids))
            trigger, actor, data = NEXT[dossier.state]
            try:
                reg.fire(dossier.id, trigger, actor=actor, expected_version=dossier.version, **data)
                committed += 1
                with all_committed.get_lock():
                    all_committed.value += 1
            except ConcurrentUpdate:
                lost += 1
                with all_lost.get_lock():
                    all_lost.value += 1
            except ocop.OcopError as exc:
                other.append(f"{type(exc).__name__}: {exc}")
    out.put((committed, lost, other))


def _wait_for(q: mp.Queue, procs: list[Any], what: str, timeout: float) -> Any:  # type: ignore[type-arg]
    """The next item of ``q``; fails at once if an officer process died instead."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return q.get(timeout=0.5)
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            assert not dead, f"an officer process died (exit {dead}) before {what}"
            assert time.monotonic() < deadline, f"no officer process {what} in {timeout} s"


def test_officers_racing_lose_no_step_and_double_none(db_url: str) -> None:
    with ocop.open(db_url) as reg:
        ids = [reg.register(registration(), actor=OFFICER).id for _ in range(DOSSIERS)]
    ctx = mp.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    totals = (ctx.Value("i", 0), ctx.Value("i", 0))
    procs = [
        ctx.Process(target=_officer, args=(db_url, ids, n, ready, go, totals, out))
        for n in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    try:
        assert sorted(_wait_for(ready, procs, "got ready", READY_TIMEOUT) for _ in procs) == list(
            range(PROCESSES)
        )
        go.set()  # the window opens now, for every officer at once
        results = [_wait_for(out, procs, "reported", MAX_SECONDS + 60) for _ in procs]
    finally:
        go.set()
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    committed = sum(r[0] for r in results)
    lost = sum(r[1] for r in results)
    assert [r[2] for r in results] == [[]] * PROCESSES  # nothing but wins and clean losses
    assert (committed, lost) == (totals[0].value, totals[1].value)
    assert committed > DOSSIERS and lost > 0, (committed, lost)
    with ocop.open(db_url) as reg:
        rows = 0
        for dossier_id in ids:
            dossier, history = reg.get(dossier_id), reg.history(dossier_id)
            assert [h.version for h in history] == list(range(1, dossier.version + 1))
            state = None
            for entry in history:
                assert entry.from_state == state
                state = entry.to_state
            assert state is dossier.state
            rows += len(history)
    assert rows == DOSSIERS + committed  # every committed step has exactly one history row
    print(
        f"{PROCESSES} officers, {SECONDS} s: {committed} committed, {lost} lost races, {rows} rows"
    )
