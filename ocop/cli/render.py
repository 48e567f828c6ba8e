"""How a dossier reads to an officer: states, certificates, deadlines and next steps.

Shared by ``show``, ``list``, the step commands and ``demo``, so each says the same thing the
same way. Labels of states, roles and steps come from :mod:`ocop.states`; this module adds the
CLI's own words (deadline kinds, command names).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from ocop.cli.core import translator
from ocop.cli.output import fmt_date
from ocop.decimals import decimal
from ocop.errors import InvalidInput
from ocop.states import IMPORT_TRIGGER, PRODUCT_SETS, DueKind, Trigger, rule_set
from ocop.states.vocabulary import label

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
        return t("chưa có", "none")
    if cert.revoked_on is not None:
        status = t(
            f"bị thu hồi ngày {fmt_date(cert.revoked_on, lang)}",
            f"revoked on {fmt_date(cert.revoked_on, lang)}",
        )
    elif cert.valid_on(today):
        status = t("còn hiệu lực", "in force")
    elif today < cert.issued_on:
        status = t("chưa có hiệu lực", "not yet in force")
    else:
        status = t("đã hết hạn", "expired")
    return t(
        f"số {cert.number}, {stars(cert.stars)}, cấp {fmt_date(cert.issued_on, lang)}, "
        f"hết hạn {fmt_date(cert.expires_on, lang)} ({status})",
        f"no. {cert.number}, {stars(cert.stars)}, issued {fmt_date(cert.issued_on, lang)}, "
        f"expires {fmt_date(cert.expires_on, lang)} ({status})",
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
        left = t(f"còn {days} ngày", f"in {days} days")
    elif days == 0:
        left = t("hôm nay", "today")
    elif dossier.next_due == "certificate_lapses":
        left = t(f"đã qua {-days} ngày", f"{-days} days ago")
    else:
        left = t(f"quá hạn {-days} ngày", f"{-days} days overdue")
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
        parts.append(t(f"GCN {cert.get('number')}", f"certificate {cert.get('number')}"))
    if entry.trigger in ("check", "resubmit") and p.get("documents") is not None:
        docs = ", ".join(p["documents"]) or "—"
        parts.append(
            t(f"{docs}; {p.get('samples', 0)} mẫu", f"{docs}; {p.get('samples', 0)} samples")
        )
    if entry.trigger == "evaluate" and isinstance(p.get("criteria"), dict):
        parts.append(t(f"{len(p['criteria'])} tiêu chí", f"{len(p['criteria'])} criteria"))
    if p.get("reason"):
        parts.append(t(f"lý do: {p['reason']}", f"reason: {p['reason']}"))
    if p.get("rule_set"):
        parts.append(t(f"quy định {p['rule_set']}", f"rules {p['rule_set']}"))
    if p.get("report_number"):
        parts.append(t(f"báo cáo {p['report_number']}", f"report {p['report_number']}"))
    if p.get("letter_number"):
        round_ = f", {t('đợt', 'round')} {p['round']}/{p['round_year']}" if p.get("round") else ""
        parts.append(t(f"văn bản {p['letter_number']}", f"letter {p['letter_number']}") + round_)
    if p.get("total") is not None:
        score = decimal(p["total"], lang)
        parts.append(f"{score} {t('điểm', 'points')} → {stars(int(p['stars']))}")
    if p.get("sheets"):
        count = len(p["sheets"])
        parts.append(t(f"trung bình {count} phiếu", f"average of {count} sheets"))
    band = p.get("band_stars")
    if band and p.get("stars") is not None and int(p["stars"]) < int(band):
        met = p.get("minimum_stars_met")
        parts.append(
            t(
                f"theo điểm {stars(int(band))}, tiêu chí bắt buộc chỉ đạt {met}★",
                f"{stars(int(band))} by score, minimums met only to {met}★",
            )
        )
    if p.get("central_round"):
        where = f"{p['central_round']}/{p['central_round_year']}"
        parts.append(
            t(f"đề nghị Trung ương, đợt {where}", f"proposed to the Ministry, round {where}")
        )
    if isinstance(p.get("certificate"), dict) and entry.trigger != IMPORT_TRIGGER:
        parts.append(t(f"GCN {p['certificate']['number']}", f"cert. {p['certificate']['number']}"))
    if p.get("ground"):
        parts.append(t(f"căn cứ: {p['ground']}", f"ground: {p['ground']}"))
    if p.get("form_number"):
        parts.append(t("phiếu {number}", "form {number}").format(number=p["form_number"]))
    if p.get("product_code"):
        parts.append(t("mã SP {code}", "product code {code}").format(code=p["product_code"]))
    if entry.note:
        parts.append(entry.note)
    return "; ".join(parts)


def trigger_label(trigger: str, lang: str) -> str:
    """A history row's step in words (imports included)."""
    if trigger == "assign_numbers":  # Registry.assign_numbers: no lifecycle step
        return translator(lang)("Cấp số phiếu / mã sản phẩm", "Numbers given")
    if trigger == IMPORT_TRIGGER:
        return translator(lang)("Nhập GCN đã có", "Imported with certificate")
    try:
        return Trigger(trigger).label(lang)
    except ValueError:
        return trigger


