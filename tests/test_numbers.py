"""The numbers of the record (QĐ 26/2026, issue 13.1): the registration form number
``…/PĐK-(Mã tỉnh)-(Mã xã)-(Năm)`` and the product code ``(T)-(X)-(STT)-(Năm)``.

Codes come from the plan's ``[numbers]``; without them the numbers are pending and say which key
to set. STT is gap-free and unique per commune, also when two processes rate at once.
"""

from __future__ import annotations

import multiprocessing as mp
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from factories import (
    OFFICER,
    PROVINCE_OFFICER,
    Clock,
    registration,
    to_rated,
    to_submitted,
)
from sqlalchemy import create_engine, text

import ocop
from ocop import GuardFailed, PermissionDenied
from ocop.plan import LUU_VE_2026, parse_plan
from ocop.settings import Settings
from ocop.storage.dossiers import DossierStore

PLAN_TEXT = LUU_VE_2026.read_text(encoding="utf-8")
QUANG_YEN = ocop.Actor("binh", "commune_officer", commune="Quảng Yên", province="Thanh Hóa")


def _plan(**numbers: str) -> Any:
    """The Lưu Vệ plan with its [numbers] table replaced by ``numbers``."""
    head, _, tail = PLAN_TEXT.partition("[numbers]")
    rest = tail[tail.index("[reminders]") :]
    table = "".join(f'{key} = "{value}"\n' for key, value in numbers.items())
    return parse_plan(f"{head}[numbers]\n{table}\n{rest}")


def _open(url: str, clock: Clock, plan: Any = None, **kw: Any) -> ocop.Registry:
    return ocop.open(Settings(database=url, plan=plan), clock=clock, **kw)


@pytest.fixture
def numbered(db_url: str) -> Any:
    clock = Clock(date(2026, 8, 10))
    with _open(db_url, clock, _plan(province_code="38", commune_code="16087")) as reg:
        yield reg, clock


def test_the_shipped_plan_marks_its_codes_illustrative() -> None:
    plan = ocop.plan.luu_ve_2026()
    assert (plan.numbers.province_code, plan.numbers.commune_code) == ("38", "00000")
    assert plan.numbers.illustrative
    assert "ILLUSTRATIVE" in PLAN_TEXT


def test_registration_gets_the_commune_running_form_number_of_the_year(numbered: Any) -> None:
    reg, clock = numbered
    first = reg.register(registration(), actor=OFFICER)
    second = reg.register(registration(product_name="Miến gạo Dung Tháp"), actor=OFFICER)
    assert first.form_number == "1/PĐK-38-16087-2026"
    assert second.form_number == "2/PĐK-38-16087-2026"
    assert reg.get(first.id).form_number == first.form_number
    assert reg.history(first.id)[0].payload["form_number"] == first.form_number
    clock.set(date(2027, 1, 4))
    assert reg.register(registration(), actor=OFFICER).form_number == "1/PĐK-38-16087-2027"


def test_a_typed_paper_form_number_is_kept_and_takes_no_running_number(numbered: Any) -> None:
    reg, _ = numbered
    typed = reg.register(registration(form_number="07-03/PĐK-38-16087-2026"), actor=OFFICER)
    assert typed.form_number == "07-03/PĐK-38-16087-2026"
    assert reg.register(registration(), actor=OFFICER).form_number == "1/PĐK-38-16087-2026"
    # A typed number the counter would give next is skipped: never two dossiers with one number.
    reg.register(registration(form_number="2/PĐK-38-16087-2026"), actor=OFFICER)
    assert reg.register(registration(), actor=OFFICER).form_number == "3/PĐK-38-16087-2026"
    assert reg.count(number="2/PĐK-38-16087-2026") == 1


def test_the_form_serial_template_is_configurable(db_url: str) -> None:
    plan = _plan(province_code="38", commune_code="16087", form_serial="{seq:03d}-{month:02d}")
    with _open(db_url, Clock(date(2026, 8, 10)), plan) as reg:
        assert reg.register(registration(), actor=OFFICER).form_number == "001-08/PĐK-38-16087-2026"


