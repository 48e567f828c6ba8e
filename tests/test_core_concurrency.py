"""Two processes fire on the same dossiers at once: one wins, the other gets ConcurrentUpdate."""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.synchronize import Barrier

from factories import OFFICER, registration

import ocop
from ocop import ConcurrentUpdate, State

ROUNDS = 15


def _officer_process(
    url: str, ids: list[int], barrier: Barrier, trigger: str, out: mp.Queue
) -> None:  # type: ignore[type-arg]
    data = (
        {"reason": "Thiếu Mẫu 02"}
        if trigger == "return_dossier"
        else {"documents": ["mau_01", "mau_02"], "samples": 5}
    )
    results = []
    with ocop.open(url, upgrade=False) as reg:
        for dossier_id in ids:
            seen = reg.get(dossier_id).version
            barrier.wait(timeout=30)  # both have read version `seen` before either writes
            try:
                reg.fire(dossier_id, trigger, actor=OFFICER, expected_version=seen, **data)
                results.append((dossier_id, "won"))
            except ConcurrentUpdate:
                results.append((dossier_id, "lost"))
    out.put(results)


def test_two_processes_one_winner_per_dossier(db_url: str) -> None:
    with ocop.open(db_url) as reg:
        ids = [reg.register(registration(), actor=OFFICER).id for _ in range(ROUNDS)]
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(target=_officer_process, args=(db_url, ids, barrier, trigger, out))
        for trigger in ("check", "return_dossier")
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    outcomes: dict[int, list[str]] = {}
    for result in results:
        for dossier_id, outcome in result:
            outcomes.setdefault(dossier_id, []).append(outcome)
    assert all(sorted(o) == ["lost", "won"] for o in outcomes.values()), outcomes
    with ocop.open(db_url) as reg:
        for dossier_id in ids:
            dossier, history = reg.get(dossier_id), reg.history(dossier_id)
            assert len(history) == 2 == dossier.version
            assert dossier.state is history[-1].to_state
            assert dossier.state in (State.CHECKED, State.RETURNED)
