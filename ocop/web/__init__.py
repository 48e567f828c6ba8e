"""The public, read-only stamp page (``ocop serve``): Starlette, jinja2 templates, uvicorn.

:func:`ocop.web.app.create_app` builds the app on a registry and the trusted keys; the
``ocop serve`` command (``ocop.cli.serve``) runs it with uvicorn. This package imports
nothing: Starlette is loaded by :mod:`ocop.web.app`.
"""