@pytest.mark.parametrize(
    ("serial", "why"),
    [("{n}", "must contain {seq}"), ("{seq}/{month}", "without '/'"), ("{seq}{day}", "template")],
)
def test_a_bad_form_serial_is_refused_naming_the_key(serial: str, why: str) -> None:
    with pytest.raises(ocop.InvalidInput, match=r"numbers\.form_serial") as refused:
        _plan(province_code="38", commune_code="1", form_serial=serial)
    assert why in str(refused.value)


def test_a_recognised_product_gets_its_code_and_stt_runs_across_years(numbered: Any) -> None:
    reg, clock = numbered
    first = to_rated(reg, reg.register(registration(), actor=OFFICER).id)
    assert first.certificate is not None and first.product_code == "38-16087-1-2026"
    history = reg.history(first.id)
    assert (
        history[-1].trigger == "rate" and history[-1].payload["product_code"] == "38-16087-1-2026"
    )
    low = to_rated(reg, reg.register(registration(), actor=OFFICER).id, a=10, b=10, c=10)
    assert low.state is ocop.State.NOT_RECOGNIZED and low.product_code is None
    clock.set(date(2027, 3, 1))
    later = to_rated(reg, reg.register(registration(), actor=OFFICER).id)
    assert later.product_code == "38-16087-2-2027"  # the 2★ took none: no gap


def test_a_product_proposed_for_5_stars_gets_its_code_from_the_central_rating(
    numbered: Any,
) -> None:
    reg, _ = numbered
    dossier = reg.register(registration(), actor=OFFICER)
    to_submitted(reg, dossier.id)
    proposed = reg.fire(
        dossier.id, "rate", actor=PROVINCE_OFFICER, a=38, b=24, c=33, certificate_number="X"
    )
    if proposed.state is ocop.State.CENTRAL_REVIEW:
        assert proposed.product_code is None
        central = ocop.Actor("tam", "central_officer")
        rated = reg.fire(
            dossier.id, "rate_central", actor=central, a=38, b=24, c=33, certificate_number="TW-1"
        )
        assert rated.product_code == "38-16087-1-2026"
    else:  # a rule set where the province gives 5★ itself
        assert proposed.product_code == "38-16087-1-2026"


def test_rerating_keeps_the_product_code_and_files_a_new_form_number(numbered: Any) -> None:
    reg, clock = numbered
    rated = to_rated(reg, reg.register(registration(), actor=OFFICER).id)
    assert rated.certificate is not None
    clock.set(date(2029, 2, 20))  # inside the re-rating window before the 36 months end
    again = reg.fire(rated.id, "reapply", actor=OFFICER, kind="rerating")
    assert again.form_number == "1/PĐK-38-16087-2029"
    assert again.product_code == "38-16087-1-2026"
    rerated = to_rated(reg, rated.id)
    assert rerated.product_code == "38-16087-1-2026"
    assert rerated.form_number == "1/PĐK-38-16087-2029"
    # The first cycle's form number stays in the history.
    assert reg.history(rated.id)[0].payload["form_number"] == "1/PĐK-38-16087-2026"
    fresh = to_rated(reg, reg.register(registration(), actor=OFFICER).id)
    assert fresh.product_code == "38-16087-2-2029"


def test_without_codes_the_numbers_are_pending_and_say_what_to_set(db_url: str) -> None:
    clock = Clock(date(2026, 8, 10))
    with _open(db_url, clock) as bare:
        dossier = bare.register(registration(), actor=OFFICER)
        rated = to_rated(bare, dossier.id)
        assert (rated.form_number, rated.product_code) == (None, None)
        assert rated.state is ocop.State.RATED  # the province's decision is recorded anyway
        assert bare.missing_codes(rated) == ["plan"]
        with pytest.raises(GuardFailed, match="plan of Lưu Vệ, Thanh Hóa"):
            bare.assign_numbers(dossier.id, actor=OFFICER)
    with _open(db_url, clock, _plan(province_code="38")) as half:
        assert half.missing_codes(rated) == ["numbers.commune_code"]
        with pytest.raises(GuardFailed, match=r"numbers\.commune_code"):
            half.assign_numbers(dossier.id, actor=OFFICER)
    with _open(db_url, clock, _plan(province_code="38", commune_code="16087")) as full:
        assert full.missing_codes(rated) == []
        with pytest.raises(PermissionDenied):
            full.assign_numbers(dossier.id, actor=PROVINCE_OFFICER)
        with pytest.raises(PermissionDenied):
            full.assign_numbers(dossier.id, actor=QUANG_YEN)
        done = full.assign_numbers(dossier.id, actor=OFFICER)
        assert done.form_number == "1/PĐK-38-16087-2026"
        assert done.product_code == "38-16087-1-2026"  # the year of its rating
        assert done.version == rated.version + 1 and done.state is rated.state
        last = full.history(dossier.id)[-1]
        assert last.trigger == "assign_numbers" and last.actor == "lan"
        with pytest.raises(GuardFailed, match="none is pending"):
            full.assign_numbers(dossier.id, actor=OFFICER)


