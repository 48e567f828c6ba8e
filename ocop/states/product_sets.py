"""The 26 OCOP product sets (bộ sản phẩm) of Phụ lục I / II, shared by 148/2023 and 26/2026.

Source: OCOP-RULES.md §5 ([S20]; 148's rows I.1.a–I.3.d checked against [S27][S28]).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PRODUCT_SETS", "TOURISM_SET", "ProductSet"]


@dataclass(frozen=True)
class ProductSet:
    """One criteria set: its number (1–26), sector, group and sub-group."""

    number: int
    sector: str
    group: str
    subgroup: str | None

    @property
    def name(self) -> str:
        """The most specific name: the sub-group if there is one, else the group."""
        return self.subgroup or self.group


_FOOD, _DRINK = "I. Thực phẩm", "II. Đồ uống"
_HERB, _CRAFT = "III. Dược liệu và sản phẩm từ dược liệu", "IV. Hàng thủ công mỹ nghệ"
_PLANT, _TOUR = (
    "V. Sinh vật cảnh",
    "VI. Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
)

_ROWS: tuple[tuple[str, str, str | None], ...] = (
    (_FOOD, "1. Thực phẩm tươi sống", "a. Rau, củ, quả, hạt tươi"),
    (_FOOD, "1. Thực phẩm tươi sống", "b. Thịt, thủy sản, trứng, sữa tươi"),
    (_FOOD, "2. Thực phẩm thô, sơ chế", "a. Gạo, ngũ cốc, hạt sơ chế khác"),
    (_FOOD, "2. Thực phẩm thô, sơ chế", "b. Mật ong, mật khác và nông sản thực phẩm khác"),
    (_FOOD, "3. Thực phẩm chế biến", "a. Đồ ăn nhanh"),
    (_FOOD, "3. Thực phẩm chế biến", "b. Chế biến từ gạo, ngũ cốc"),
    (_FOOD, "3. Thực phẩm chế biến", "c. Chế biến từ rau, củ, quả, hạt"),
    (
        _FOOD,
        "3. Thực phẩm chế biến",
        "d. Chế biến từ thịt, trứng, sữa, thủy sản, sản phẩm từ mật ong, mật khác và nông sản"
        " thực phẩm khác",
    ),
    (_FOOD, "4. Gia vị", "a. Tương, nước mắm, gia vị dạng lỏng khác"),
    (_FOOD, "4. Gia vị", "b. Gia vị khác (muối, hành, tỏi, tiêu)"),
    (_FOOD, "5. Chè", "a. Chè tươi, chè chế biến"),
    (_FOOD, "5. Chè", "b. Sản phẩm trà / chè từ thực vật khác"),
    (_FOOD, "6. Cà phê, ca cao", None),
    (_DRINK, "1. Đồ uống có cồn", "a. Rượu trắng"),
    (_DRINK, "1. Đồ uống có cồn", "b. Đồ uống có cồn khác"),
    (_DRINK, "2. Đồ uống không cồn", "a. Nước khoáng thiên nhiên, nước uống đóng chai"),
    (_DRINK, "2. Đồ uống không cồn", "b. Đồ uống không cồn (khác)"),
    (_HERB, "1. Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền", None),
    (_HERB, "2. Mỹ phẩm có thành phần từ dược liệu", None),
    (_HERB, "3. Tinh dầu và dược liệu khác", None),
    (_CRAFT, "1. Thủ công mỹ nghệ gia dụng, trang trí", None),
    (_CRAFT, "2. Vải, may mặc", None),
    (_PLANT, "1. Hoa", None),
    (_PLANT, "2. Cây cảnh", None),
    (_PLANT, "3. Động vật cảnh", None),
    (_TOUR, "1. Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch", None),
)

PRODUCT_SETS: dict[int, ProductSet] = {
    number: ProductSet(number, *row) for number, row in enumerate(_ROWS, start=1)
}

# The tourism set takes no product samples (26/2026 Điều 6.2.d).
TOURISM_SET = 26
