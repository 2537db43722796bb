"""Judge: pure functions from records and spec to checks, then the one mistake to tell.

The checks and their table (``checks``), a run's checks in dependency order (``run``), the
source file's own check (``source``) and the hint texts (``hints``). No I/O happens here.
"""
