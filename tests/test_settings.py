"""``ocop.Settings``: one configuration path for the CLI, the daemon and a host application."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import OFFICER, Clock, registration, to_rated

import ocop
from ocop.plan import LUU_VE_2026, luu_ve_2026

OFFICE = "phongkinhte@luuve.example"
PRODUCER = "minhanh@example.vn"


def _told(registry: ocop.Registry) -> set[tuple[str, str]]:
    registry.clock = Clock(date(2026, 3, 2))
    dossier = registry.register(registration(), actor=OFFICER)
    to_rated(registry, dossier.id)
    return {(m.kind, m.recipient) for m in registry.outbox.find(limit=None)}


@pytest.mark.parametrize("plan", [LUU_VE_2026, luu_ve_2026()], ids=["file", "loaded"])
def test_a_plan_in_the_settings_tells_its_officers(db_url: str, plan: object) -> None:
    with ocop.open(ocop.Settings(database=db_url, plan=plan)) as registry:
        assert registry.plan is not None and registry.plan.commune == "Lưu Vệ"
        told = _told(registry)
    assert ("rated", OFFICE) in told and ("rated", PRODUCER) in told


def test_without_a_plan_only_producers_are_told(db_url: str) -> None:
    with ocop.open(ocop.Settings(database=db_url)) as registry:
        assert registry.plan is None
        assert {recipient for _, recipient in _told(registry)} == {PRODUCER}


def test_a_url_is_the_same_as_settings_naming_only_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'o.db'}"
    with ocop.open(url) as by_url:
        assert by_url.plan is None
    with ocop.open(ocop.Settings(database=url, upgrade=False)) as by_settings:
        assert by_settings.database.schema_is_current()


def test_settings_refuse_a_key_they_do_not_know_and_a_bad_plan_names_its_file(
    tmp_path: Path,
) -> None:
    with pytest.raises(ValueError, match="smtp_url"):
        ocop.Settings(database="sqlite://", smtp_url="smtp://x")  # type: ignore[call-arg]
    bad = tmp_path / "plan.toml"
    bad.write_text('commune = "Lưu Vệ"\n', "utf-8")
    with pytest.raises(ocop.InvalidInput, match=str(bad)):
        ocop.open(ocop.Settings(database=f"sqlite:///{tmp_path / 'o.db'}", plan=bad))
    assert not (tmp_path / "o.db").exists()  # refused before the database was touched
