"""Each step command's options and its trigger's inputs (``ocop.states.inputs``) agree: every
input has its option, and every option reaches the library under an input's name."""

from __future__ import annotations

import argparse

import pytest

from ocop.cli import build_parser
from ocop.states import COMMUNE_CRITERIA, TRANSITIONS, Trigger
from ocop.states.inputs import INPUTS, input_named, input_names

# A value for each option, as an officer would type it.
SAMPLE = {
    "--reason": "Thiếu Mẫu 02",
    "--documents": "mau_01,mau_02",
    "--samples": "5",
    "--report-number": "12/BC-UBND",
    "--report-date": "20/08/2026",
    "--letter-number": "45/UBND-KT",
    "--letter-date": "30/08/2026",
    "--round": "2",
    "--a": "32",
    "--b": "18",
    "--c": "21",
    "--minimum-stars": "4",
    # One input, two options (the file, or one per member): both reach it as ``sheets``.
    "--sheets": "hoi-dong.csv",
    "--sheet": "Nguyễn Văn An:32:18,5:21:4",
    "--proposed-on": "20/07/2026",
    "--certificate": "2026-015",
    "--decision": "15/QĐ-UBND",
    "--issued-on": "01/09/2026",
    "--kind": "rerating",
    "--rule-set": "qd26-2026",
    "--ground": "fraud",
    **{"--" + c.replace("_", "-"): "Có" for c in COMMUNE_CRITERIA},
}


def _steps() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {name: p for name, p in sub.choices.items() if p.get_default("step_trigger") is not None}


def test_every_trigger_a_person_fires_on_a_dossier_has_a_command() -> None:
    fired = {p.get_default("step_trigger") for p in _steps().values()}
    people = {t for t in INPUTS if not TRANSITIONS[t].by_system}
    assert fired == people


@pytest.mark.parametrize("command", sorted(_steps()))
def test_a_commands_options_are_its_triggers_inputs(command: str) -> None:
    parser = _steps()[command]
    trigger: Trigger = parser.get_default("step_trigger")
    flags = {o for a in parser._actions for o in a.option_strings if o.startswith("--")} - {
        "--note",
        "--json",
        "--db",
        "--as",
        "--lang",
        "--config",
        "--debug",
        "--help",
    }
    wanted = {f for i in INPUTS[trigger] for f in i.flag.split("/")}
    assert flags == wanted, (command, flags ^ wanted)
    given: list[str] = ["7"]
    for flag in sorted(flags):
        given += [flag, SAMPLE[flag]]
    data = parser.get_default("step_data")(parser.parse_args(given))
    assert set(data) <= input_names(trigger), set(data) - input_names(trigger)
    assert set(data) == input_names(trigger)  # every option reaches the library


def test_the_same_name_means_the_same_input_everywhere() -> None:
    for inputs in INPUTS.values():
        for each in inputs:
            assert input_named(each.name) == each
            assert each.vi and each.en and each.flag.startswith("--")