def test_a_commune_outside_the_plan_takes_codes_a_host_gives(db_url: str) -> None:
    plan = _plan(province_code="38", commune_code="16087")
    areas = {("Thanh Hóa", "Quảng Yên"): ocop.AreaCodes("38", "16090")}
    clock = Clock(date(2026, 8, 10))
    with _open(db_url, clock, plan, area_codes=areas) as reg:
        other = reg.register(registration(commune="Quảng Yên"), actor=QUANG_YEN)
        mine = reg.register(registration(), actor=OFFICER)
        assert other.form_number == "1/PĐK-38-16090-2026"
        assert mine.form_number == "1/PĐK-38-16087-2026"


def test_numbers_are_searchable_in_find_and_count(numbered: Any) -> None:
    reg, _ = numbered
    a = to_rated(reg, reg.register(registration(), actor=OFFICER).id)
    b = reg.register(registration(product_name="Bánh răng bừa Nga My"), actor=OFFICER)
    assert [d.id for d in reg.find(number="2/PĐK-38")] == [b.id]
    assert [d.id for d in reg.find(number="/pđk-38-16087-2026")] == [a.id, b.id]
    assert [d.id for d in reg.find(code="38-16087-1-2026")] == [a.id]
    assert reg.count(code="-1-2026") == 1 and reg.find(code="99-") == []
    assert reg.find(number="%") == [] and reg.find(code="_") == []
    assert [d.id for d in reg.find(order_by="code")] == [a.id, b.id]
    assert reg.find(code="38-16087-1-2026", actor=QUANG_YEN) == []


