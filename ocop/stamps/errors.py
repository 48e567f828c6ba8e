"""The e-stamps' error, :class:`~ocop.errors.StampError`, which lives with every other error in
:mod:`ocop.errors`; imported here for the stamp modules."""

from ocop.errors import StampError

__all__ = ["StampError"]
