"""ocop's benchmarks: every hot path measured against its floor, in one run.

Run ``python -m bench`` (``--quick`` for a short run, ``--only NAME`` for one benchmark, ``--list``
for the names). Timings are printed, never asserted; see :mod:`bench.run`.
"""
