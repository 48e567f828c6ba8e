"""Many officers at once: every transition commits whole or fails with ConcurrentUpdate."""

from __future__ import annotations

import multiprocessing as mp
import random
import time
from typing import Any

from factories import CRITERIA, OFFICER, PROVINCE_OFFICER, registration

import ocop
from ocop import ConcurrentUpdate, State

PROCESSES, DOSSIERS, SECONDS = 4, 8, 4.0

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


def _officer(url: str, ids: list[int], seed: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    rng = random.Random(seed)
    committed = lost = 0
    other: list[str] = []
    deadline = time.monotonic() + SECONDS
    with ocop.open(url, upgrade=False) as reg:
        while time.monotonic() < deadline:
            dossier = reg.get(rng.choice(ids))
            trigger, actor, data = NEXT[dossier.state]
            try:
                reg.fire(dossier.id, trigger, actor=actor, expected_version=dossier.version, **data)
                committed += 1
            except ConcurrentUpdate:
                lost += 1
            except ocop.OcopError as exc:
                other.append(f"{type(exc).__name__}: {exc}")
    out.put((committed, lost, other))


def test_officers_racing_lose_no_step_and_double_none(db_url: str) -> None:
    with ocop.open(db_url) as reg:
        ids = [reg.register(registration(), actor=OFFICER).id for _ in range(DOSSIERS)]
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_officer, args=(db_url, ids, n, out)) for n in range(PROCESSES)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    committed = sum(r[0] for r in results)
    lost = sum(r[1] for r in results)
    assert [r[2] for r in results] == [[]] * PROCESSES  # nothing but wins and clean losses
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
