"""The producer's language through the installed ``ocop`` (issue 14): ``register
--producer-lang`` and Mẫu 01's ``producer.lang``, refused in one line unless vi or en, shown
by ``show`` (and ``--json``), carried by ``export``; and a council's average written the
reader's way in ``show`` and ``history`` (72,33 in Vietnamese, 72.33 in English)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_helpers import Cli
from factories import OFFICER, PROVINCE_OFFICER, Clock, registration, to_submitted

import ocop


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.users()
    return runner


def _register(cli: Cli, *extra: str) -> dict[str, object]:
    out = cli.json(
        "--as", "lan", "register", "--product", "Nem chua Minh Anh", "--set", "8",
        "--producer", "Cơ sở Minh Anh", "--email", "minhanh@example.vn", *extra,
    )  # fmt: skip
    assert isinstance(out, dict)
    return out


def _count(cli: Cli) -> int:
    return len(cli.json("list"))


def test_register_takes_the_producers_language_and_show_says_it(cli: Cli) -> None:
    english = _register(cli, "--producer-lang", "en")
    unset = _register(cli)
    assert english["producer"]["lang"] == "en"  # type: ignore[index]
    assert unset["producer"]["lang"] is None  # type: ignore[index]
    assert cli.json("show", str(english["id"]))["producer"]["lang"] == "en"

    lines = cli.ok("show", str(english["id"])).splitlines()
    assert any(line.split() == ["Thư", "gửi", "chủ", "thể", "bằng", "tiếng", "Anh", "(en)"]
               for line in lines), lines  # fmt: skip
    assert "bằng ngôn ngữ của kế hoạch" in cli.ok("show", str(unset["id"]))
    assert "Producer's mail" in cli.ok("--lang", "en", "show", str(english["id"]))
    assert "in English (en)" in cli.ok("--lang", "en", "show", str(english["id"]))
    assert "in the plan's language" in cli.ok("--lang", "en", "show", str(unset["id"]))


def test_the_mau_01_file_gives_it_as_producer_lang_and_the_option_overrides_it(
    cli: Cli, tmp_path: Path
) -> None:
    form = tmp_path / "mau01.toml"
    form.write_text(
        'product_name = "Miến gạo Dung Tháp"\nproduct_set = 6\n'
        '[producer]\nname = "Cơ sở Dung Tháp"\nemail = "dungthap@example.vn"\nlang = "en"\n',
        encoding="utf-8",
    )
    from_file = cli.json("--as", "lan", "register", "--file", str(form))
    assert from_file["producer"]["lang"] == "en"
    overridden = cli.json("--as", "lan", "register", "--file", str(form), "--producer-lang", "vi")
    assert overridden["producer"]["lang"] == "vi"


def test_a_language_other_than_vi_or_en_is_one_line_and_nothing_is_registered(
    cli: Cli, tmp_path: Path
) -> None:
    form = tmp_path / "mau01.json"
    form.write_text(
        '{"product_name": "Miến gạo", "product_set": 6, '
        '"producer": {"name": "Cơ sở Dung Tháp", "lang": "fr"}}',
        encoding="utf-8",
    )
    result = cli("--as", "lan", "register", "--file", str(form))
    assert result.code == 2 and result.out == ""
    (line,) = result.err.strip().splitlines()
    assert line.endswith(
        f"{form}: producer.lang phải là vi hoặc en (ngôn ngữ thư gửi chủ thể), không phải 'fr'"
    ), line
    english = cli("--lang", "en", "--as", "lan", "register", "--file", str(form))
    assert english.code == 2
    assert "producer.lang must be vi or en (the language of the producer's mail), not 'fr'" in (
        english.err
    )

    option = cli(
        "--as", "lan", "register", "--product", "Nem chua", "--set", "8",
        "--producer", "Cơ sở", "--producer-lang", "fr",
    )  # fmt: skip
    assert option.code == 2 and option.out == ""
    assert len(option.err.strip().splitlines()) == 1, option.err
    assert "--producer-lang" in option.err and "'fr'" in option.err
    assert "Traceback" not in option.err + result.err + english.err
    assert _count(cli) == 0


def test_export_carries_the_producers_language(cli: Cli) -> None:
    _register(cli, "--producer-lang", "en")
    _register(cli)
    rows = list(csv.DictReader(io.StringIO(cli.ok("export"))))
    assert [row["producer_lang"] for row in rows] == ["en", ""]
    exported = json.loads(cli.ok("export", "--format", "json"))
    assert [d["producer"]["lang"] for d in exported] == ["en", None]


def test_a_councils_average_is_written_the_readers_way_in_show_and_history(cli: Cli) -> None:
    clock = Clock()
    with ocop.open(f"sqlite:///{cli.db}", clock=clock) as reg:
        dossier = reg.register(registration(), actor=OFFICER)
        to_submitted(reg, dossier.id)
        sheets = [
            {"member": "An", "a": 33, "b": 18, "c": 21},
            {"member": "Bình", "a": 33, "b": 18, "c": 21},
            {"member": "Chi", "a": 34, "b": 18, "c": 21},
        ]
        rated = reg.fire(
            dossier.id, "rate", actor=PROVINCE_OFFICER, sheets=sheets, certificate_number="GCN-1"
        )
    assert rated.rating is not None and abs(rated.rating.total - 72.333) < 0.001
    number = str(dossier.id)
    shown = cli.ok("show", number)
    assert "= 72,33" in shown and "A 33,33" in shown and "72.33" not in shown
    history = cli.ok("history", number)
    assert "72,33" in history and "72.33" not in history
    assert "= 72.33" in cli.ok("--lang", "en", "show", number)
    assert "72.33" in cli.ok("--lang", "en", "history", number)


def test_import_reads_producer_lang_so_an_export_reads_back_with_it(
    cli: Cli, tmp_path: Path
) -> None:
    header = "product_name,product_set,producer_name,email,producer_lang,certificate_number,"
    header += "stars,issued_on\n"
    rows = (
        "Bánh răng bừa Nga My,6,Cơ sở Nga My,ngamy@example.vn,EN,123/QĐ-UBND,3,14/07/2023\n"
        "Miến gạo Dung Tháp,6,Cơ sở Dung Tháp,dungthap@example.vn,,124/QĐ-UBND,3,2023-07-14\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(header + rows + "Nem chua,8,Cơ sở,a@example.vn,fr,125/QĐ,3,2023-07-14\n")
    refused = cli("--as", "lan", "import", str(bad))
    assert refused.code == 1 and "Traceback" not in refused.err
    assert "dòng 4: producer_lang: 'fr' không hợp lệ; ngôn ngữ thư gửi chủ thể là vi hoặc en" in (
        refused.err
    )
    assert _count(cli) == 0

    good = tmp_path / "good.csv"
    good.write_text(header + rows)
    imported = cli.json("--as", "lan", "import", str(good))
    assert [d["producer"]["lang"] for d in imported] == ["en", None]
    exported = tmp_path / "export.csv"
    cli.ok("export", "--output", str(exported))
    # Read back into a fresh database: the languages come through.
    (tmp_path / "other").mkdir()
    other = Cli(tmp_path / "other")
    other.users()
    again = other.json("--as", "lan", "import", str(exported))
    assert [d["producer"]["lang"] for d in again] == ["en", None]
