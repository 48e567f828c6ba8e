"""The state machine alone, per trigger, vs a dict lookup of (state, trigger).

Also proves that firing builds no machine and binds no model per dossier: ``Machine.__init__``
and ``add_model`` are counted while the registry fires on hundreds of dossiers, and tracemalloc
shows how much memory each dossier fired on leaves behind.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from transitions import Machine

import ocop
from bench import data
from bench.context import Run
from bench.harness import Result, Target, alternate, per_op
from ocop import Role, State, Trigger
from ocop.states import RULE_SETS, TRANSITIONS, rule_set_for
from ocop.workflow.machine import Engine
from ocop.workflow.steps import Context, Outcome

__all__ = ["bench_machine"]


def _dossier(state: State, n: int = 0) -> ocop.Dossier:
    """A loaded dossier in ``state`` (no database needed)."""
    now = data.clock()()
    reg = data.registration(n)
    return ocop.Dossier(
        id=n + 1,
        product_name=reg["product_name"],
        product_set=reg["product_set"],
        kind=ocop.Kind.FIRST,
        producer=reg["producer"],
        commune=reg["commune"],
        province=reg["province"],
        owner=reg["owner"],
        state=state,
        cycle=1,
        rule_set="qd26-2026",
        version=1,
        registered_at=now,
        created_at=now,
        updated_at=now,
    )


def _table() -> dict[tuple[str, str], tuple[str, ...]]:
    """The lifecycle as a dict: (source state, trigger) → destinations."""
    return {
        (source.value, t.trigger.value): tuple(d.value for d in t.dests)
        for t in TRANSITIONS.values()
        for source in t.sources
    }


def _engine_loop(
    engine: Engine, trigger: Trigger, outcome: Outcome, ops: int
) -> Callable[[], None]:
    """``ops`` calls of ``Engine.fire`` with a step that only returns ``outcome``."""
    source = min(TRANSITIONS[trigger].sources, key=lambda s: s.value)
    dossier = _dossier(source)
    now = data.clock()()
    ctx = Context(now, data.TODAY, rule_set_for(data.TODAY), ocop.Calendar(), RULE_SETS)

    def step(d: ocop.Dossier, fields: Any, c: Context) -> Outcome:
        return outcome

    fire = engine.fire
    empty: dict[str, Any] = {}

    def loop() -> None:
        for _ in range(ops):
            fire(dossier, trigger, empty, ctx, step)

    return loop


def _transitions_loop(trigger: Trigger, ops: int) -> Callable[[], None]:
    """``ops`` triggers on a bare reused ``transitions`` machine (no guards, no callbacks)."""
    machine = Machine(
        model=None,
        states=[state.value for state in State],
        initial=State.REGISTERED.value,
        auto_transitions=False,
    )
    for transition in TRANSITIONS.values():
        for source in sorted(transition.sources):
            machine.add_transition(
                transition.trigger.value, source.value, transition.dests[0].value
            )
    source = min(TRANSITIONS[trigger].sources, key=lambda s: s.value).value

    class Model:
        state = source

    model = Model()
    event = machine.events[trigger.value]

    def loop() -> None:
        for _ in range(ops):
            model.state = source
            event.trigger(model)

    return loop


def _dict_loop(trigger: Trigger, ops: int) -> Callable[[], None]:
    """``ops`` lookups of (state, trigger) in a dict, the floor."""
    table = _table()
    source = min(TRANSITIONS[trigger].sources, key=lambda s: s.value).value
    key = (source, trigger.value)

    def loop() -> None:
        for _ in range(ops):
            table[key]

    return loop


@contextmanager
def _counting() -> Iterator[dict[str, int]]:
    """Count ``Machine.__init__`` and ``Machine.add_model`` calls in the block."""
    counts = {"machines": 0, "add_model": 0}
    init, add_model = Machine.__init__, Machine.add_model

    def counted_init(self: Machine, *args: Any, **kwargs: Any) -> None:
        counts["machines"] += 1
        init(self, *args, **kwargs)

    def counted_add_model(self: Machine, *args: Any, **kwargs: Any) -> None:
        counts["add_model"] += 1
        add_model(self, *args, **kwargs)

    Machine.__init__ = counted_init  # type: ignore[method-assign]
    Machine.add_model = counted_add_model  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        Machine.__init__ = init  # type: ignore[method-assign]
        Machine.add_model = add_model  # type: ignore[method-assign]


def _per_dossier_proof(run: Run) -> Result:
    """Fire on many dossiers through the Registry, counting machines and retained memory."""
    count = run.scale(400, 100)
    path = run.path("machine.db")
    with ocop.open(data.sqlite_url(path), clock=data.clock()) as registry:
        officers = {}
        for n in range(count):
            reg = data.registration(n)
            officer = data.actor_for(reg, Role.COMMUNE_OFFICER)
            officers[registry.register(reg, actor=officer).id] = officer
        engine = registry._engine  # the process's one machine
        # Warm up: the first fire fills caches that are not per dossier.
        first = next(iter(officers))
        registry.fire(first, "return_dossier", actor=officers[first], reason="x")
        dossiers = [registry.get(i) for i in officers if i != first]
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        with _counting() as counts:
            for d in dossiers:
                registry.fire(d.id, "return_dossier", actor=officers[d.id], reason="x")
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        models = len(engine.machine.models)
        same = registry._engine is ocop.open(data.sqlite_url(path))._engine
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    per_dossier = grown / len(dossiers)
    # What the machine itself keeps: allocations made in transitions or in ocop's engine.
    machine_only = [
        tracemalloc.Filter(True, "*/transitions/*"),
        tracemalloc.Filter(True, "*/ocop/workflow/machine.py"),
    ]
    machine_bytes = sum(
        s.size_diff
        for s in after.filter_traces(machine_only).compare_to(
            before.filter_traces(machine_only), "filename"
        )
    )
    ok = (
        counts["machines"] == 0
        and counts["add_model"] == 0
        and models == 0
        and same
        and machine_bytes <= 0
    )
    return Result(
        name=f"machine: built per dossier ({len(dossiers)} fired)",
        unit="B",
        samples=[max(machine_bytes, 0) / len(dossiers)],
        passed_override=ok,
        note=f"Machine() built: {counts['machines']}, add_model calls: {counts['add_model']}, "
        f"models attached: {models}, one Engine shared by registries: {same}; "
        f"memory kept per dossier fired (tracemalloc): {max(machine_bytes, 0) / len(dossiers):.0f} "
        f"B by transitions and the engine, {per_dossier:,.0f} B in all (bounded caches "
        "elsewhere, e.g. pydantic-core's string cache, ≈ 1 MB at most); a machine per dossier "
        "costs ≈ 25 KB",
    )


def _compare(
    reps: int, subject: Callable[[], None], floor: Callable[[], None], ops: int
) -> tuple[list[float], list[float]]:
    return alternate(reps, lambda: per_op(subject, ops), lambda: per_op(floor, ops))


def bench_machine(run: Run) -> list[Result]:
    """``Engine.fire`` (the shared machine) per trigger vs a dict lookup."""
    ops = run.scale(20_000, 5_000)
    engine = Engine()
    results = []
    cases = [
        (Trigger.CHECK, Outcome(), "check: 1 destination"),
        (Trigger.RATE, Outcome(dest=State.RATED), "rate: 3 destinations"),
    ]
    for trigger, outcome, label in cases:
        subject_loop = _engine_loop(engine, trigger, outcome, ops)
        floor_loop = _dict_loop(trigger, ops)
        subject_loop()
        floor_loop()
        subject, floor = _compare(run.reps, subject_loop, floor_loop, ops)
        results.append(
            Result(
                name=f"machine: Engine.fire, {label}",
                unit="µs",
                samples=subject,
                floor="a dict lookup of (state, trigger) in the same loop",
                floor_samples=floor,
                note="the shared transitions machine with a step that returns at once",
            )
        )
    bare = _transitions_loop(Trigger.CHECK, ops)
    bare()
    floor_loop = _dict_loop(Trigger.CHECK, ops)
    subject, floor = _compare(run.reps, bare, floor_loop, ops)
    results.append(
        Result(
            name="machine: bare transitions trigger, check",
            unit="µs",
            samples=subject,
            floor="the same dict lookup",
            floor_samples=floor,
            note="what the library builds on: a reused transitions.Machine, no callbacks",
        )
    )
    # Issue 14's floor for the engine: the bare trigger it was meant to cost, in one run.
    engine_loop = _engine_loop(engine, Trigger.CHECK, Outcome(), ops)
    subject, floor = _compare(run.reps, engine_loop, bare, ops)
    results.append(
        Result(
            name="machine: Engine.fire vs bare trigger, check",
            unit="µs",
            samples=subject,
            floor="the bare transitions trigger above",
            floor_samples=floor,
            target=Target("ratio_max", 1.5),
            note="what the engine adds to transitions: its step, guards and outcome",
        )
    )
    results.append(_per_dossier_proof(run))
    return results
