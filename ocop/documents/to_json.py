"""Any document's content as JSON: every field, dates as ``YYYY-MM-DD``, text kept readable."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

__all__ = ["to_data", "to_json"]

KINDS = {
    "Mau03": "mau_03",
    "RequestLetter": "request_letter",
    "ProgressReport": "progress_report",
    "DossierList": "dossier_list",
}
"""The ``document`` key of each content type."""


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def to_data(content: object) -> dict[str, Any]:
    """``content`` as plain data, with ``document`` naming its kind first."""
    kind = KINDS.get(type(content).__name__, type(content).__name__)
    data: dict[str, Any] = {"document": kind}
    data.update(_plain(content))
    return data


def to_json(content: object) -> str:
    """``content`` as indented JSON text (UTF-8, not escaped), ending in a newline."""
    return json.dumps(to_data(content), ensure_ascii=False, indent=2) + "\n"
