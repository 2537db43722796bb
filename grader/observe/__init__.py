"""Observe: run the learner's script once and record what happened, as frozen records.

The warm worker interpreter that forks every run (``zygote``), a run's process (``process``), the reference server's side of the
wire (``wire``), what the script's interpreter reported (``trace``), the kernel's view of the
run's sockets at its exit (``sockets``), one run driven from one selector (``session``), and the
records they produce (``records``). Nothing here judges.
"""
