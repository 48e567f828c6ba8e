"""How a dossier reads to an officer: states, certificates, deadlines and next steps.

Shared by ``show``, ``list``, the step commands and ``demo``, so each says the same thing the
same way. Labels of states, roles and steps come from :mod:`ocop.states`; this module adds the
CLI's own words (deadline kinds, command names).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from ocop.cli.output import fmt_date
from ocop.decimals import decimal
from ocop.errors import InvalidInput
from ocop.states import IMPORT_TRIGGER, PRODUCT_SETS, DueKind, Trigger, rule_set
from ocop.states.vocabulary import label
from ocop.text import translator

if TYPE_CHECKING:
    from ocop.models import Certificate, Dossier, HistoryEntry

__all__ = [
    "COMMANDS",
    "certificate_text",
    "command_for",
    "due_text",
    "rule_set_text",
    "stars",
    "step_payload_text",
]

COMMANDS: dict[Trigger, str] = {
    Trigger.CHECK: "check",
    Trigger.RETURN_DOSSIER: "return",
    Trigger.RESUBMIT: "resubmit",
    Trigger.EVALUATE: "evaluate",
    Trigger.SUBMIT: "submit",
    Trigger.RATE: "rate",
    Trigger.RATE_CENTRAL: "rate-central",
    Trigger.REVOKE: "revoke",
    Trigger.REAPPLY: "reapply",
    Trigger.WITHDRAW: "withdraw",
}
"""The CLI command of each trigger a person fires."""


def command_for(trigger: Trigger, dossier_id: int) -> str:
    """``ocop check 3``: what to type to fire ``trigger``."""
    return f"ocop {COMMANDS.get(trigger, trigger.value)} {dossier_id}"


def stars(count: int) -> str:
    """``3★``."""
    return f"{count}★"


def product_set_text(number: int) -> str:
    """``6 — b. Chế biến từ gạo, ngũ cốc``."""
    known = PRODUCT_SETS.get(number)
    return f"{number} — {known.name}" if known else str(number)


def rule_set_text(rule_set_id: str) -> str:
    """The rule set's id and title."""
    try:
        return f"{rule_set_id} ({rule_set(rule_set_id).title})"
    except InvalidInput:  # a rule set a host application added; its id is all we know here
        return rule_set_id


def certificate_text(cert: Certificate | None, lang: str, today: date) -> str:
    """Number, stars, issue and expiry, and whether it is in force today."""
    t = translator(lang)
    if cert is None:
        return t("chưa có")
    if cert.revoked_on is not None:
        status = t("bị thu hồi ngày {revoked_on}", revoked_on=fmt_date(cert.revoked_on, lang))
    elif cert.valid_on(today):
        status = t("còn hiệu lực")
    elif today < cert.issued_on:
        status = t("chưa có hiệu lực")
    else:
        status = t("đã hết hạn")
    return t(
        "số {number}, {stars}, cấp {issued_on}, hết hạn {expires_on} ({status})",
        number=cert.number,
        stars=stars(cert.stars),
        issued_on=fmt_date(cert.issued_on, lang),
        expires_on=fmt_date(cert.expires_on, lang),
        status=status,
    )


def due_label(kind: str | None, lang: str) -> str:
    """What falls due, in words."""
    return label(DueKind, kind or "", lang)


def due_text(dossier: Dossier, lang: str, today: date) -> str:
    """``20/08/2026 — hạn xã xử lý hồ sơ (còn 5 ngày)``, or ``—``."""
    t = translator(lang)
    if dossier.next_due_on is None:
        return "—"
    days = (dossier.next_due_on - today).days
    if days > 0:
        left = t("còn {days} ngày", days=days)
    elif days == 0:
        left = t("hôm nay")
    elif dossier.next_due == "certificate_lapses":
        left = t("đã qua {value} ngày", value=-days)
    else:
        left = t("quá hạn {value} ngày", value=-days)
    return f"{fmt_date(dossier.next_due_on, lang)} — {due_label(dossier.next_due, lang)} ({left})"


def is_overdue(dossier: Dossier, today: date) -> bool:
    """Whether the dossier's next date has passed."""
    return dossier.next_due_on is not None and dossier.next_due_on < today


