"""Imports of whole files (issue 14): read, checked and written as they come, in one
transaction, all rows or none, every bad row by its line; CSV and Excel; on both backends.

No timing is asserted here (``python -m bench --only import`` measures it); these tests hold
the behaviour that the speed must not cost: a bad row at the very end of a file of several
batches still writes nothing, each bad line is named, and what is written is what one
``import_certified`` at a time writes.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Cli
from factories import OFFICER, Clock

import ocop
from ocop.transfer import import_file, read_certified
from ocop.workflow.importing import BATCH

HEADER = "product_name,product_set,producer_name,certificate_number,stars,issued_on,email\n"
ROWS = 3 * BATCH + 17  # several batches written before the last row is read


def _line(n: int, **changes: str) -> str:
    cells = {
        "product_name": f"Sản phẩm {n}",
        "product_set": str(1 + n % 26),
        "producer_name": f"Cơ sở {n}",
        "certificate_number": f"{n}/QĐ-UBND",
        "stars": str(3 + n % 2),
        "issued_on": "14/07/2024",
        "email": f"coso{n}@example.vn",
    } | changes
    return ",".join(cells.values()) + "\n"


def _csv(count: int = ROWS, bad: dict[int, dict[str, str]] | None = None) -> bytes:
    """``count`` good rows (data row n on line n + 1), with the rows in ``bad`` changed."""
    bad = bad or {}
    lines = [HEADER] + [_line(n, **bad.get(n, {})) for n in range(1, count + 1)]
    return "".join(lines).encode()


def _tables(registry: ocop.Registry) -> tuple[int, int, int]:
    """How many dossier, history and outbox rows the database holds."""
    from sqlalchemy import func, select

    from ocop.storage.tables import dossiers, history, outbox

    with registry.database.read() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (dossiers, history, outbox)
        )


def test_a_bad_row_at_the_end_of_a_big_file_writes_nothing(registry: ocop.Registry) -> None:
    raw = _csv(bad={ROWS: {"stars": "7"}})
    result = import_file(registry, raw, actor=OFFICER)
    last = ROWS + 1
    assert list(result.problems) == [last]
    assert "stars: '7' không hợp lệ" in result.problems[last][0]
    assert (result.read, result.valid, result.imported, result.dossiers) == (ROWS, ROWS - 1, 0, [])
    # Three batches had been written inside the transaction before that line was read.
    assert _tables(registry) == (0, 0, 0)
    assert registry.find() == []


def test_every_bad_row_is_named_by_its_line_across_batches(registry: ocop.Registry) -> None:
    held = registry.import_certified(
        {
            "product_name": "Nem chua",
            "product_set": 8,
            "producer": {"name": "Cơ sở Minh Anh"},
            "commune": "Lưu Vệ",
            "province": "Thanh Hóa",
        },
        certificate_number="HELD-1",
        stars=3,
        issued_on="2024-01-02",
        actor=OFFICER,
    )
    bad = {
        2: {"stars": "7"},
        BATCH + 3: {"certificate_number": "10/QĐ-UBND"},  # repeats data row 10 (line 11)
        2 * BATCH + 5: {"certificate_number": "HELD-1"},  # on a stored dossier
        3 * BATCH + 1: {"email": "coso@@example.vn"},
        ROWS: {"issued_on": "31/02/2024"},
    }
    result = import_file(registry, _csv(bad=bad), actor=OFFICER, lang="en")
    assert sorted(result.problems) == sorted(n + 1 for n in bad)
    assert "stars: '7' is not valid" in result.problems[3][0]
    assert result.problems[BATCH + 4] == ["certificate 10/QĐ-UBND repeats line 11"]
    assert result.problems[2 * BATCH + 6] == [f"certificate HELD-1 is already on dossier {held.id}"]
    assert "email" in result.problems[3 * BATCH + 2][0]
    assert "31/02/2024" in result.problems[ROWS + 1][0]
    assert _tables(registry) == (1, 1, 0)


def test_a_good_file_is_written_whole_with_progress_and_a_summary(
    registry: ocop.Registry,
) -> None:
    seen: list[int] = []
    heard: list[int] = []
    registry.subscribe(lambda event: heard.append(event.after.id))
    result = import_file(registry, _csv(), actor=OFFICER, progress=seen.append)
    assert not result.problems
    assert (result.read, result.valid, result.imported) == (ROWS, ROWS, ROWS)
    assert len(result.dossiers) == 20  # the first ones, for a summary; not every row held
    assert seen == sorted(seen) and seen[-1] == ROWS and len(seen) >= ROWS // BATCH
    assert _tables(registry) == (ROWS, ROWS, 0)
    stored = registry.find()
    assert len({d.id for d in stored}) == ROWS
    assert [d.id for d in result.dossiers] == [d.id for d in stored[:20]]
    assert heard == [d.id for d in stored]  # subscribers hear of each, after the commit
    # Ids taken in bulk leave the database numbering new dossiers after them.
    after = registry.import_certified(
        {
            "product_name": "Mật ong",
            "product_set": 3,
            "producer": {"name": "Cơ sở Mật ong"},
            "commune": "Lưu Vệ",
            "province": "Thanh Hóa",
        },
        certificate_number="NEW-1",
        stars=3,
        issued_on="2024-01-02",
        actor=OFFICER,
    )
    assert after.id > max(d.id for d in stored)


def test_a_dry_run_checks_everything_and_writes_nothing(registry: ocop.Registry) -> None:
    result = import_file(registry, _csv(), actor=OFFICER, dry_run=True)
    assert (result.problems, result.valid, result.imported) == ({}, ROWS, 0)
    assert _tables(registry) == (0, 0, 0)
    refused = import_file(registry, _csv(bad={ROWS: {"stars": "x"}}), actor=OFFICER, dry_run=True)
    assert list(refused.problems) == [ROWS + 1]


def test_rows_are_written_as_import_certified_writes_them(db_url: str) -> None:
    """The bulk path and the one-at-a-time path store the same dossier and history row."""
    one = _line(1, issued_on="2024-07-14")
    product = next(
        args
        for _, args in read_certified(
            (HEADER + one).encode(), today=date(2026, 3, 2), commune="Lưu Vệ", province="Thanh Hóa"
        )
    )
    assert isinstance(product, dict)

    def stored(bulk: bool) -> tuple[Any, Any]:
        with ocop.open(db_url, clock=Clock()) as reg:
            if bulk:
                (dossier,) = reg.import_certified_many([product], actor=OFFICER)
            else:
                dossier = reg.import_certified(
                    product["registration"],
                    certificate_number=product["certificate_number"],
                    stars=product["stars"],
                    issued_on=product["issued_on"],
                    actor=OFFICER,
                )
            (entry,) = reg.history(dossier.id)
            got = reg.get(dossier.id)
            assert got == dossier
            # Each is removed again, so that the other path starts from the same empty tables.
            from sqlalchemy import delete

            from ocop.storage.tables import dossiers, history

            with reg.database.write() as conn:
                conn.execute(delete(history))
                conn.execute(delete(dossiers))
            return got.model_copy(update={"id": 0}), entry.model_copy(
                update={"id": 0, "dossier_id": 0}
            )

    assert stored(bulk=True) == stored(bulk=False)


def test_a_line_that_is_not_utf8_late_in_the_file_refuses_it(
    sqlite_registry: ocop.Registry,
) -> None:
    raw = _csv(count=BATCH + 10)
    lines = raw.split(b"\n")
    lines[BATCH + 5] = "Bánh,6,Co so,X-9,3,2023-01-01,a@b.vn".encode("latin-1")
    result = import_file(sqlite_registry, b"\n".join(lines), actor=OFFICER)
    assert list(result.problems) == [BATCH + 6]
    assert "không phải UTF-8" in result.problems[BATCH + 6][0]
    assert _tables(sqlite_registry) == (0, 0, 0)


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


XLSX_HEADER = ["product_name", "product_set", "producer_name", "certificate_number", "stars",
               "issued_on", "email"]  # fmt: skip


def test_an_excel_file_imports_with_the_same_rules(
    sqlite_registry: ocop.Registry, tmp_path: Path
) -> None:
    good = _xlsx(
        tmp_path / "good.xlsx",
        [
            XLSX_HEADER,
            # Dates as Excel dates, numbers as numbers, as a spreadsheet holds them.
            ["Bánh răng bừa Nga My", 6, "Cơ sở Nga My", "123/QĐ-UBND", 3, date(2023, 7, 14)],
            [],  # an empty row is skipped, and still counted
            ["Miến gạo Dung Tháp", 6.0, "Cơ sở Dung Tháp", "124/QĐ-UBND", 4, "14/07/2023",
             "dungthap@example.vn"],
        ],
    )  # fmt: skip
    result = import_file(sqlite_registry, good, actor=OFFICER)
    assert not result.problems and result.imported == 2
    first, second = result.dossiers
    assert first.certificate is not None and first.certificate.issued_on == date(2023, 7, 14)
    assert second.certificate is not None and second.certificate.stars == 4
    assert second.producer.email == "dungthap@example.vn"

    bad = _xlsx(
        tmp_path / "bad.xlsx",
        [
            XLSX_HEADER,
            ["Nem chua", 8, "Cơ sở Minh Anh", "125/QĐ-UBND", 3, date(2023, 3, 1)],
            ["Chè", 11, "Cơ sở Chè", "126/QĐ-UBND", 7, date(2023, 3, 1)],
            ["Mật ong", 3, "", "127/QĐ-UBND", 3, date(2023, 3, 1)],
            ["Mè xửng", 3, "Cơ sở Mè", "123/QĐ-UBND", 3, date(2023, 3, 1)],
        ],
    )
    refused = import_file(sqlite_registry, bad, actor=OFFICER)
    assert sorted(refused.problems) == [3, 4, 5]  # Excel's own row numbers
    assert "stars: '7'" in refused.problems[3][0]
    assert refused.problems[4] == ["producer_name: ô trống"]
    assert refused.problems[5] == [f"số GCN 123/QĐ-UBND đã có ở hồ sơ {first.id}"]
    assert _tables(sqlite_registry) == (2, 2, 0)


def test_a_damaged_excel_file_is_one_line(sqlite_registry: ocop.Registry) -> None:
    result = import_file(sqlite_registry, io.BytesIO(b"PK\x03\x04 not a workbook"), actor=OFFICER)
    assert list(result.problems) == [1]
    assert "không đọc được tệp Excel" in result.problems[1][0]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.users()
    return runner


def test_the_command_imports_an_xlsx_and_refuses_a_big_file_with_a_bad_last_row(
    cli: Cli, tmp_path: Path
) -> None:
    book = _xlsx(
        tmp_path / "products.xlsx",
        [XLSX_HEADER, ["Bánh răng bừa Nga My", 6, "Cơ sở Nga My", "1/X", 3, date(2023, 7, 14)]],
    )
    assert "Đã nhập 1 hồ sơ." in cli.ok("--as", "lan", "import", str(book))
    big = tmp_path / "big.csv"
    big.write_bytes(_csv(bad={ROWS: {"product_set": "30"}}))
    result = cli("--as", "lan", "import", str(big))
    assert result.code == 1
    assert result.err.splitlines()[0].endswith(
        f"dòng {ROWS + 1}: product_set: '30' không hợp lệ; bộ sản phẩm từ 1 đến 26"
    )
    assert "Không nhập dòng nào: 1 dòng có lỗi" in result.err
    assert len(cli.json("--as", "lan", "list")) == 1
