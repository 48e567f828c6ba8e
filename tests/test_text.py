"""The catalogue of what officers and the public read: complete, compiled, and used."""

from __future__ import annotations

import argparse
import ast
import contextlib
import gettext
import inspect
import io
import string
import subprocess
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from ocop.cli import main
from ocop.text import translator

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "ocop" / "locale" / "en" / "LC_MESSAGES" / "ocop.po"
MO = PO.with_suffix(".mo")
# The keywords CONTRIBUTING.md gives `pybabel extract`: t("…"), translate(lang, "…"), N_("…").
KEYWORDS = {"t": None, "translate": (2,), "N_": None, "NC_": ((1, "c"), 2), "term": ((2, "c"), 3)}
METHODS = [("ocop/**.py", "python"), ("ocop/web/templates/**.html", "jinja2")]


Key = tuple[str | None, str]
"""A text as the catalogue knows it: its context (``"state"`` …, or none) and its id."""


def _source_ids() -> dict[Key, str]:
    found: dict[Key, str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        if isinstance(message, str) and message:
            found.setdefault((context, message), f"{filename}:{lineno}")
    return found


def _catalogue() -> dict[Key, str]:
    with PO.open("rb") as stream:
        return {
            (m.context, m.id): m.string for m in read_po(stream) if isinstance(m.id, str) and m.id
        }


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_in_the_code_has_its_english() -> None:
    catalogue = _catalogue()
    missing = {m: where for m, where in _source_ids().items() if not catalogue.get(m)}
    assert not missing, f"texts without English in {PO.name} (CONTRIBUTING.md): {missing}"


def test_the_catalogue_holds_no_text_the_code_no_longer_has() -> None:
    stale = set(_catalogue()) - set(_source_ids())
    assert not stale, f"remove from {PO.name}: {sorted(stale)}"


def test_each_translation_names_the_values_its_text_names() -> None:
    # "{message}" is the library error's own English message, which those calls pass. A day
    # written out is given every part (ocop.text.long_day, ocop.documents.common.dated): the
    # Vietnamese form numbers the month, the English names it.
    given = {"long date": {"dd", "mm", "day", "month", "year"}}
    wrong = {
        m: s
        for (context, m), s in _catalogue().items()
        if s and not _fields(s) <= (given.get(context) or _fields(m)) | {"message"}
    }
    assert not wrong


# Texts still looked up inside an f-string in files others are moving (issue 10.4); remove an
# entry when its text becomes a whole msgid.
_IN_FSTRINGS_ELSEWHERE: set[tuple[str, str]] = set()


def _looked_up_in_fstrings() -> dict[tuple[str, str], int]:
    """``f"{t('…')}"``: pybabel (on Python 3.11) does not look inside an f-string, so such a
    text never reaches the catalogue and reads in Vietnamese in every language."""
    found: dict[tuple[str, str], int] = {}
    for path in sorted((ROOT / "ocop").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for joined in ast.walk(tree):
            if not isinstance(joined, ast.JoinedStr):
                continue
            for call in ast.walk(joined):
                if not isinstance(call, ast.Call):
                    continue
                func = call.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                texts = [a.value for a in call.args if isinstance(a, ast.Constant) and a.value]
                if name in KEYWORDS and texts and isinstance(texts[-1], str):
                    key = (path.relative_to(ROOT).as_posix(), texts[-1])
                    found.setdefault(key, call.lineno)
    return found


def test_no_text_is_looked_up_inside_an_fstring() -> None:
    found = _looked_up_in_fstrings()
    new = sorted(
        f"{p}:{line} {text!r}"
        for (p, text), line in found.items()
        if (p, text) not in _IN_FSTRINGS_ELSEWHERE
    )
    assert not new, f"write each as one whole text, t('… {{value}} …', value=…): {new}"


def test_the_compiled_catalogue_is_the_source_compiled() -> None:
    with PO.open("rb") as stream:
        source = read_po(stream)
    compiled = io.BytesIO()
    write_mo(compiled, source)
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with MO.open("rb") as stream:
        shipped = gettext.GNUTranslations(stream)
    differ = [
        (c, m)
        for c, m in _catalogue()
        if (fresh.pgettext(c, m) if c else fresh.gettext(m))
        != (shipped.pgettext(c, m) if c else shipped.gettext(m))
    ]
    assert not differ, f"{MO.name} is out of date: run `pybabel compile -d ocop/locale -D ocop`"


def test_a_word_of_the_vocabulary_reads_in_its_context() -> None:
    from ocop.states import MessageKind, State, Trigger

    # "Trả lại hồ sơ" is both a step and a kind of mail; each keeps its own English.
    assert Trigger.RETURN_DOSSIER.label("vi") == MessageKind.RETURNED.label("vi") == "Trả lại hồ sơ"
    assert Trigger.RETURN_DOSSIER.label("en") != MessageKind.RETURNED.label("en")
    assert State.CHECKED.label("en") == "Checked"


def test_a_text_reads_in_each_language_with_its_values() -> None:
    message = "Cơ sở dữ liệu {name} đã cập nhật."
    assert translator("vi")(message, name="ocop.db") == "Cơ sở dữ liệu ocop.db đã cập nhật."
    assert translator("en")(message, name="ocop.db") == "Database ocop.db is up to date."


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_text_the_catalogue_lacks_comes_out_as_written(lang: str) -> None:
    assert translator(lang)("Một câu chưa dịch {x}", x=1) == "Một câu chưa dịch 1"
    # Braces in a text without values are text, not fields.
    assert translator(lang)("{không phải trường}") == "{không phải trường}"


def test_argparse_writes_in_the_officers_language() -> None:
    vi = subprocess.run(["ocop", "list", "--help"], capture_output=True, text=True, check=True)
    assert vi.stdout.startswith("cách dùng: ocop list")
    assert "tùy chọn:" in vi.stdout and "in hướng dẫn này rồi thoát" in vi.stdout
    en = subprocess.run(
        ["ocop", "--lang", "en", "list", "--help"], capture_output=True, text=True, check=True
    )
    assert en.stdout.startswith("usage: ocop list") and "options:" in en.stdout
    missing = subprocess.run(["ocop", "show"], capture_output=True, text=True)
    assert missing.returncode == 2
    assert missing.stderr == (
        "ocop show: lỗi: thiếu tham số bắt buộc: ID (xem `ocop show --help`)\n"
    )


def test_a_run_in_process_leaves_argparse_as_it_was() -> None:
    before = argparse._  # type: ignore[attr-defined]
    with contextlib.redirect_stdout(io.StringIO()), pytest.raises(SystemExit):
        main(["--help"], environ={"HOME": "/nonexistent"})
    assert argparse._ is before  # type: ignore[attr-defined]


def test_each_argparse_word_is_one_argparse_still_says() -> None:
    source = inspect.getsource(argparse)
    with (PO.parents[2] / "vi" / "LC_MESSAGES" / "argparse.po").open("rb") as stream:
        words = [m.id for m in read_po(stream) if m.id]
    for word in words:
        first = word[0] if isinstance(word, tuple) else word
        assert repr(first)[1:-1] in source or first in source, first


def test_no_text_is_looked_up_by_a_translator_called_in_place() -> None:
    """``translator(lang)("…")``: pybabel extracts ``t("…")`` only, so a text looked up on the
    translator's own call never reaches the catalogue (the English history read "Nhập GCN đã
    có")."""
    found = []
    for path in sorted((ROOT / "ocop").rglob("*.py")):
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Call)
                and getattr(call.func.func, "id", None) == "translator"
                and call.args
                and isinstance(call.args[0], ast.Constant)
            ):
                found.append(f"{path.relative_to(ROOT).as_posix()}:{call.lineno}")
    assert not found, f"write t = translator(lang), then t('…'): {found}"
