"""The names the engine, the outbox, the mail and the officers share, declared once.

Each is a ``StrEnum``: its values are what the database stores and what scripts read in
``--json``, and ``label(lang)`` is what an officer reads. A new message kind is a member here,
its templates (``notifications/templates/<kind>.vi.txt`` and ``.en.txt``) and the rule or
notice that writes it; ``tests/test_vocabulary.py`` fails when one of them is missing.
"""

from __future__ import annotations

from enum import StrEnum

from ocop.text import NC_, term

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
        return term(lang, "message kind", _KIND_LABELS[self])


_NOTICES = frozenset(
    {MessageKind.ACCEPTED, MessageKind.RETURNED, MessageKind.RATED, MessageKind.REVOKED}
)

_KIND_LABELS: dict[MessageKind, str] = {
    MessageKind.ACCEPTED: NC_("message kind", "Tiếp nhận hồ sơ"),
    MessageKind.RETURNED: NC_("message kind", "Trả lại hồ sơ"),
    MessageKind.RATED: NC_("message kind", "Kết quả phân hạng"),
    MessageKind.REVOKED: NC_("message kind", "Thu hồi chứng nhận"),
    MessageKind.WINDOW_OPENING: NC_("message kind", "Mở đợt đánh giá xã"),
    MessageKind.WINDOW_CLOSING: NC_("message kind", "Kết thúc đợt đánh giá xã"),
    MessageKind.ROUND_CUTOFF: NC_("message kind", "Hạn đề nghị tỉnh"),
    MessageKind.CENTRAL_CUTOFF: NC_("message kind", "Hạn đề nghị Trung ương"),
    MessageKind.STEP_DEADLINE: NC_("message kind", "Sắp đến hạn xử lý"),
    MessageKind.STEP_OVERDUE: NC_("message kind", "Quá hạn xử lý"),
    MessageKind.FILING_WINDOW: NC_("message kind", "Đến hạn nộp đánh giá lại"),
    MessageKind.CERTIFICATE_EXPIRING: NC_("message kind", "Chứng nhận sắp hết hạn"),
    MessageKind.CERTIFICATE_EXPIRED: NC_("message kind", "Chứng nhận đã hết hạn"),
    MessageKind.EVENT: NC_("message kind", "Hội nghị"),
    MessageKind.MEETING: NC_("message kind", "Giao ban"),
    MessageKind.DIGEST: NC_("message kind", "Tóm tắt buổi sáng"),
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
        return term(lang, "outbox status", _STATUS_LABELS[self])


_STATUS_LABELS: dict[OutboxStatus, str] = {
    OutboxStatus.PENDING: NC_("outbox status", "chờ gửi"),
    OutboxStatus.RETRY: NC_("outbox status", "chờ gửi lại"),
    OutboxStatus.CLAIMED: NC_("outbox status", "đang lấy"),
    OutboxStatus.SENDING: NC_("outbox status", "đang gửi"),
    OutboxStatus.SENT: NC_("outbox status", "đã gửi"),
    OutboxStatus.FAILED: NC_("outbox status", "lỗi"),
    OutboxStatus.UNCERTAIN: NC_("outbox status", "không rõ"),
    OutboxStatus.EXPIRED: NC_("outbox status", "quá hạn"),
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
        return term(lang, "due kind", _DUE_LABELS[self])


_DUE_LABELS: dict[DueKind, str] = {
    DueKind.COMMUNE_DEADLINE: NC_("due kind", "hạn xã xử lý hồ sơ"),
    DueKind.PROVINCE_DEADLINE: NC_("due kind", "hạn tỉnh đánh giá lại"),
    DueKind.PROVINCE_ROUND: NC_("due kind", "hạn đợt đánh giá của tỉnh"),
    DueKind.CENTRAL_DEADLINE: NC_("due kind", "hạn Trung ương đánh giá lại"),
    DueKind.CENTRAL_ROUND: NC_("due kind", "hạn đợt đánh giá của Trung ương"),
    DueKind.RECERTIFICATION_OPENS: NC_("due kind", "mở thời hạn đánh giá lại"),
    DueKind.CERTIFICATE_LAPSES: NC_("due kind", "giấy chứng nhận hết hiệu lực"),
}


def label(vocabulary: type[MessageKind | OutboxStatus | DueKind], value: str, lang: str) -> str:
    """``value``'s label in ``vocabulary``, or ``value`` itself when it is not one of its names
    (a host application's own message kind, say)."""
    try:
        return vocabulary(value).label(lang)
    except ValueError:
        return value
