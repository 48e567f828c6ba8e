"""The story's engine: a registry on a demo clock, moved day by day through the Lưu Vệ plan."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import ocop
from ocop.demo import papers as paperwork
from ocop.demo.events import Change, Mail, Refusal, Step, Text
from ocop.demo.papers import Paper
from ocop.demo.seed import Product, Seed, load_seed
from ocop.errors import InvalidInput, OcopError
from ocop.models import Actor, Dossier
from ocop.plan import Event
from ocop.states import IMPORT_TRIGGER, IN_CYCLE, RULE_SETS, Role
from ocop.text import N_
from ocop.workdays import TZ

__all__ = ["Demo"]

START = date(2026, 1, 5)
EVALUATION_DAY = date(2026, 8, 20)
"""The commune's evaluation: inside the plan's window ("tháng 8/2026", Mục III.3)."""
END = date(2026, 12, 31)


class _Clock:
    """The demo's clock: a day and a time of day in Vietnam, moved only by the story."""

    def __init__(self, day: date) -> None:
        self.now = datetime.combine(day, time(7, 0), TZ).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, day: date, hour: int) -> None:
        self.now = datetime.combine(day, time(hour, 0), TZ).astimezone(UTC)

    def tick(self) -> None:
        # Steps of one day are minutes apart, so the history reads in the order they happened.
        self.now += timedelta(minutes=1)


@dataclass
class _Day:
    """A step being built."""

    events: list[Change | Refusal] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)


def _officers_in(seed: Seed, lang: str) -> Seed:
    """The seed with the plan's officers reading ``lang`` (producers are not in the plan)."""
    if lang not in ("vi", "en"):
        return seed
    officers = tuple(r.model_copy(update={"lang": lang}) for r in seed.plan.recipients)
    return replace(seed, plan=seed.plan.model_copy(update={"recipients": officers}))