def test_a_failed_write_gives_its_number_back(
    numbered: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg, _ = numbered
    first = reg.register(registration(), actor=OFFICER)
    to_submitted(reg, first.id)
    second = to_submitted(reg, reg.register(registration(), actor=OFFICER).id)
    real = DossierStore._append

    def broken(*args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(DossierStore, "_append", broken)
    with pytest.raises(RuntimeError):
        reg.fire(first.id, "rate", actor=PROVINCE_OFFICER, a=30, b=15, c=20, certificate_number="1")
    monkeypatch.setattr(DossierStore, "_append", real)
    rated = reg.fire(
        second.id, "rate", actor=PROVINCE_OFFICER, a=30, b=15, c=20, certificate_number="2"
    )
    assert rated.product_code == "38-16087-1-2026"
    assert reg.get(first.id).product_code is None


# -- two officers rating at once ------------------------------------------------------------

RACERS = 2
PER_RACER = 12


def _rate_all(url: str, plan: str, ids: list[int], ready: Any, go: Any, out: Any) -> None:
    clock = Clock(date(2026, 8, 10))
    with ocop.open(Settings(database=url, plan=Path(plan)), clock=clock, upgrade=False) as reg:
        for dossier_id in ids:
            reg.get(dossier_id)
        ready.wait(timeout=120)
        go.wait(timeout=120)
        codes = []
        for dossier_id in ids:
            rated = reg.fire(
                dossier_id,
                "rate",
                actor=PROVINCE_OFFICER,
                a=30,
                b=15,
                c=20,
                certificate_number=f"GCN-{dossier_id}",
            )
            codes.append((dossier_id, rated.product_code))
            # A new registration between ratings races for the form counter as well.
            new = reg.register(registration(product_name=f"Sản phẩm {dossier_id}"), actor=OFFICER)
            codes.append((-new.id, new.form_number))
    out.put(codes)


def test_two_officers_rating_at_once_get_unique_gap_free_stt(db_url: str, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.toml"
    head, _, tail = PLAN_TEXT.partition("[numbers]")
    plan_file.write_text(
        f'{head}[numbers]\nprovince_code = "38"\ncommune_code = "16087"\n\n'
        + tail[tail.index("[reminders]") :],
        encoding="utf-8",
    )
    clock = Clock(date(2026, 8, 10))
    with ocop.open(Settings(database=db_url, plan=plan_file), clock=clock) as reg:
        ids = []
        for _ in range(RACERS * PER_RACER):
            ids.append(to_submitted(reg, reg.register(registration(), actor=OFFICER).id).id)
    ctx = mp.get_context("spawn")
    ready, go, out = ctx.Barrier(RACERS + 1), ctx.Event(), ctx.Queue()
    shares = [ids[i::RACERS] for i in range(RACERS)]
    procs = [
        ctx.Process(target=_rate_all, args=(db_url, str(plan_file), share, ready, go, out))
        for share in shares
    ]
    for p in procs:
        p.start()
    ready.wait(timeout=120)
    go.set()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    codes = [code for result in results for key, code in result if key > 0]
    forms = [form for result in results for key, form in result if key < 0]
    total = RACERS * PER_RACER
    assert sorted(codes) == sorted(f"38-16087-{n}-2026" for n in range(1, total + 1))
    assert sorted(forms) == sorted(
        f"{n}/PĐK-38-16087-2026" for n in range(total + 1, 2 * total + 1)
    )
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT kind, year, last FROM ocop_counters ORDER BY kind")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("form", 2026, 2 * total), ("product", 0, total)]
    # How often the next STT went to the other process: the two really took turns.
    owner = {int(c.split("-")[2]): i for i, r in enumerate(results) for k, c in r if k > 0}
    switches = sum(owner[n] != owner[n + 1] for n in range(1, total))
    print(
        f"{RACERS} officers × {PER_RACER} ratings at once: STT 1–{total}, no gap, none twice; "
        f"the next STT changed hands {switches} times"
    )


# -- the CLI ----------------------------------------------------------------------------------


def _cli_rated(cli: Any, env: dict[str, str]) -> int:
    made = cli.json(
        "--as", "lan", "register", "--product", "Nem chua Minh Anh", "--set", "8",
        "--producer", "Cơ sở Minh Anh", env=env,
    )  # fmt: skip
    number = str(made["id"])
    cli.ok(
        "--as", "lan", "check", number, "--documents", "mau_01,mau_02", "--samples", "5", env=env
    )
    cli.ok(
        "--as", "lan", "evaluate", number, "--local-materials", "Thịt lợn của xã",
        "--local-labour", "12 lao động", "--idea-origin", "Truyền thống",
        "--local-identity", "Nem lá ổi", env=env,
    )  # fmt: skip
    cli.ok("--as", "lan", "submit", number, "--letter-number", "45/UBND-KT",
           "--letter-date", "2026-08-10", env=env)  # fmt: skip
    cli.ok("--as", "hoa", "rate", number, "--a", "30", "--b", "15", "--c", "20",
           "--certificate", "GCN-1", env=env)  # fmt: skip
    return int(number)


def test_the_cli_shows_lists_and_searches_the_numbers_and_gives_pending_ones(
    tmp_path: Path,
) -> None:
    from cli_helpers import LUU_VE_PLAN, Cli, at, vietnam

    cli = Cli(tmp_path)
    cli.users()
    env = at(cli.env, vietnam("2026-08-10 09:00"))
    bare = _cli_rated(cli, env)
    shown = cli.ok("--as", "lan", "show", str(bare), env=env)
    assert "Số phiếu đăng ký" in shown and "chưa cấp" in shown
    assert "numbers.province_code" in shown and "OCOP_PLAN" in shown
    refused = cli("--as", "lan", "number", str(bare), env=env)
    assert refused.code == 1 and refused.out == ""
    assert refused.err.count("\n") == 1 and "Chưa thể cấp số cho hồ sơ" in refused.err
    planned = env | {"OCOP_PLAN": LUU_VE_PLAN}
    assert "chưa cấp: chạy `ocop number" in cli.ok("--as", "lan", "show", str(bare), env=planned)
    given = cli.ok("--as", "lan", "number", str(bare), env=planned)
    assert "1/PĐK-38-00000-2026" in given and "38-00000-1-2026" in given
    history = cli.ok("--as", "lan", "history", str(bare), env=planned)
    assert "Cấp số phiếu / mã sản phẩm" in history and "mã SP 38-00000-1-2026" in history
    again = cli("--as", "lan", "number", str(bare), env=planned)
    assert again.code == 1 and "không còn số nào chờ cấp" in again.err
    numbered = _cli_rated(cli, planned)
    registered = cli.ok(
        "--as", "lan", "register", "--product", "Bánh gai", "--set", "6", "--producer", "Hộ Ba",
        env=planned,
    )  # fmt: skip
    assert "  Số phiếu đăng ký: 3/PĐK-38-00000-2026" in registered
    shown = cli.ok("--as", "lan", "show", str(numbered), env=planned)
    assert "2/PĐK-38-00000-2026" in shown and "38-00000-2-2026" in shown
    english = cli.ok("--as", "lan", "--lang", "en", "show", str(numbered), env=planned)
    assert "OCOP product code" in english and "38-00000-2-2026" in english
    listed = cli.ok("--as", "lan", "list", "--code", "38-00000-2", env=planned)
    assert "Mã sản phẩm" in listed and "38-00000-2-2026" in listed and "1 hồ sơ" in listed
    found = cli.json("--as", "lan", "list", "--number", "1/pđk-38", env=planned)
    assert [d["id"] for d in found] == [bare]
    assert found[0]["form_number"] == "1/PĐK-38-00000-2026"
    assert cli.json("--as", "binh", "list", "--code", "38-00000", env=planned) == []


# -- exports and documents ---------------------------------------------------------------------


def test_exports_and_the_dossier_list_carry_both_numbers(numbered: Any, tmp_path: Path) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    from ocop.cli.transfer import _export_row
    from ocop.documents import build_dossier_list, write_xlsx
    from ocop.transfer import EXPORT_COLUMNS

    reg, _ = numbered
    rated = to_rated(reg, reg.register(registration(), actor=OFFICER).id)
    waiting = reg.register(registration(product_name="Miến gạo Dung Tháp"), actor=OFFICER)
    assert EXPORT_COLUMNS.index("product_code") == EXPORT_COLUMNS.index("form_number") + 1
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    for d in (rated, waiting):
        writer.writerow(_export_row(d, "vi"))
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert [(r["form_number"], r["product_code"]) for r in rows] == [
        ("1/PĐK-38-16087-2026", "38-16087-1-2026"),
        ("2/PĐK-38-16087-2026", ""),
    ]
    listing = build_dossier_list([rated, waiting], as_of=date(2026, 8, 31))
    path = tmp_path / "ds.xlsx"
    write_xlsx(listing, path)
    sheet = load_workbook(path).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in cells if "Số phiếu đăng ký" in r)
    first, second = cells[cells.index(header) + 1], cells[cells.index(header) + 2]
    form, code = header.index("Số phiếu đăng ký"), header.index("Mã sản phẩm OCOP")
    assert (first[form], first[code]) == ("1/PĐK-38-16087-2026", "38-16087-1-2026")
    assert (second[form], second[code]) == ("2/PĐK-38-16087-2026", None)
    english = build_dossier_list([rated], as_of=date(2026, 8, 31), lang="en")
    assert "Registration form no." in english.columns and "OCOP product code" in english.columns
    assert len(english.columns) == len(english.rows[0].__dataclass_fields__)


def test_the_request_letter_lists_each_dossier_with_its_numbers(
    numbered: Any, tmp_path: Path
) -> None:
    import docx

    from ocop.documents import build_request_letter, write_docx

    reg, clock = numbered
    old = to_rated(reg, reg.register(registration(), actor=OFFICER).id)
    clock.set(date(2029, 2, 20))
    reg.fire(old.id, "reapply", actor=OFFICER, kind="rerating")
    new = reg.register(registration(product_name="Miến gạo Dung Tháp"), actor=OFFICER)
    sent = [to_submitted(reg, d) for d in (old.id, new.id)]
    letter = build_request_letter(sent)
    assert [(i.form_number, i.product_code) for i in letter.items] == [
        ("1/PĐK-38-16087-2029", "38-16087-1-2026"),
        ("2/PĐK-38-16087-2029", None),
    ]
    assert "Số phiếu đăng ký" in letter.columns
    assert "Registration form no." in build_request_letter(sent, lang="en").columns
    path = tmp_path / "letter.docx"
    write_docx(letter, path)
    table = next(t for t in docx.Document(str(path)).tables if t.rows[0].cells[0].text == "STT")
    header = [c.text for c in table.rows[0].cells]
    form = header.index("Số phiếu đăng ký")
    cells = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [row[form] for row in cells] == ["1/PĐK-38-16087-2029", "2/PĐK-38-16087-2029"]
    assert "38-16087-1-2026" in cells[0][header.index("Hình thức")]
    assert "Đánh giá lại" in cells[0][header.index("Hình thức")]
    assert cells[1][header.index("Hình thức")] == "Lần đầu"


def test_the_demo_numbers_its_dossiers_and_says_the_codes_are_illustrative(tmp_path: Path) -> None:
    from cli_helpers import Cli

    cli = Cli(tmp_path)
    out = cli.ok("demo")
    assert "Mã tỉnh 38 và mã xã 00000 của kế hoạch là mã minh họa" in out
    lines = [line.strip() for line in out.splitlines()]
    forms = [line.split()[-1] for line in lines if line.startswith("số phiếu đăng ký ")]
    codes = [line.split()[-1] for line in lines if line.startswith("mã sản phẩm OCOP ")]
    assert forms and forms == [f"{n}/PĐK-38-00000-2026" for n in range(1, len(forms) + 1)]
    assert codes and codes == [f"38-00000-{n}-2026" for n in range(1, len(codes) + 1)]
    english = Cli(tmp_path / "en")
    (tmp_path / "en").mkdir()
    assert "are illustrative, not those of QĐ 19/2025/QĐ-TTg" in english.ok("--lang", "en", "demo")


def test_an_older_database_upgrades_and_keeps_its_typed_form_numbers(db_url: str) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import column, insert, table

    from ocop.storage.database import Database
    from ocop.storage.migrations import HEAD
    from ocop.storage.tables import dossiers

    db = Database(db_url)
    db.upgrade("0005")
    moment = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    body = {
        "producer": {"name": "Cơ sở Minh Anh"},
        "documents": [],
        "samples": 0,
        "form_number": "07/PĐK-38-16087-2026",
    }
    row = {
        "product_name": "Nem chua Minh Anh",
        "search_key": "nem chua minh anh",
        "product_set": 8,
        "kind": "first",
        "state": "registered",
        "cycle": 1,
        "rule_set": "qd148-2023+qd1489-2025",
        "version": 1,
        "commune": "Lưu Vệ",
        "province": "Thanh Hóa",
        "registered_at": moment,
        "created_at": moment,
        "updated_at": moment,
        "body": body,
    }
    with db.write() as conn:
        # The 0005 table: the columns as they were before form_number and product_code.
        before = table("ocop_dossiers", *(column(name, dossiers.c[name].type) for name in row))
        conn.execute(insert(before), row)
    db.upgrade()
    assert db.revision() == HEAD
    db.close()
    with _open(
        db_url, Clock(date(2026, 3, 2)), _plan(province_code="38", commune_code="16087")
    ) as reg:
        old = reg.find()[0]
        assert old.form_number == "07/PĐK-38-16087-2026" and old.product_code is None
        assert [d.id for d in reg.find(number="07/PĐK")] == [old.id]
        # The counter starts at 1: a typed number is the paper's, not the counter's.
        assert reg.register(registration(), actor=OFFICER).form_number == "1/PĐK-38-16087-2026"


def test_an_upgrade_keeps_the_product_code(numbered: Any) -> None:
    reg, clock = numbered
    rated = to_rated(reg, reg.register(registration(), actor=OFFICER).id)
    clock.set(date(2027, 6, 1))
    reg.fire(rated.id, "reapply", actor=OFFICER, kind="upgrade")
    upgraded = to_rated(reg, rated.id, a=35, b=20, c=25)
    assert upgraded.certificate is not None and upgraded.certificate.stars == 4
    assert upgraded.product_code == "38-16087-1-2026"
    assert upgraded.form_number == "1/PĐK-38-16087-2027"
