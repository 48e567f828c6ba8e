"""The lifecycle drawn for officers: a mermaid flowchart read top to bottom.

Drawn from :data:`~ocop.states.lifecycle.TRANSITIONS`, like the raw ``mermaid()`` graph, but
for people: states and steps in the reader's language, each step with the command officers
type (given by the caller, the CLI, which owns command names), the steps the daemon's sweep
takes on its own dotted and marked ⚙, the three outcomes of a rating labelled, and the main
path (register → … → certified) drawn thick, in order, so the layout puts it in one column.
A new cycle (``reapply``) leads to a "new cycle" box at the foot of the drawing instead of
looping back round everything to the top; the box says it is the registered state again.
"""

from __future__ import annotations

from collections.abc import Mapping

from ocop.states.lifecycle import INITIAL, TERMINAL, TRANSITIONS, State, Trigger
from ocop.text import N_, translator

__all__ = ["MAIN_PATH", "officers_diagram"]

MAIN_PATH: tuple[tuple[State, Trigger, State], ...] = (
    (State.REGISTERED, Trigger.CHECK, State.CHECKED),
    (State.CHECKED, Trigger.EVALUATE, State.COMMUNE_EVALUATED),
    (State.COMMUNE_EVALUATED, Trigger.SUBMIT, State.SUBMITTED),
    (State.SUBMITTED, Trigger.RATE, State.RATED),
    (State.RATED, Trigger.FLAG_RECERTIFICATION, State.RECERTIFICATION_DUE),
)
"""The way most dossiers go, drawn first and thick."""

_NEW_CYCLE = "new_cycle"
_OUTCOMES: dict[tuple[Trigger, State], str] = {
    (Trigger.RATE, State.RATED): N_("đạt 3–4★, cấp GCN"),
    (Trigger.RATE, State.NOT_RECOGNIZED): N_("dưới 3★"),
    (Trigger.RATE, State.CENTRAL_REVIEW): N_("đề nghị Trung ương xét 5★"),
    (Trigger.RATE_CENTRAL, State.RATED): N_("đạt 5★, cấp GCN"),
    (Trigger.RATE_CENTRAL, State.NOT_RECOGNIZED): N_("không đạt 5★"),
}
"""Where a step has several destinations, what takes the dossier to each (the catalogue's
Vietnamese; translated where it is drawn)."""


def _quote(text: str) -> str:
    # Mermaid's own escape for a double quote inside a quoted label.
    return '"' + text.replace('"', "#quot;") + '"'


def officers_diagram(lang: str = "vi", commands: Mapping[Trigger, str] | None = None) -> str:
    """The lifecycle as a mermaid ``flowchart TD`` in ``lang`` (``vi`` or ``en``).

    ``commands`` maps the steps people take to what they type (``ocop return``); a step
    without one is labelled with its words alone. Steps fired only by the system are drawn
    dotted and marked "⚙ tự động" / "⚙ automatic".
    """
    t = translator(lang)
    commands = commands or {}
    lines = ["flowchart TD"]
    start = t("Nộp hồ sơ")
    lines.append(f"    start([{_quote(start)}])")
    for state in State:
        lines.append(f"    {state.value}[{_quote(state.label(lang))}]")
    new_cycle = t("Chu kỳ mới: Đã đăng ký")
    lines.append(f"    {_NEW_CYCLE}([{_quote(new_cycle)}])")

    def label(trigger: Trigger, dest: State) -> str:
        words = trigger.label(lang)
        transition = TRANSITIONS[trigger]
        if transition.by_system:
            words = t("⚙ {step} (tự động)", step=words)
        elif trigger in commands:
            words = f"{words}: {commands[trigger]}"
        outcome = _OUTCOMES.get((trigger, dest))
        if outcome is not None:
            words += " → " + t(outcome)
        return _quote(words)

    def arrow(trigger: Trigger, main: bool) -> str:
        if TRANSITIONS[trigger].by_system:
            return "-.->"
        return "==>" if main else "-->"

    drawn: set[tuple[State | str, Trigger, State | str]] = set()
    lines.append(f"    start ==>|{label(Trigger.REGISTER, INITIAL)}| {INITIAL.value}")
    drawn.add(("start", Trigger.REGISTER, INITIAL))
    for source, trigger, dest in MAIN_PATH:
        lines.append(
            f"    {source.value} {arrow(trigger, True)}|{label(trigger, dest)}| {dest.value}"
        )
        drawn.add((source, trigger, dest))
    rest: list[tuple[State, Trigger, State | str]] = []
    for transition in TRANSITIONS.values():
        for source in sorted(transition.sources):
            for dest in transition.dests:
                if (source, transition.trigger, dest) in drawn:
                    continue
                target: State | str = _NEW_CYCLE if transition.trigger is Trigger.REAPPLY else dest
                rest.append((source, transition.trigger, target))
    # Edges from the lower states first, new cycles last: drawn by mermaid 11 in Chromium,
    # this order leaves 3 crossings between edges that share no state (the table's, 6).
    states = list(State)
    rest.sort(key=lambda edge: (edge[1] is Trigger.REAPPLY, -states.index(edge[0])))
    for source, trigger, target in rest:
        dest = target if isinstance(target, State) else INITIAL
        name = target.value if isinstance(target, State) else target
        lines.append(f"    {source.value} {arrow(trigger, False)}|{label(trigger, dest)}| {name}")
    lines.append("    classDef closed fill:#eee,stroke:#999,color:#555")
    lines.append(f"    class {','.join(sorted(s.value for s in TERMINAL))} closed")
    lines.append("    classDef auto stroke-dasharray: 4 3")
    automatic = sorted(
        {dest.value for t in TRANSITIONS.values() if t.by_system for dest in t.dests}
    )
    lines.append(f"    class {','.join(automatic)} auto")
    return "\n".join(lines) + "\n"
