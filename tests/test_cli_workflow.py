"""The installed ``ocop`` command takes a dossier from registration to a certificate, and
refuses what it must, with exit status 1, one actionable line and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import Cli

CRITERIA = [
    "--local-materials",
    "Thịt lợn, lá chuối của xã",
    "--local-labour",
    "12 lao động địa phương",
    "--idea-origin",
    "Công thức gia truyền",
    "--local-identity",
    "Nghề làm nem truyền thống",
]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.users()
    return runner


def _register(cli: Cli, *extra: str) -> int:
    out = cli.json(
        "--as",
        "lan",
        "register",
        "--product",
        "Nem chua Minh Anh",
        "--set",
        "8",
        "--producer",
        "Cơ sở Minh Anh",
        "--owner",
        "minhanh",
        *extra,
    )
    assert out["state"] == "registered"
    return int(out["id"])


def test_a_dossier_goes_from_registration_to_a_certificate(cli: Cli) -> None:
    out = cli.ok(
        "register",
        "--as",
        "lan",
        "--product",
        "Nem chua Minh Anh",
        "--set",
        "8",
        "--producer",
        "Cơ sở Minh Anh",
        "--documents",
        "mau_01",
    )
    assert "Đã đăng ký hồ sơ số 1: Nem chua Minh Anh" in out
    assert "xã Lưu Vệ, tỉnh Thanh Hóa" in out  # the officer's area by default
    assert "ocop check 1" in out  # what the officer may do next

    out = cli.ok("check", "1", "--as", "lan", "--documents", "mau_02", "--samples", "5")
    assert "Đã đăng ký → Đã kiểm tra hồ sơ" in out
    out = cli.ok("evaluate", "1", "--as", "lan", *CRITERIA, "--report-number", "01/BC-UBND")
    assert "Đã kiểm tra hồ sơ → Xã đã đánh giá" in out
    out = cli.ok(
        "submit", "1", "--as", "lan", "--letter-number", "45/UBND-KT", "--letter-date", "20/08/2026"
    )
    assert "Xã đã đánh giá → Đã gửi tỉnh" in out
    assert "2/2026" in out  # proposed before 30/10: the province's second round
    out = cli.ok(
        "rate", "1", "--as", "hoa", "--a", "32", "--b", "18", "--c", "21",
        "--certificate", "GCN-2026-01", "--issued-on", "2026-09-15",
    )  # fmt: skip
    assert "Đã gửi tỉnh → Đã công nhận" in out
    assert "A 32 + B 18 + C 21 = 71 → 4★" in out
    assert "số GCN-2026-01, 4★, cấp 15/09/2026, hết hạn 15/09/2029" in out

    shown = cli.json("show", "1", "--as", "lan")
    assert shown["state"] == "rated"
    assert shown["certificate"]["expires_on"] == "2029-09-15"
    assert shown["allowed_steps"] == ["reapply"]
    assert shown["evaluation"]["criteria"]["local_identity"] == "Nghề làm nem truyền thống"

    history = cli.json("history", "1")
    assert [h["trigger"] for h in history] == ["register", "check", "evaluate", "submit", "rate"]
    assert [h["actor"] for h in history] == ["lan"] * 4 + ["hoa"]
    assert history[0]["at"].endswith("+07:00")  # moments are shown in Vietnam's time

    text = cli.ok("show", "1", "--as", "lan")
    assert "Đã công nhận (rated)" in text
    assert "lan có thể" in text and "ocop reapply 1" in text
    assert "Đăng ký chu kỳ mới" in text


def test_registration_from_a_toml_file_with_options_overriding_it(cli: Cli, tmp_path: Path) -> None:
    form = tmp_path / "mau01.toml"
    form.write_text(
        'product_name = "Miến gạo Dung Tháp"\nproduct_set = 6\nsamples = 5\n'
        'documents = ["mau_01", "mau_02"]\n'
        '[producer]\nname = "Cơ sở Dung Tháp"\nphone = "0912 345 678"\n',
        encoding="utf-8",
    )
    out = cli.json("--as", "lan", "register", "--file", str(form), "--set", "3")
    assert out["product_name"] == "Miến gạo Dung Tháp"
    assert out["product_set"] == 3
    assert out["producer"]["phone"] == "0912 345 678"
    assert cli.json("--as", "lan", "check", str(out["id"]))["state"] == "checked"


def _unchanged(cli: Cli, dossier_id: int, version: int, rows: int) -> None:
    assert cli.json("show", str(dossier_id))["version"] == version
    assert len(cli.json("history", str(dossier_id))) == rows


def test_a_step_in_the_wrong_role_is_refused_and_nothing_is_written(cli: Cli) -> None:
    dossier = _register(cli, "--documents", "mau_01,mau_02", "--samples", "5")
    result = cli("check", str(dossier), "--as", "hoa")
    assert result.code == 1
    assert result.out == ""
    assert result.err.strip() == (
        "ocop check: Chỉ cán bộ xã mới được kiểm tra hồ sơ; hoa (cán bộ tỉnh) không được làm "
        "bước này."
    )
    _unchanged(cli, dossier, 1, 1)


def test_an_officer_of_another_commune_is_told_whom_to_ask(cli: Cli) -> None:
    dossier = _register(cli, "--documents", "mau_01,mau_02", "--samples", "5")
    result = cli("check", str(dossier), "--as", "binh")
    assert result.code == 1
    assert (
        "binh là cán bộ xã Quảng Yên, tỉnh Thanh Hóa; hồ sơ 1 thuộc xã Lưu Vệ, tỉnh Thanh Hóa"
        in result.err
    )
    assert "Đề nghị cán bộ xã Lưu Vệ, tỉnh Thanh Hóa thực hiện" in result.err
    assert len(result.err.strip().splitlines()) == 1
    _unchanged(cli, dossier, 1, 1)


def test_a_missing_criterion_names_the_option_to_add(cli: Cli) -> None:
    dossier = _register(cli, "--documents", "mau_01,mau_02", "--samples", "5")
    cli.ok("check", str(dossier), "--as", "lan")
    result = cli("evaluate", str(dossier), "--as", "lan", *CRITERIA[:6])
    assert result.code == 1
    assert "còn thiếu đánh giá tiêu chí “bản sắc/trí tuệ địa phương” (--local-identity)" in (
        result.err
    )
    assert "Traceback" not in result.err
    _unchanged(cli, dossier, 2, 2)


def test_refusals_are_in_english_with_lang_en(cli: Cli) -> None:
    dossier = _register(cli, "--documents", "mau_01")
    result = cli("check", str(dossier), "--as", "lan", "--lang", "en")
    assert result.code == 1
    assert "missing the self-assessment report (Mẫu 02) (--documents mau_02)" in result.err
    assert "5 product samples (0 handed in; --samples)" in result.err


def test_a_step_in_the_wrong_state_says_what_is_possible(cli: Cli) -> None:
    dossier = _register(cli)
    result = cli("submit", str(dossier), "--as", "lan", "--letter-number", "1", "--letter-date",
                 "2026-08-20")  # fmt: skip
    assert result.code == 1
    assert "khi hồ sơ 1 đang “Đã đăng ký”" in result.err
    assert "ocop return 1, ocop check 1" in result.err


def test_a_return_needs_a_reason_and_resubmission_restarts(cli: Cli) -> None:
    dossier = _register(cli)
    refused = cli("return", str(dossier), "--as", "lan")
    assert refused.code == 1 and "lý do (--reason)" in refused.err
    out = cli.json("return", str(dossier), "--as", "lan", "--reason", "Thiếu Mẫu 02")
    assert out["state"] == "returned" and out["return_reason"] == "Thiếu Mẫu 02"
    back = cli.json(
        "resubmit", str(dossier), "--as", "minhanh", "--documents", "mau_02", "--samples", "5"
    )
    assert back["state"] == "registered"
    assert sorted(back["documents"]) == ["mau_02"]


def test_unknown_users_and_missing_users_are_reported(cli: Cli) -> None:
    dossier = _register(cli)
    nobody = cli("check", str(dossier), "--as", "nobody")
    assert nobody.code == 1
    assert "Không có người dùng 'nobody'" in nobody.err
    anonymous = cli("check", str(dossier), env={"OCOP_USER": ""})
    assert anonymous.code == 2
    assert "--as" in anonymous.err and "OCOP_USER" in anonymous.err
    cli.ok("--as", "root", "user", "disable", "lan")
    disabled = cli("check", str(dossier), "--as", "lan")
    assert disabled.code == 1 and "đã bị khóa" in disabled.err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["frobnicate"], "không có lệnh 'frobnicate'"),
        (["show", "abc"], "không phải số hồ sơ"),
        (["list", "--due-before", "31/02/2026"], "'31/02/2026' không phải ngày hợp lệ"),
        (["rate", "1", "--a", "many"], "--a: giá trị float không hợp lệ: 'many'"),
        (["list", "--sort", "colour"], "--sort: không có 'colour'; chọn một trong: id, due"),
        ([], "COMMAND"),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(cli: Cli, args: list[str], fragment: str) -> None:
    result = cli(*args)
    assert result.code == 2
    assert fragment in result.err
    assert "Traceback" not in result.err


def test_a_missing_dossier_is_one_line_and_debug_adds_the_traceback(cli: Cli) -> None:
    plain = cli("show", "99")
    assert plain.code == 1
    assert plain.err == "ocop show: Không có hồ sơ số 99. Xem số hồ sơ: `ocop list`.\n"
    debug = cli("show", "99", "--debug")
    assert debug.code == 1
    assert "Traceback" in debug.err and "NotFound" in debug.err


def test_list_filters_sorts_and_prints_json(cli: Cli) -> None:
    first = _register(cli, "--documents", "mau_01,mau_02", "--samples", "5")
    cli.ok("check", str(first), "--as", "lan")
    second = cli.json(
        "--as", "binh", "register", "--product", "Bánh răng bừa", "--set", "6",
        "--producer", "Cơ sở Nga My",
    )["id"]  # fmt: skip
    assert [d["id"] for d in cli.json("list")] == [first, second]
    assert [d["id"] for d in cli.json("list", "--state", "checked")] == [first]
    assert [d["id"] for d in cli.json("list", "--commune", "Quảng Yên")] == [second]
    assert [d["id"] for d in cli.json("list", "--set", "6")] == [second]
    assert [d["id"] for d in cli.json("list", "--sort", "product")] == [second, first]
    assert [d["id"] for d in cli.json("list", "--sort", "id", "--desc")] == [second, first]
    # Both commune deadlines fall 15 working days after today; a later day makes them overdue.
    assert cli.json("list", "--overdue") == []
    assert len(cli.json("list", "--overdue", "--as-of", "2099-01-01")) == 2
    bad = cli("list", "--state", "flying")
    assert bad.code == 2 and "flying" in bad.err  # a usage error, as the README says
    table = cli.ok("list")
    assert "Trạng thái" in table and "Đã kiểm tra hồ sơ" in table and "2 hồ sơ." in table
    english = cli.ok("list", "--lang", "en")
    assert "Checked" in english and "2 dossier(s)." in english


def test_user_list_json_and_the_diagram(cli: Cli) -> None:
    users = {u["username"]: u for u in cli.json("user", "list")}
    assert set(users) == {"root", "lan", "binh", "hoa", "minhanh", "tam"}
    assert users["lan"]["role"] == "commune_officer" and users["lan"]["commune"] == "Lưu Vệ"
    diagram = cli.ok("diagram")
    assert diagram.startswith("flowchart TD")
    assert 'submitted ==>|"Chấm điểm, phân hạng: ocop rate → đạt 3–4★, cấp GCN"| rated' in diagram
    assert "Đã công nhận" in diagram
    assert "Rated and certified" in cli.ok("diagram", "--lang", "en")


def _to_submitted(cli: Cli, dossier: int) -> None:
    cli.ok("check", str(dossier), "--as", "lan")
    cli.ok("evaluate", str(dossier), "--as", "lan", *CRITERIA)
    cli.ok("submit", str(dossier), "--as", "lan", "--letter-number", "45", "--letter-date",
           "2026-08-20")  # fmt: skip


def test_central_rating_revocation_reapplication_and_withdrawal(cli: Cli) -> None:
    top = _register(cli, "--documents", "mau_01,mau_02", "--samples", "5")
    _to_submitted(cli, top)
    out = cli.ok("rate", str(top), "--as", "hoa", "--a", "38", "--b", "24", "--c", "30")
    assert "Đã gửi tỉnh → Chờ Trung ương đánh giá" in out and "= 92 → 5★" in out
    refused = cli("rate-central", str(top), "--as", "hoa", "--a", "38", "--b", "24", "--c", "30")
    assert refused.code == 1 and "Chỉ cán bộ Trung ương" in refused.err
    rated = cli.json(
        "rate-central", str(top), "--as", "tam", "--a", "37", "--b", "24", "--c", "30",
        "--certificate", "TW-01", "--issued-on", "2026-10-01",
    )  # fmt: skip
    assert rated["state"] == "rated"
    assert (rated["certificate"]["stars"], rated["certificate"]["issued_by"]) == (5, "central")

    no_ground = cli("revoke", str(top), "--as", "hoa")
    assert no_ground.code == 1 and "căn cứ thu hồi (--ground:" in no_ground.err
    assert "production_stopped" in no_ground.err
    revoked = cli.json("revoke", str(top), "--as", "hoa", "--ground", "production_stopped")
    assert revoked["state"] == "revoked"
    assert revoked["certificate"]["revocation_ground"] == "production_stopped"

    again = _register(cli, "--documents", "mau_01,mau_02", "--samples", "5")
    _to_submitted(cli, again)
    cli.ok("rate", str(again), "--as", "hoa", "--a", "30", "--b", "15", "--c", "20",
           "--certificate", "GCN-02")  # fmt: skip
    cycle = cli.json("reapply", str(again), "--as", "lan", "--documents", "mau_01,mau_02")
    assert (cycle["state"], cycle["cycle"], cycle["kind"]) == ("registered", 2, "rerating")
    assert cycle["certificate"]["number"] == "GCN-02"  # the certificate keeps its validity

    mine = _register(cli)
    not_mine = cli("withdraw", str(mine), "--as", "lan")
    assert not_mine.code == 1 and "Chỉ chủ thể sản xuất" in not_mine.err
    gone = cli.json("withdraw", str(mine), "--as", "minhanh", "--reason", "Ngừng sản xuất")
    assert gone["state"] == "withdrawn"
    assert cli.json("history", str(mine))[-1]["payload"] == {"reason": "Ngừng sản xuất"}


def test_list_prints_a_page_and_says_how_many_more(cli: Cli) -> None:
    import ocop

    with ocop.open(f"sqlite:///{cli.db}") as registry:
        officer = registry.actor("lan")
        registry.import_certified_many(
            [
                {
                    "registration": {
                        "product_name": f"Sản phẩm {n}",
                        "product_set": 6,
                        "producer": {"name": "Cơ sở"},
                        "commune": "Lưu Vệ",
                        "province": "Thanh Hóa",
                    },
                    "certificate_number": f"GCN-{n}",
                    "stars": 3,
                    "issued_on": "2025-01-02",
                }
                for n in range(105)
            ],
            actor=officer,
        )
    page = cli.ok("list", "--lang", "en")
    assert page.count("Sản phẩm ") == 100
    assert "100 of 105 dossiers; see more with --limit N, or all with --limit 0." in page
    everything = cli.ok("list", "--limit", "0", "--lang", "en")
    assert everything.count("Sản phẩm ") == 105 and "105 dossier(s)." in everything
    assert len(cli.json("list")) == 105  # scripts get everything
    assert len(cli.json("list", "--limit", "7")) == 7
