"""Each step command's options and its trigger's inputs (``ocop.states.inputs``) agree: every
input has its option, and every option reaches the library under an input's name."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from factories import OFFICER, Clock, registration
from pydantic import ValidationError

import ocop
from ocop.cli import build_parser
from ocop.errors import InvalidInput
from ocop.states import COMMUNE_CRITERIA, TRANSITIONS, Trigger
from ocop.states.inputs import INPUTS, input_model, input_named, input_names

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
            assert each.called and each.flag.startswith("--")
            assert each.label("vi") == each.called != each.label("en")


def _type_text(accepts: object) -> str:
    """A declared type as CONTRIBUTING.md writes it: ``date | str`` is ``date or str``."""
    text = getattr(accepts, "__name__", None) if not hasattr(accepts, "__args__") else None
    text = text or str(accepts)
    for prefix in ("typing.", "collections.abc.", "datetime.", "decimal."):
        text = text.replace(prefix, "")
    return text.replace(" | ", " or ")


def _documented(trigger: Trigger) -> str:
    inputs = "; ".join(f"`{i.name}` ({_type_text(i.accepts)}, `{i.flag}`)" for i in INPUTS[trigger])
    return f"- `{trigger.value}`: {inputs or 'nothing'}"


def test_contributing_lists_every_steps_inputs_as_declared() -> None:
    guide = (Path(__file__).resolve().parent.parent / "CONTRIBUTING.md").read_text()
    missing = [_documented(t) for t in INPUTS if _documented(t) not in guide]
    assert not missing, "CONTRIBUTING.md, 'Each step's inputs', should read:\n" + "\n".join(missing)


@pytest.mark.parametrize("trigger", sorted(INPUTS))
def test_each_triggers_model_is_its_declared_inputs(trigger: Trigger) -> None:
    model = input_model(trigger)
    assert set(model.model_fields) == input_names(trigger)
    for each in INPUTS[trigger]:
        field = model.model_fields[each.name]
        assert field.description == each.label("en")
        assert field.json_schema_extra == {"flag": each.flag}
    assert model.model_validate({}).model_dump() == dict.fromkeys(input_names(trigger))


def test_the_model_refuses_a_value_of_the_wrong_type_and_an_unknown_name() -> None:
    check = input_model(Trigger.CHECK)
    for bad in ({"samples": "5"}, {"samples": True}, {"documents": "mau_01"}, {"sample": 5}):
        with pytest.raises(ValidationError):
            check.model_validate(bad)
    assert check.model_validate({"samples": 5, "documents": ["mau_01"]}).samples == 5


def test_the_registry_refuses_a_value_of_the_wrong_type_naming_the_input(tmp_path: Path) -> None:
    registry = ocop.open(f"sqlite:///{tmp_path / 'o.db'}", clock=Clock())
    dossier = registry.register(registration(), actor=OFFICER)
    with pytest.raises(InvalidInput) as refused:
        registry.fire(dossier.id, "check", actor=OFFICER, documents=["mau_01"], samples="5")
    assert refused.value.field == "samples"
    assert registry.get(dossier.id).state.value == "registered"  # nothing changed
    registry.close()
