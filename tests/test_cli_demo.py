"""``ocop demo``: the Lưu Vệ 2026 plan played through the year; and :mod:`ocop.demo` itself."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from cli_helpers import Cli

from ocop.demo import Change, Demo, Refusal, load_seed


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_the_demo_tells_the_year(cli: Cli) -> None:
    # How long it takes is for bench/ to measure, never a test (a loaded CI machine is slow).
    result = cli("demo")
    assert result.code == 0, result.err
    out = result.out
    # The three certified products flagged by the daily sweep on the day their window opens.
    assert "── Thứ Tư 27/05/2026 — Rà soát tự động hằng ngày" in out
    assert "[1] Nem chua Minh Anh: Đã công nhận → Đến hạn đánh giá lại" in out
    assert "── Chủ Nhật 14/06/2026 — Rà soát tự động hằng ngày" in out
    # Cycles filed before 148/1489 lapse run under them; the later one under 26/2026.
    assert out.count("chu kỳ 2 (Đánh giá lại), quy định qd148-2023+qd1489-2025") == 3
    assert "chu kỳ 1 (Lần đầu), quy định qd26-2026" in out
    assert "hệ thống chọn theo ngày nộp: qd26-2026" in out
    # The new product: refused, returned, resubmitted, checked, evaluated in August, rated.
    assert "✗ bị từ chối" in out and "Đã đăng ký → Trả lại để bổ sung" in out
    assert "Trả lại để bổ sung → Đã đăng ký (banhgai.luuve)" in out
    assert "── Thứ Năm 20/08/2026 — Tổ đánh giá của UBND xã" in out
    assert out.count("Đã kiểm tra hồ sơ → Xã đã đánh giá") == 4
    assert "đợt 2/2026 của tỉnh" in out
    assert out.count("Đã gửi tỉnh → Đã công nhận (ocop.thanhhoa)") == 4
    assert "A 27,5 + B 14 + C 19 = 60,5 → 3★" in out  # the decimal comma (ocop.decimals)
    # Year end: certificates, upcoming dates and the plan's targets met.
    assert "GCN số DEMO-2026-004, 3★, cấp 16/11/2026, hết hạn 16/11/2029" in out
    assert "mở thời hạn đánh giá lại" in out
    assert "Kết quả: công nhận lại 3/3 sản phẩm; công nhận mới 1/1 sản phẩm 3★." in out
    # The commune's plan: its conferences on their (illustrative) days and its August window.
    assert "── Thứ Ba 10/03/2026 — Hội nghị triển khai Chương trình OCOP năm 2026" in out
    assert "Trong thời gian đánh giá của kế hoạch: 01/08–31/08/2026." in out
    assert "Traceback" not in result.err
    assert not cli.db.exists()  # the configured database is never touched


def test_the_demo_in_english(cli: Cli) -> None:
    out = cli.ok("demo", "--lang", "en")
    assert "Result: re-recognised 3/3 products; newly recognised 1/1 at 3★." in out
    assert "Rated and certified" in out


def test_the_demo_keeps_its_database_for_a_look_afterwards(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "kept" / "demo.db"
    out = cli.ok("demo", "--db", str(path))
    assert path.exists()
    assert f"ocop --db {path} --as pkt.luuve list" in out  # every read names its reader
    dossiers = cli.json("--db", str(path), "--as", "pkt.luuve", "list")
    assert [d["state"] for d in dossiers] == ["rated"] * 4
    assert {d["certificate"]["issued_on"] for d in dossiers} == {"2026-11-16"}
    shown = cli.json("--db", str(path), "--as", "pkt.luuve", "show", "4")
    assert shown["allowed_steps"] == ["reapply"]
    history = cli.json("--db", str(path), "--as", "quantri", "history", "4")
    assert [h["trigger"] for h in history] == [
        "register", "return_dossier", "resubmit", "check", "evaluate", "submit", "rate",
    ]  # fmt: skip
    again = cli("demo", "--db", str(path))
    assert again.code == 2
    assert "demo cần một tệp mới" in again.err


def test_the_story_as_library_steps(tmp_path: Path) -> None:
    with Demo(f"sqlite:///{tmp_path / 'story.db'}") as demo:
        steps = list(demo.steps())
        final = demo.dossiers()
    days = [s.day for s in steps]
    assert days == sorted(days)
    assert days[0] == date(2026, 1, 5)
    flagged = [
        (s.day, e.dossier.product_name)
        for s in steps
        for e in s.events
        if isinstance(e, Change) and e.trigger == "flag_recertification"
    ]
    # 148+1489 would open the window 30 days before expiry (27/5 and 14/6), but from 22/5 the
    # law in force is 26/2026, whose window (180 days before) is already open that day.
    assert flagged == [
        (date(2026, 5, 22), "Nem chua Minh Anh"),
        (date(2026, 5, 22), "Bánh răng bừa Nga My"),
        (date(2026, 5, 22), "Miến gạo Dung Tháp"),
    ]
    assert all(s.system for s in steps if s.day in {d for d, _ in flagged})
    refusals = [e for s in steps for e in s.events if isinstance(e, Refusal)]
    assert [r.trigger for r in refusals] == ["check"]
    assert [(d.state.value, d.cycle, d.rule_set) for d in final] == [
        ("rated", 2, "qd148-2023+qd1489-2025"),
        ("rated", 2, "qd148-2023+qd1489-2025"),
        ("rated", 2, "qd148-2023+qd1489-2025"),
        ("rated", 1, "qd26-2026"),
    ]


def test_the_seed_marks_what_it_invents() -> None:
    seed = load_seed()
    assert [p.product_name for p in seed.certified] == [
        "Nem chua Minh Anh",
        "Bánh răng bừa Nga My",
        "Miến gạo Dung Tháp",
    ]
    assert all(p.stars == 3 and p.issued_on and p.issued_on.year == 2023 for p in seed.certified)
    assert seed.rule_set == "qd148-2023+qd1489-2025"
    text = (Path(__file__).parents[1] / "ocop/data/luu-ve-2026/products.toml").read_text("utf-8")
    for line in text.splitlines():
        if re.match(r"(certificate_number|issued_on|producer) =", line):
            assert "ILLUSTRATIVE" in line, line