class Demo:
    """The story on a registry of its own, at ``url`` (a fresh database)."""

    def __init__(
        self,
        url: str,
        seed: Seed | None = None,
        mail: str | os.PathLike[str] | None = None,
        *,
        lang: str = "vi",
    ) -> None:
        """``lang`` is the officers' language: their mail is written in it (``--lang en``);
        producers keep the plan's."""
        self.seed = _officers_in(seed or load_seed(), lang)
        self.lang = lang
        self._papers: list[Paper] = []
        self.clock = _Clock(START)
        from ocop.notifications.notices import default_notices, notices_for
        from ocop.settings import Settings

        notices = default_notices if mail is None else notices_for(self.seed.plan)
        # The plan gives the numbers of the record their codes (illustrative in the demo's).
        self.registry = ocop.open(
            Settings(database=url, plan=self.seed.plan), clock=self.clock, notices=notices
        )
        self.ids: dict[str, int] = {}
        self._swept = START - timedelta(days=1)
        self._postman = None if mail is None else _Postman(self, mail)

    def __enter__(self) -> Demo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the registry."""
        self.registry.close()

    # -- who acts ---------------------------------------------------------------------------

    def _actor(self, role: Role) -> Actor:
        user = next(u for u in self.seed.users if u.role is role)
        return user.actor()

    @property
    def officer(self) -> Actor:
        """The commune's economic office."""
        return self._actor(Role.COMMUNE_OFFICER)

    @property
    def province(self) -> Actor:
        """The province's OCOP office."""
        return self._actor(Role.PROVINCE_OFFICER)

    def _producer(self, product: Product) -> Actor:
        return next(u for u in self.seed.users if u.username == product.owner).actor()

    # -- the year ---------------------------------------------------------------------------

    def steps(self) -> Iterator[Step]:
        """The year, day by day: each scripted day, preceded by the sweeps that found work."""
        work: list[tuple[date, Callable[[date], Step]]] = [
            (START, self._setup),
            (date(2026, 6, 1), self._reapply(self.seed.certified[:1])),
            (date(2026, 6, 15), self._reapply(self.seed.certified[1:])),
            (date(2026, 7, 6), self._check_reratings),
            (date(2026, 7, 27), self._register_new),
            (date(2026, 7, 29), self._return_new),
            (date(2026, 8, 5), self._resubmit_new),
            (date(2026, 8, 7), self._check_new),
            (EVALUATION_DAY, self._evaluate_all),
            (date(2026, 8, 25), self._submit_all),
            (date(2026, 11, 16), self._rate_all),
        ]
        # The plan's conferences come first on their day, before that day's dossier work.
        conferences = [(event.date, self._event(event)) for event in self.seed.plan.events]
        ranked = [(day, 0, n, act) for n, (day, act) in enumerate(conferences)]
        ranked += [(day, 1, n, act) for n, (day, act) in enumerate(work)]
        actions = [(day, act) for day, _, _, act in sorted(ranked, key=lambda r: r[:3])]
        for day, action in actions:
            yield from self._sweep(day - timedelta(days=1))
            self.clock.at(day, 9)
            step = action(day)
            yield replace(step, mail=self._deliver())
        yield from self._sweep(END)

    def dossiers(self) -> list[Dossier]:
        """Every dossier as it stands now."""
        return self.registry.find()

    def _sweep(self, until: date) -> Iterator[Step]:
        """Run the daily sweep up to ``until``, yielding a step for each day it changed."""
        day = self._swept + timedelta(days=1)
        while day <= until:
            self.clock.at(day, 7)
            events = self.registry.advance()
            changes = tuple(
                Change(e.trigger, e.actor.name, e.before.state if e.before else None, e.after)
                for e in events
            )
            notes = tuple(self._lapsed_today(day))
            mail = self._deliver()
            if changes or notes or mail:
                yield Step(
                    day,
                    Text(N_("Rà soát tự động hằng ngày")),
                    changes,
                    notes=notes,
                    system=True,
                    mail=mail,
                )
            day += timedelta(days=1)
        self._swept = until

    @property
    def mail_sent(self) -> int:
        """How many e-mails the story has written to its mail folder."""
        return self._postman.sent if self._postman else 0

    # -- the office's papers ------------------------------------------------------------------

    def papers(self) -> tuple[Paper, ...]:
        """The papers of the story so far: the August Mẫu 03 and the request letter once their
        days have passed, as they read that day; then the progress report on the plan as of
        the year's last day (once the story has reached it), in the officers' language."""
        papers = list(self._papers)
        if self._swept >= END:
            plan, calendar = self.seed.plan, self.registry.calendar
            papers.append(paperwork.progress(plan, self.dossiers(), END, calendar, self.lang))
        return tuple(papers)

    def write_papers(self, folder: str | os.PathLike[str]) -> tuple[tuple[str, Path], ...]:
        """Write :meth:`papers` into ``folder``; each file written with its paper's key
        (``mau_03``, ``letter``, ``progress``)."""
        return paperwork.write_papers(self.papers(), folder)

    def _deliver(self) -> tuple[Mail, ...]:
        return self._postman.deliver() if self._postman else ()

    def _lapsed_today(self, day: date) -> Iterator[Text]:
        # A certificate lapsing while its re-rating runs changes no state; say so on the day.
        for dossier in self.registry.find(state=IN_CYCLE):
            cert = dossier.certificate
            if cert is not None and cert.expires_on == day - timedelta(days=1):
                yield Text(
                    N_(
                        "GCN {number} của {product} hết hạn ngày {day:%d/%m/%Y} trong khi hồ sơ "
                        "đánh giá lại đang xử lý."
                    ),
                    number=cert.number,
                    product=dossier.product_name,
                    day=cert.expires_on,
                )

    def _fire(self, day: _Day, key: str, trigger: str, actor: Actor, **data: Any) -> None:
        self.clock.tick()
        before = self.registry.get(self.ids[key])
        after = self.registry.fire(before.id, trigger, actor=actor, **data)
        day.events.append(Change(trigger, actor.name, before.state, after))

    def _step(self, when: date, title: Text, day: _Day) -> Step:
        return Step(when, title, tuple(day.events), tuple(day.notes))

    # -- scripted days ----------------------------------------------------------------------

    def _setup(self, when: date) -> Step:
        seed, day = self.seed, _Day()
        for user in seed.users:
            self.registry.add_user(user)
        for product in seed.certified:
            self.clock.tick()
            dossier = self.registry.import_certified(
                product.registration(seed.commune, seed.province),
                certificate_number=product.certificate_number or "",
                stars=product.stars or 0,
                issued_on=product.issued_on or when,
                actor=self.officer,
                rule_set=seed.rule_set,
                note="Dữ liệu minh họa (demo)",
            )
            self.ids[product.key] = dossier.id
            day.events.append(Change(IMPORT_TRIGGER, self.officer.name, None, dossier))
        day.notes.append(
            Text(
                N_(
                    "{users} người dùng minh họa; GCN cấp năm 2023 theo QĐ 148, nhập với quy định "
                    "{rules}. Số GCN và ngày cấp là dữ liệu minh họa."
                ),
                users=len(seed.users),
                rules=seed.rule_set,
            )
        )
        return self._step(
            when,
            Text(N_("Phòng Kinh tế nhập 3 sản phẩm 3★ được công nhận năm 2023")),
            day,
        )

    def _rule_set_for_filing(self, when: date) -> str | None:
        """The plan's rule set while it is in force; afterwards the registry picks by date."""
        plan = RULE_SETS[self.seed.rule_set]
        return plan.id if plan.in_force_on(when) else None

    def _filing_note(self, when: date, rules: str | None) -> Text:
        plan = RULE_SETS[self.seed.rule_set]
        lapse = plan.effective_until
        if rules:
            return Text(
                N_(
                    "Nộp trước khi QĐ 148/1489 hết hiệu lực ({lapse:%d/%m/%Y}): áp dụng {rules} "
                    "như kế hoạch của xã."
                ),
                lapse=lapse,
                rules=rules,
            )
        chosen = self.registry.rule_set(on=when).id
        return Text(
            N_(
                "QĐ 148/1489 đã hết hiệu lực ({lapse:%d/%m/%Y}): hệ thống chọn theo ngày nộp: "
                "{chosen}."
            ),
            lapse=lapse,
            chosen=chosen,
        )

    def _reapply(self, products: tuple[Product, ...]) -> Callable[[date], Step]:
        def action(when: date) -> Step:
            day = _Day()
            rules = self._rule_set_for_filing(when)
            for product in products:
                self._fire(
                    day,
                    product.key,
                    "reapply",
                    self.officer,
                    kind="rerating",
                    documents=["mau_01", "mau_02"],
                    samples=5,
                    rule_set=rules,
                )
            day.notes.append(self._filing_note(when, rules))
            names = ", ".join(p.product_name for p in products)
            return self._step(
                when,
                Text(N_("Tiếp nhận hồ sơ đánh giá lại: {names}"), names=names),
                day,
            )

        return action

    def _check_reratings(self, when: date) -> Step:
        day = _Day()
        for product in self.seed.certified:
            self._fire(day, product.key, "check", self.officer)
        return self._step(
            when,
            Text(N_("Kiểm tra hồ sơ đánh giá lại: đủ Mẫu 01, Mẫu 02 và 5 mẫu sản phẩm")),
            day,
        )

    def _register_new(self, when: date) -> Step:
        seed, day = self.seed, _Day()
        rules = self._rule_set_for_filing(when)
        for product in seed.new:
            self.clock.tick()
            producer = self._producer(product)
            dossier = self.registry.register(
                product.registration(seed.commune, seed.province)
                | {"documents": ["mau_01"], "samples": 0},
                actor=producer,
                rule_set=rules,
            )
            self.ids[product.key] = dossier.id
            day.events.append(Change("register", producer.name, None, dossier))
        day.notes.append(self._filing_note(when, rules))
        day.notes.append(
            Text(
                N_(
                    "Kế hoạch không nêu tên sản phẩm mới; tên ở đây là minh họa. Hồ sơ mới có "
                    "Mẫu 01."
                )
            )
        )
        return self._step(when, Text(N_("Chủ thể đăng ký sản phẩm mới")), day)

    def _return_new(self, when: date) -> Step:
        day = _Day()
        for product in self.seed.new:
            dossier = self.registry.get(self.ids[product.key])
            try:
                self.registry.fire(dossier.id, "check", actor=self.officer)
            except OcopError as error:
                day.events.append(Refusal("check", self.officer, dossier, error))
            self._fire(
                day,
                product.key,
                "return_dossier",
                self.officer,
                reason="Thiếu Báo cáo tự đánh giá (Mẫu 02) và 5 mẫu sản phẩm",
            )
        return self._step(
            when,
            Text(N_("Kiểm tra hồ sơ mới: thiếu tài liệu, trả lại để bổ sung")),
            day,
        )

    def _resubmit_new(self, when: date) -> Step:
        day = _Day()
        for product in self.seed.new:
            self._fire(
                day,
                product.key,
                "resubmit",
                self._producer(product),
                documents=["mau_02"],
                samples=5,
            )
        return self._step(
            when,
            Text(N_("Chủ thể nộp lại hồ sơ đã bổ sung (thời hạn của xã tính lại)")),
            day,
        )

    def _check_new(self, when: date) -> Step:
        day = _Day()
        for product in self.seed.new:
            self._fire(day, product.key, "check", self.officer)
        return self._step(when, Text(N_("Kiểm tra hồ sơ mới: đủ")), day)

    def _all(self) -> tuple[Product, ...]:
        return self.seed.certified + self.seed.new

    def _event(self, event: Event) -> Callable[[date], Step]:
        def action(when: date) -> Step:
            place = f", {event.place}" if event.place else ""
            if event.time:
                planned = Text(N_("Kế hoạch: {time:%H:%M}{place}."), time=event.time, place=place)
            else:
                planned = Text(N_("Kế hoạch: trong ngày{place}."), place=place)
            notes = [planned]
            if event.illustrative:
                notes.append(
                    Text(N_("Kế hoạch nêu hội nghị nhưng không nêu ngày; ngày ở đây là minh họa."))
                )
            return Step(when, Text.verbatim(event.name), notes=tuple(notes))

        return action

    def _evaluate_all(self, when: date) -> Step:
        day = _Day()
        window = self.seed.plan.evaluation
        if window is not None:
            if not window.opens <= when <= window.closes:
                raise InvalidInput.said(
                    N_(
                        "Bản demo đánh giá ngày {day:%d/%m/%Y}, ngoài thời gian đánh giá của kế "
                        "hoạch {opens:%d/%m/%Y}–{closes:%d/%m/%Y}."
                    ),
                    day=when,
                    opens=window.opens,
                    closes=window.closes,
                )
            day.notes.append(
                Text(
                    N_("Trong thời gian đánh giá của kế hoạch: {opens:%d/%m}–{closes:%d/%m/%Y}."),
                    opens=window.opens,
                    closes=window.closes,
                )
            )
        for product in self._all():
            self._fire(
                day,
                product.key,
                "evaluate",
                self.officer,
                criteria=dict(product.criteria),
                report_number="DEMO-01/BC-UBND",
                report_date=when.isoformat(),
            )
        evaluated = [self.registry.get(self.ids[p.key]) for p in self._all()]
        self._papers.append(paperwork.mau03(self.seed.plan, evaluated, when, self.lang))
        return self._step(
            when,
            Text(N_("Tổ đánh giá của UBND xã đánh giá 4 tiêu chí (tháng 8/2026, theo kế hoạch)")),
            day,
        )

    def _submit_all(self, when: date) -> Step:
        day = _Day()
        for product in self._all():
            self._fire(
                day,
                product.key,
                "submit",
                self.officer,
                letter_number="DEMO-45/UBND-KT",
                letter_date=when.isoformat(),
            )
        sent = [self.registry.get(self.ids[p.key]) for p in self._all()]
        self._papers.append(paperwork.letter(self.seed.plan, sent, when, self.lang))
        return self._step(
            when,
            Text(N_("UBND xã gửi văn bản đề nghị tỉnh đánh giá, phân hạng")),
            day,
        )

    def _rate_all(self, when: date) -> Step:
        day = _Day()
        for number, product in enumerate(self._all(), start=1):
            self._fire(
                day,
                product.key,
                "rate",
                self.province,
                **dict(product.scores),
                certificate_number=f"DEMO-2026-{number:03d}",
                decision_number="DEMO-QĐ/UBND",
                issued_on=when.isoformat(),
            )
        day.notes.append(Text(N_("Điểm, số quyết định và số GCN là dữ liệu minh họa.")))
        return self._step(
            when,
            Text(N_("Hội đồng cấp tỉnh chấm điểm, UBND tỉnh công nhận")),
            day,
        )


class _Postman:
    """The daemon's part of the story: the day's reminders and notices, written as .eml files.

    The morning digest is left out: it would repeat the plan's upcoming dates every working day.
    """

    def __init__(self, demo: Demo, folder: str | os.PathLike[str]) -> None:
        from ocop.notifications.delivery import Drainer
        from ocop.notifications.transports import FolderTransport

        self.demo = demo
        self.outbox = demo.registry.outbox
        sender = demo.seed.plan.sender or "OCOP <ocop@localhost>"
        self.drainer = Drainer(
            self.outbox, FolderTransport(folder), sender=sender, worker="demo", clock=demo.clock
        )
        self.sent = 0

    def deliver(self) -> tuple[Mail, ...]:
        from ocop.notifications.delivery import queue_reminders

        queue_reminders(self.demo.registry, self.demo.seed.plan, self.outbox, with_digest=False)
        delivered = self.drainer.drain().delivered
        self.sent += len(delivered)
        return tuple(Mail(d.kind, d.recipient, d.subject) for d in delivered)
