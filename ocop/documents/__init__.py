"""The papers the commune's office sends, as content first and files second.

Each document is built as data by its own module, with no layout in it: a host application
can render that content its own way. The renderers then write it:

=========================  ==============================  ======================
content                    built by                        written as
=========================  ==============================  ======================
:class:`Mau03`             :func:`build_mau03`             .docx, JSON
:class:`RequestLetter`     :func:`build_request_letter`    .docx, JSON
:class:`ProgressReport`    :func:`build_progress_report`   .docx, .xlsx, JSON
:class:`DossierList`       :func:`build_dossier_list`      .xlsx, JSON
=========================  ==============================  ======================

Text is Vietnamese unless ``lang="en"``, NFC-normalised. :func:`write_docx` and
:func:`write_xlsx` import python-docx and openpyxl when called, not before::

    from ocop.documents import build_mau03, write_docx
    write_docx(build_mau03(registry.get(3)), "mau-03.docx")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ocop.documents.common import Field, Letterhead, Signature, Signer
from ocop.documents.dossier_list import DossierList, DossierRow, build_dossier_list
from ocop.documents.letter import LetterItem, RequestLetter, build_request_letter
from ocop.documents.mau03 import Assessment, Mau03, build_mau03
from ocop.documents.progress import (
    DueItem,
    EventItem,
    ProductProgress,
    ProgressReport,
    StateCount,
    TargetProgress,
    build_progress_report,
)
from ocop.documents.to_json import to_data, to_json

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Sequence

__all__ = [
    "Assessment",
    "DossierList",
    "DossierRow",
    "DueItem",
    "EventItem",
    "Field",
    "LetterItem",
    "Letterhead",
    "Mau03",
    "ProductProgress",
    "ProgressReport",
    "RequestLetter",
    "Signature",
    "Signer",
    "StateCount",
    "TargetProgress",
    "build_dossier_list",
    "build_mau03",
    "build_progress_report",
    "build_request_letter",
    "to_data",
    "to_json",
    "write_docx",
    "write_xlsx",
]


def write_docx(content: Any | Sequence[Any], path: str | os.PathLike[str]) -> None:
    """Write a Mẫu 03 (or several, one per page), a request letter or a progress report as
    a Word file (see :mod:`ocop.documents.to_docx`)."""
    from ocop.documents.to_docx import write_docx as write

    write(content, path)


def write_xlsx(
    content: ProgressReport | DossierList,
    path: str | os.PathLike[str],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write a progress report or a dossier list as an Excel workbook; ``progress`` is called
    after each row of a dossier list with the rows written and their number."""
    from ocop.documents.to_xlsx import write_xlsx as write

    write(content, path, progress=progress)
