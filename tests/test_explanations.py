"""The library explains each refusal in the officer's language, in its own terms; the CLI adds
its options and commands (``ocop/cli/messages.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import OFFICER, OTHER_OFFICER, Clock, registration

import ocop
from ocop.cli.messages import explain as cli_explain
from ocop.errors import (
    ConcurrentUpdate,
    ConfigurationError,
    DatabaseDamaged,
    NotFound,
    OcopError,
    SchemaNotCurrent,
    StampError,
)
from ocop.explanations import explain


def _refusals(tmp_path: Path) -> dict[str, OcopError]:
    """Real refusals from a registry, and errors the storage and settings raise."""
    found: dict[str, OcopError] = {}
    with ocop.open(f"sqlite:///{tmp_path / 'o.db'}", clock=Clock()) as registry:
        dossier = registry.register(registration(product_set=8), actor=OFFICER)
        attempts = {
            "guard": lambda: registry.fire(dossier.id, "check", actor=OFFICER, samples=2),
            "state": lambda: registry.fire(dossier.id, "evaluate", actor=OFFICER),
            "area": lambda: registry.fire(
                dossier.id, "check", actor=OTHER_OFFICER, documents=["mau_01"], samples=5
            ),
            "missing": lambda: registry.get(999),
        }
        for name, attempt in attempts.items():
            with pytest.raises(OcopError) as refused:
                attempt()
            found[name] = refused.value
    found["user"] = NotFound("user", "ghost")
    found["conflict"] = ConcurrentUpdate(dossier.id, 1)
    found["schema"] = SchemaNotCurrent("sqlite:///o.db")
    found["damaged"] = DatabaseDamaged("o.db", "file is not a database")
    found["scheme"] = ConfigurationError(
        "Database 'mysql' is not supported.", field="database", reason="scheme", value="mysql://x"
    )
    found["no_keys"] = StampError("no_keys", "No issuer key in /k.", path="/k")
    found["keys_exist"] = StampError("keys_exist", "There is a key in /k.", path="/k")
    found["passphrase"] = StampError("passphrase", "Wrong passphrase.", needs=True)
    found["no_passphrase"] = StampError("passphrase", "No passphrase.", needs=False)
    found["too_long"] = StampError("too_long", "Too long for a QR code.")
    return found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_library_explains_each_refusal_without_a_front_ends_words(
    tmp_path: Path, lang: str
) -> None:
    for name, error in _refusals(tmp_path).items():
        said = error.explain(lang)
        assert said == explain(error, lang)
        assert "\n" not in said and said.strip() == said, name
        assert "`ocop" not in said and " --" not in said and "(--" not in said, (name, said)


def test_each_explanation_reads_in_the_language_asked(tmp_path: Path) -> None:
    refusals = _refusals(tmp_path)
    assert refusals["missing"].explain("vi") == "Không có hồ sơ số 999."
    assert refusals["missing"].explain("en") == "No dossier 999 exists."
    guard = refusals["guard"]
    assert guard.explain("vi").startswith("Chưa thể “Kiểm tra hồ sơ”")
    assert "Báo cáo tự đánh giá (Mẫu 02)" in guard.explain("vi")
    assert "the self-assessment report (Mẫu 02)" in guard.explain("en")


def test_the_cli_adds_its_options_and_commands(tmp_path: Path) -> None:
    refusals = _refusals(tmp_path)
    assert cli_explain(refusals["missing"], "vi") == (
        "Không có hồ sơ số 999. Xem số hồ sơ: `ocop list`."
    )
    assert "(--documents mau_02)" in cli_explain(refusals["guard"], "en")
    assert "(mới có 2; --samples)" in cli_explain(refusals["guard"], "vi")
    assert cli_explain(refusals["state"], "vi").endswith("Có thể: return, check.")
    assert refusals["state"].explain("vi").endswith("Có thể: Trả lại hồ sơ, Kiểm tra hồ sơ.")
    assert cli_explain(refusals["schema"], "en").endswith("Run `ocop db upgrade`.")
    assert cli_explain(refusals["scheme"], "vi").endswith("Thiết lập: --db / OCOP_DATABASE.")
    assert cli_explain(refusals["conflict"], "vi").endswith(
        f"Xem: `ocop show {refusals['conflict'].dossier_id}`."  # type: ignore[attr-defined]
    )


def test_a_stamp_refusal_is_the_librarys_and_the_cli_adds_its_commands(tmp_path: Path) -> None:
    refusals = _refusals(tmp_path)
    assert refusals["no_keys"].explain("vi") == "Chưa có khóa phát hành trong /k."
    assert refusals["no_keys"].explain("en") == "No issuer key in /k."
    assert cli_explain(refusals["no_keys"], "en") == (
        "No issuer key in /k. Create one with `ocop keys init`."
    )
    assert "`ocop keys init --rotate`" in cli_explain(refusals["keys_exist"], "vi")
    assert cli_explain(refusals["passphrase"], "en").endswith(
        "Give it with --passphrase-file or OCOP_KEYS_PASSPHRASE."
    )
    assert cli_explain(refusals["no_passphrase"], "vi") == (
        "Khóa bí mật không có mật khẩu; bỏ --passphrase-file."
    )
    assert cli_explain(refusals["too_long"], "en") == (
        "The stamp does not fit a version 10 QR code at level M; use a shorter --base-url."
    )
    unknown = StampError("key_clash", "Two trusted keys have the id ab12.")
    assert unknown.explain("vi") == "Two trusted keys have the id ab12."  # the library's text


def test_a_stamps_live_status_reads_in_each_language() -> None:
    from ocop.stamps.live import Live

    assert Live.RECERTIFICATION_DUE.label("vi") == "còn hiệu lực, đã đến hạn đánh giá lại"
    assert [s.label("en") for s in Live] == [s.value.replace("_", " ") for s in Live]