def step_payload_text(entry: HistoryEntry, lang: str) -> str:
    """The facts of a history row worth a column: reason, letter, score, certificate."""
    t = translator(lang)
    p = entry.payload
    parts: list[str] = []
    if entry.trigger == IMPORT_TRIGGER and isinstance(p.get("certificate"), dict):
        cert = p["certificate"]
        parts.append(t("GCN {number}", number=cert.get("number")))
    if entry.trigger in ("check", "resubmit") and p.get("documents") is not None:
        docs = ", ".join(p["documents"]) or "—"
        parts.append(t("{docs}; {samples} mẫu", docs=docs, samples=p.get("samples", 0)))
    if entry.trigger == "evaluate" and isinstance(p.get("criteria"), dict):
        parts.append(t("{count} tiêu chí", count=len(p["criteria"])))
    if p.get("reason"):
        parts.append(t("lý do: {reason}", reason=p["reason"]))
    if p.get("rule_set"):
        parts.append(t("quy định {rule_set}", rule_set=p["rule_set"]))
    if p.get("report_number"):
        parts.append(t("báo cáo {report_number}", report_number=p["report_number"]))
    if p.get("letter_number"):
        round_ = (
            t(", đợt {round}/{round_year}", round=p["round"], round_year=p["round_year"])
            if p.get("round")
            else ""
        )
        parts.append(t("văn bản {letter_number}", letter_number=p["letter_number"]) + round_)
    if p.get("total") is not None:
        score = decimal(p["total"], lang)
        parts.append(t("{score} điểm → {stars}", score=score, stars=stars(int(p["stars"]))))
    if p.get("sheets"):
        count = len(p["sheets"])
        parts.append(t("trung bình {count} phiếu", count=count))
    band = p.get("band_stars")
    if band and p.get("stars") is not None and int(p["stars"]) < int(band):
        met = p.get("minimum_stars_met")
        parts.append(
            t(
                "theo điểm {stars}, tiêu chí bắt buộc chỉ đạt {met}★",
                stars=stars(int(band)),
                met=met,
            )
        )
    if p.get("central_round"):
        where = f"{p['central_round']}/{p['central_round_year']}"
        parts.append(t("đề nghị Trung ương, đợt {where}", where=where))
    if isinstance(p.get("certificate"), dict) and entry.trigger != IMPORT_TRIGGER:
        parts.append(t("GCN {number}", number=p["certificate"]["number"]))
    if p.get("ground"):
        parts.append(t("căn cứ: {ground}", ground=p["ground"]))
    if p.get("form_number"):
        parts.append(t("phiếu {number}").format(number=p["form_number"]))
    if p.get("product_code"):
        parts.append(t("mã SP {code}").format(code=p["product_code"]))
    if entry.note:
        parts.append(entry.note)
    return "; ".join(parts)


def trigger_label(trigger: str, lang: str) -> str:
    """A history row's step in words (imports included)."""
    t = translator(lang)
    if trigger == "assign_numbers":  # Registry.assign_numbers: no lifecycle step
        return t("Cấp số phiếu / mã sản phẩm")
    if trigger == IMPORT_TRIGGER:
        return t("Nhập GCN đã có")
    try:
        return Trigger(trigger).label(lang)
    except ValueError:
        return trigger


def next_steps(triggers: Iterable[Trigger], dossier_id: int, lang: str) -> str:
    """``Kiểm tra hồ sơ (ocop check 3); …`` or a note that there is nothing to do."""
    steps = [f"{tr.label(lang)} ({command_for(tr, dossier_id)})" for tr in triggers]
    t = translator(lang)
    return "; ".join(steps) if steps else t("không có bước nào")


# The numbers of the record (ocop.workflow.numbers). The pairs are formatted after the
# lookup, so they read the same through the inline pair and the catalogue's translator.


def missing_codes_text(missing: Iterable[str], dossier: Dossier, lang: str) -> str:
    """What to set before a pending number can be given, in the officer's words."""
    t = translator(lang)
    keys = list(missing)
    area = t("xã {commune}, tỉnh {province}", commune=dossier.commune, province=dossier.province)
    if keys == ["plan"] or not keys:
        return t(
            "chưa có kế hoạch của {area} (OCOP_PLAN hoặc plan trong tệp cấu hình) "
            "với numbers.province_code và numbers.commune_code (mã của QĐ "
            "19/2025/QĐ-TTg)"
        ).format(area=area)
    return t("kế hoạch của {area} còn thiếu {keys} (mã của QĐ 19/2025/QĐ-TTg)").format(
        area=area, keys=", ".join(keys)
    )


def number_rows(dossier: Dossier, missing: Iterable[str], lang: str) -> list[tuple[str, str]]:
    """The numbers of the record for ``ocop show``: the registration form number, and the
    product code once recognised, each with what it still waits for when pending."""
    t = translator(lang)
    keys = list(missing)
    if keys:
        pending = t("chưa cấp: {why}").format(why=missing_codes_text(keys, dossier, lang))
    else:
        pending = t("chưa cấp: chạy {fix}").format(fix=f"`ocop number {dossier.id}`")
    rows = [(t("Số phiếu đăng ký"), dossier.form_number or pending)]
    recognised = dossier.certificate is not None and dossier.rating is not None
    if dossier.product_code or recognised:
        rows.append((t("Mã sản phẩm OCOP"), dossier.product_code or pending))
    return rows
