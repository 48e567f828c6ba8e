"""The Lưu Vệ 2026 story: the commune's OCOP plan played through the year on a demo clock.

:class:`Demo` opens a registry on a fresh database with a clock it moves itself, loads the
products that ship in ``ocop/data/luu-ve-2026/products.toml`` and yields the year as
:class:`Step` records: what happened on which day, who did it, each dossier as it then stood,
and any step the library refused. It prints nothing; ``ocop demo`` does.

The story follows the seed plan: the three 3-star products certified in 2023 are imported with
their certificates, flagged for re-rating by :meth:`ocop.Registry.advance` (swept every day, as
the daemon would) when their window opens, and taken through a re-rating cycle; one new product
is registered, returned once, resubmitted and checked; all four are evaluated in the commune's
August evaluation, submitted to the province and rated 3★. Cycles filed before QĐ 148/1489
lapse (21/7/2026) run under them, as the plan says; later ones run under whatever the registry
picks for their date.

Given a ``mail`` folder, the daemon's part runs too: each day's reminders and the transition
notices are rendered and written there as ``.eml`` files, and listed on the day's step.

The office's papers are built on their days too (:meth:`Demo.papers`): the August Mẫu 03,
the request letter to the province and the year-end progress report;
:meth:`Demo.write_papers` writes them as .docx (and the report as .xlsx).
"""

from ocop.demo.events import Change, Mail, Refusal, Step, Text
from ocop.demo.papers import Paper
from ocop.demo.seed import Product, Seed, load_seed
from ocop.demo.story import Demo

__all__ = [
    "Change",
    "Demo",
    "Mail",
    "Paper",
    "Product",
    "Refusal",
    "Seed",
    "Step",
    "Text",
    "load_seed",
]
