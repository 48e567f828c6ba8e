"""A test that needs a part of the machine (a program, a package, a mount) says so in one
place: where the part is missing the test is skipped, except under ``CI=true``, where it
fails, so that CI always runs every test (``.ci/run`` installs every part)."""

from __future__ import annotations

import os

import pytest

__all__ = ["require"]


def require(present: bool, what: str, how: str) -> None:
    """Go on if ``present``; else skip, or fail under CI, saying ``what`` is missing and ``how``
    to get it."""
    if present:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {what} is missing: {how}", pytrace=False)
    pytest.skip(f"{what} is missing: {how}")
