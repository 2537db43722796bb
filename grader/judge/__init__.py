"""Judge: pure functions from records and spec to checks, then the one mistake to tell.

Checks return verdicts (``checks`` and its table, ``closing``, shared readings in ``verdict``),
judged per run in dependency order (``run``); the file's own check (``source``, with-blocks in
``with_blocks``). Diagnosis picks the hint from what the rules look at (``facts``, ``diagnosis``,
texts in ``hints``); ``transcript``, ``scoring`` and ``location`` prepare what the Report carries.
No I/O happens here.
"""
