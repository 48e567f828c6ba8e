"""Alembic migrations shipped with the package; ``ocop db upgrade`` applies them."""

# The newest revision: ``Database.schema_is_current`` compares against it without loading alembic.
HEAD = "0008"
