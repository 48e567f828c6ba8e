"""The papers the demo's office writes: its August Mẫu 03, its request letter to the province
and the year-end progress report on the plan.

Each is built (:mod:`ocop.documents`) on the day it belongs to, from the dossiers as they
stood that day: the Mẫu 03 on the commune's evaluation, the letter on the day it is sent,
the report on the last day of the year. :func:`write_papers` then writes them as files.
The plan's ``signed_by`` signs all three (the demo invents no signer).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ocop.documents import (
    Mau03,
    ProgressReport,
    RequestLetter,
    Signer,
    build_mau03,
    build_progress_report,
    build_request_letter,
)
from ocop.models import Dossier
from ocop.plan import Plan
from ocop.workdays import Calendar

__all__ = ["Paper", "letter", "mau03", "progress", "write_papers"]

REPORT_NUMBER = "DEMO-60/BC-UBND"
"""The progress report's number: illustrative, as are the demo's other numbers."""


@dataclass(frozen=True)
class Paper:
    """A document of the story and the file names it is written under."""

    key: str
    """``mau_03``, ``letter`` or ``progress``."""
    content: tuple[Mau03, ...] | RequestLetter | ProgressReport
    """Several Mẫu 03 are one file, one report a page."""
    stem: str
    """The file's name without its extension."""
    formats: tuple[str, ...]
    """The extensions it is written as: ``docx``, and ``xlsx`` for the report."""


def _signer(plan: Plan) -> Signer:
    return Signer.from_text(plan.signed_by)


def mau03(plan: Plan, dossiers: Sequence[Dossier], day: date, lang: str) -> Paper:
    """The commune's evaluation report (Mẫu 03) of ``dossiers``, evaluated on ``day``."""
    reports = tuple(build_mau03(d, lang=lang, signer=_signer(plan)) for d in dossiers)
    return Paper("mau_03", reports, f"mau-03-{day:%Y-%m}", ("docx",))


def letter(plan: Plan, dossiers: Sequence[Dossier], day: date, lang: str) -> Paper:
    """The request letter ``dossiers`` went to the province under on ``day``."""
    content = build_request_letter(dossiers, lang=lang, signer=_signer(plan))
    return Paper("letter", content, f"van-ban-de-nghi-{day:%Y-%m-%d}", ("docx",))


def progress(
    plan: Plan, dossiers: Sequence[Dossier], as_of: date, calendar: Calendar, lang: str
) -> Paper:
    """The progress report on ``plan`` as of ``as_of``, as .docx and .xlsx."""
    report = build_progress_report(
        plan,
        dossiers,
        as_of=as_of,
        calendar=calendar,
        lang=lang,
        signer=_signer(plan),
        number=REPORT_NUMBER,
    )
    return Paper("progress", report, f"bao-cao-tien-do-{as_of:%Y-%m-%d}", ("docx", "xlsx"))


def write_papers(
    papers: Sequence[Paper], folder: str | os.PathLike[str]
) -> tuple[tuple[str, Path], ...]:
    """Write each paper in each of its formats into ``folder`` (made if missing); each file
    written, in order, with its paper's key."""
    from ocop.documents import write_docx, write_xlsx

    where = Path(folder)
    where.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, Path]] = []
    for paper in papers:
        for fmt in paper.formats:
            path = where / f"{paper.stem}.{fmt}"
            if fmt == "docx":
                content = paper.content
                write_docx(list(content) if isinstance(content, tuple) else content, path)
            elif fmt == "xlsx" and isinstance(paper.content, ProgressReport):
                write_xlsx(paper.content, path)
            else:
                raise ValueError(f"no {fmt} file for {paper.key}")
            written.append((paper.key, path))
    return tuple(written)
