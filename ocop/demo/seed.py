"""The Lưu Vệ demo data shipped in the package: users, certified products, the new product."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from ocop.errors import InvalidInput
from ocop.models import User
from ocop.plan import Plan, luu_ve_2026
from ocop.text import N_

__all__ = ["SEED", "Product", "Seed", "load_seed"]

SEED = "luu-ve-2026/products.toml"


@dataclass(frozen=True)
class Product:
    """A product of the seed file (see its comments for what is illustrative)."""

    key: str
    product_name: str
    product_set: int
    producer: str
    criteria: Mapping[str, str]
    scores: Mapping[str, float]
    owner: str | None = None
    certificate_number: str | None = None
    stars: int | None = None
    issued_on: date | None = None

    def registration(self, commune: str, province: str) -> dict[str, Any]:
        """The Mẫu 01 fields."""
        return {
            "product_name": self.product_name,
            "product_set": self.product_set,
            "producer": {"name": self.producer},
            "commune": commune,
            "province": province,
            "owner": self.owner,
        }


@dataclass(frozen=True)
class Seed:
    """The commune's plan, its users, its certified products and its new product."""

    plan: Plan
    users: tuple[User, ...]
    certified: tuple[Product, ...]
    new: tuple[Product, ...]

    @property
    def commune(self) -> str:
        """The plan's commune."""
        return self.plan.commune

    @property
    def province(self) -> str:
        """The plan's province."""
        return self.plan.province

    @property
    def rule_set(self) -> str:
        """The rule set the plan names."""
        return self.plan.rule_set


def load_seed(text: str | None = None, plan: Plan | None = None) -> Seed:
    """The Lưu Vệ products shipped in the package (or ``text`` in the same TOML form), with
    the commune's plan (default: the shipped Lưu Vệ 2026 plan) they must match."""
    if plan is None:
        plan = luu_ve_2026()
    if text is None:
        text = resources.files("ocop").joinpath("data", SEED).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
        products = {
            kind: tuple(
                Product(**{k: v for k, v in entry.items() if k in Product.__dataclass_fields__})
                for entry in data.get(kind, [])
            )
            for kind in ("certified", "new")
        }
        seed = Seed(
            plan=plan,
            users=tuple(User.model_validate(u) for u in data.get("users", [])),
            certified=products["certified"],
            new=products["new"],
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InvalidInput.said(
            N_("Tệp dữ liệu của bản chạy thử bị hỏng: {detail}"), field="seed", detail=str(exc)
        ) from exc
    targets = sorted(t.product for t in plan.targets.rerecognise)
    if sorted(p.product_name for p in seed.certified) != targets:
        raise InvalidInput.said(
            N_("Các sản phẩm đã công nhận của bản chạy thử khác với kế hoạch: {targets}."),
            field="seed",
            targets=", ".join(targets),
        )
    if plan.targets.new and len(seed.new) != plan.targets.new.count:
        raise InvalidInput.said(
            N_("Kế hoạch nhắm tới {count} sản phẩm mới."),
            field="seed",
            count=plan.targets.new.count,
        )
    return seed
