"""Each step command's options and its trigger's inputs (``ocop.states.inputs``) agree: every
input has its option, every option reaches the library under an input's name, as a value of the
type the input's model takes, and the help an officer reads is the declared one."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from factories import OFFICER, Clock, registration
from pydantic import ValidationError

import ocop
from ocop.cli import build_parser
from ocop.cli.steps import _Sheets
from ocop.errors import InvalidInput
from ocop.states import COMMUNE_CRITERIA, TRANSITIONS, Trigger
from ocop.states.inputs import INPUTS, Parse, input_model, input_named, input_names
from ocop.text import translator

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


def _steps_in(lang: str) -> dict[str, argparse.ArgumentParser]:
    parser = build_parser(lang)
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {name: p for name, p in sub.choices.items() if p.get_default("step_trigger") is not None}


def _steps() -> dict[str, argparse.ArgumentParser]:
    return _steps_in("vi")


def test_every_trigger_a_person_fires_on_a_dossier_has_a_command() -> None:
    fired = {p.get_default("step_trigger") for p in _steps().values()}
    people = {t for t in INPUTS if not TRANSITIONS[t].by_system}
    assert fired == people


def _flags(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings if o.startswith("--")} - {
        "--note",
        "--json",
        "--db",
        "--as",
        "--lang",
        "--config",
        "--debug",
        "--help",
    }


@pytest.mark.parametrize("command", sorted(_steps()))
def test_a_commands_options_are_its_triggers_inputs(command: str) -> None:
    parser = _steps()[command]
    trigger: Trigger = parser.get_default("step_trigger")
    flags = _flags(parser)
    # An option feeding no input, or an input with no option, fails here.
    wanted = {o.flag for i in INPUTS[trigger] for o in i.options}
    assert flags == wanted, (command, flags ^ wanted)
    given: list[str] = ["7"]
    for flag in sorted(flags):
        given += [flag, SAMPLE[flag]]
    data = parser.get_default("step_data")(parser.parse_args(given))
    assert set(data) <= input_names(trigger), set(data) - input_names(trigger)
    assert set(data) == input_names(trigger)  # every option reaches the library
    # ... as a value of the type its input takes (the sheets are read once the dossier is:
    # their reading is checked in tests/test_council_cli.py).
    sheets = data.pop("sheets", None)
    if sheets is not None:
        assert isinstance(sheets, _Sheets) and sheets.file == Path("hoi-dong.csv")
        assert sheets.specs == (SAMPLE["--sheet"],)
    input_model(trigger).model_validate(data)
    if trigger is Trigger.EVALUATE:
        assert set(data["criteria"]) == set(COMMUNE_CRITERIA)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("command", sorted(_steps()))
def test_each_option_is_helped_and_parsed_as_declared(command: str, lang: str) -> None:
    parser = _steps_in(lang)[command]
    t = translator(lang)
    actions = {a.option_strings[0]: a for a in parser._actions if a.option_strings}
    for each in INPUTS[parser.get_default("step_trigger")]:
        for option in each.options:
            action = actions[option.flag]
            assert action.help == option.help_text(t)
            assert "{" not in (action.help or "")  # every placeholder filled
            if lang == "en":
                assert action.help != option.help_text(translator("vi")), option.flag
            assert action.metavar == option.metavar
            assert isinstance(action, argparse._AppendAction) == option.repeated
            assert (action.choices is not None) == (option.parse is Parse.CHOICE)


def test_a_bad_value_is_refused_by_the_option_that_reads_it() -> None:
    steps = _steps()
    for command, flag, bad in (
        ("check", "--samples", "năm"),
        ("rate", "--a", "ba mươi"),
        ("submit", "--letter-date", "30/02/2026"),
        ("reapply", "--kind", "renew"),
        ("reapply", "--rule-set", "qd0-1999"),
    ):
        with pytest.raises(SystemExit):
            steps[command].parse_args(["7", flag, bad])


def test_the_same_name_means_the_same_input_everywhere() -> None:
    for inputs in INPUTS.values():
        for each in inputs:
            named = input_named(each.name)
            assert named is not None
            # The same meaning, type and options; only the help may say what this step asks
            # of it (a return's reason is required, a withdrawal's is not).
            assert (named.called, named.accepts, named.flag) == (
                each.called,
                each.accepts,
                each.flag,
            )
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
