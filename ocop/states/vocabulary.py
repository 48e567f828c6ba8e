"""The names the engine, the outbox, the mail and the officers share, declared once.

Each is a ``StrEnum``: its values are what the database stores and what scripts read in
``--json``, and ``label(lang)`` is what an officer reads. A new message kind is a member here,
its templates (``notifications/templates/<kind>.vi.txt`` and ``.en.txt``) and the rule or
notice that writes it; ``tests/test_vocabulary.py`` fails when one of them is missing.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DueKind", "MessageKind", "OutboxStatus", "label"]


class MessageKind(StrEnum):
    """What an outbox message is about: a transition notice or a reminder."""

    ACCEPTED = "accepted"
    RETURNED = "returned"
    RATED = "rated"
    REVOKED = "revoked"
    WINDOW_OPENING = "window_opening"
    WINDOW_CLOSING = "window_closing"
    ROUND_CUTOFF = "round_cutoff"
    CENTRAL_CUTOFF = "central_cutoff"
    STEP_DEADLINE = "step_deadline"
    STEP_OVERDUE = "step_overdue"
    FILING_WINDOW = "filing_window"
    CERTIFICATE_EXPIRING = "certificate_expiring"
    CERTIFICATE_EXPIRED = "certificate_expired"
    EVENT = "event"
    MEETING = "meeting"
    DIGEST = "digest"

    @property
    def is_notice(self) -> bool:
        """Written by a transition in its own transaction, not by the sweep."""
        return self in _NOTICES

    def label(self, lang: str = "vi") -> str:
        """The kind as an officer reads it in a list."""
        vi, en = _KIND_LABELS[self]
        return en if lang == "en" else vi


_NOTICES = frozenset(
    {MessageKind.ACCEPTED, MessageKind.RETURNED, MessageKind.RATED, MessageKind.REVOKED}
)

_KIND_LABELS: dict[MessageKind, tuple[str, str]] = {
    MessageKind.ACCEPTED: ("Tiếp nhận hồ sơ", "Dossier received"),
    MessageKind.RETURNED: ("Trả lại hồ sơ", "Dossier returned"),
    MessageKind.RATED: ("Kết quả phân hạng", "Rating result"),
    MessageKind.REVOKED: ("Thu hồi chứng nhận", "Certificate revoked"),
    MessageKind.WINDOW_OPENING: ("Mở đợt đánh giá xã", "Commune evaluation opens"),
    MessageKind.WINDOW_CLOSING: ("Kết thúc đợt đánh giá xã", "Commune evaluation closes"),
    MessageKind.ROUND_CUTOFF: ("Hạn đề nghị tỉnh", "Province round cut-off"),
    MessageKind.CENTRAL_CUTOFF: ("Hạn đề nghị Trung ương", "Central round cut-off"),
    MessageKind.STEP_DEADLINE: ("Sắp đến hạn xử lý", "Deadline approaching"),
    MessageKind.STEP_OVERDUE: ("Quá hạn xử lý", "Deadline passed"),
    MessageKind.FILING_WINDOW: ("Đến hạn nộp đánh giá lại", "Re-rating filing opens"),
    MessageKind.CERTIFICATE_EXPIRING: ("Chứng nhận sắp hết hạn", "Certificate expiring"),
    MessageKind.CERTIFICATE_EXPIRED: ("Chứng nhận đã hết hạn", "Certificate expired"),
    MessageKind.EVENT: ("Hội nghị", "Conference"),
    MessageKind.MEETING: ("Giao ban", "Monthly meeting"),
    MessageKind.DIGEST: ("Tóm tắt buổi sáng", "Morning digest"),
}


class OutboxStatus(StrEnum):
    """Where a message stands in the outbox (see :mod:`ocop.storage.outbox`)."""

    PENDING = "pending"
    RETRY = "retry"
    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    EXPIRED = "expired"

    def label(self, lang: str = "vi") -> str:
        """The status as an officer reads it."""
        vi, en = _STATUS_LABELS[self]
        return en if lang == "en" else vi


_STATUS_LABELS: dict[OutboxStatus, tuple[str, str]] = {
    OutboxStatus.PENDING: ("chờ gửi", "waiting"),
    OutboxStatus.RETRY: ("chờ gửi lại", "to retry"),
    OutboxStatus.CLAIMED: ("đang lấy", "claimed"),
    OutboxStatus.SENDING: ("đang gửi", "sending"),
    OutboxStatus.SENT: ("đã gửi", "sent"),
    OutboxStatus.FAILED: ("lỗi", "failed"),
    OutboxStatus.UNCERTAIN: ("không rõ", "uncertain"),
    OutboxStatus.EXPIRED: ("quá hạn", "expired"),
}


class DueKind(StrEnum):
    """What falls due on a dossier's ``next_due_on`` (see :mod:`ocop.workflow.deadlines`)."""

    COMMUNE_DEADLINE = "commune_deadline"
    PROVINCE_DEADLINE = "province_deadline"
    PROVINCE_ROUND = "province_round"
    CENTRAL_DEADLINE = "central_deadline"
    CENTRAL_ROUND = "central_round"
    RECERTIFICATION_OPENS = "recertification_opens"
    CERTIFICATE_LAPSES = "certificate_lapses"

    def label(self, lang: str = "vi") -> str:
        """What falls due, as the CLI says it after the date."""
        vi, en = _DUE_LABELS[self]
        return en if lang == "en" else vi


_DUE_LABELS: dict[DueKind, tuple[str, str]] = {
    DueKind.COMMUNE_DEADLINE: ("hạn xã xử lý hồ sơ", "the commune's deadline"),
    DueKind.PROVINCE_DEADLINE: ("hạn tỉnh đánh giá lại", "the province's re-rating deadline"),
    DueKind.PROVINCE_ROUND: ("hạn đợt đánh giá của tỉnh", "the province round's deadline"),
    DueKind.CENTRAL_DEADLINE: (
        "hạn Trung ương đánh giá lại",
        "the Ministry's re-rating deadline",
    ),
    DueKind.CENTRAL_ROUND: ("hạn đợt đánh giá của Trung ương", "the central round's deadline"),
    DueKind.RECERTIFICATION_OPENS: ("mở thời hạn đánh giá lại", "the re-rating window opens"),
    DueKind.CERTIFICATE_LAPSES: ("giấy chứng nhận hết hiệu lực", "the certificate lapses"),
}


def label(vocabulary: type[MessageKind | OutboxStatus | DueKind], value: str, lang: str) -> str:
    """``value``'s label in ``vocabulary``, or ``value`` itself when it is not one of its names
    (a host application's own message kind, say)."""
    try:
        return vocabulary(value).label(lang)
    except ValueError:
        return value
