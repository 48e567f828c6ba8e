"""``python -m ocop``: the same command line as ``ocop``."""

from ocop.cli import main

raise SystemExit(main())