def next_steps(triggers: Iterable[Trigger], dossier_id: int, lang: str) -> str:
    """``Kiểm tra hồ sơ (ocop check 3); …`` or a note that there is nothing to do."""
    steps = [f"{tr.label(lang)} ({command_for(tr, dossier_id)})" for tr in triggers]
    return "; ".join(steps) if steps else translator(lang)("không có bước nào", "nothing")


# The numbers of the record (ocop.workflow.numbers). The pairs are formatted after the
# lookup, so they read the same through the inline pair and the catalogue's translator.


def missing_codes_text(missing: Iterable[str], dossier: Dossier, lang: str) -> str:
    """What to set before a pending number can be given, in the officer's words."""
    t = translator(lang)
    keys = list(missing)
    area = t("xã {commune}, tỉnh {province}", "{commune} commune, {province} province").format(
        commune=dossier.commune, province=dossier.province
    )
    if keys == ["plan"] or not keys:
        return t(
            "chưa có kế hoạch của {area} (OCOP_PLAN hoặc plan trong tệp cấu hình) với "
            "numbers.province_code và numbers.commune_code (mã của QĐ 19/2025/QĐ-TTg)",
            "no plan of {area} (OCOP_PLAN or the config file's plan) with "
            "numbers.province_code and numbers.commune_code (the codes of QĐ 19/2025/QĐ-TTg)",
        ).format(area=area)
    return t(
        "kế hoạch của {area} còn thiếu {keys} (mã của QĐ 19/2025/QĐ-TTg)",
        "the plan of {area} lacks {keys} (the codes of QĐ 19/2025/QĐ-TTg)",
    ).format(area=area, keys=", ".join(keys))


def number_rows(dossier: Dossier, missing: Iterable[str], lang: str) -> list[tuple[str, str]]:
    """The numbers of the record for ``ocop show``: the registration form number, and the
    product code once recognised, each with what it still waits for when pending."""
    t = translator(lang)
    keys = list(missing)
    if keys:
        pending = t("chưa cấp: {why}", "pending: {why}").format(
            why=missing_codes_text(keys, dossier, lang)
        )
    else:
        pending = t("chưa cấp: chạy {fix}", "pending: run {fix}").format(
            fix=f"`ocop number {dossier.id}`"
        )
    rows = [(t("Số phiếu đăng ký", "Registration form"), dossier.form_number or pending)]
    recognised = dossier.certificate is not None and dossier.rating is not None
    if dossier.product_code or recognised:
        rows.append((t("Mã sản phẩm OCOP", "OCOP product code"), dossier.product_code or pending))
    return rows
