"""Writing reports to the grader: one SEQPACKET datagram of tab-separated UTF-8 text each.

Strategy: the learner's code shares the process and can write to the same descriptor, so nothing
here is trusted by the grader (``grader.observe.trace`` parses strictly, and anything it did not
expect is tampering). So that our own reports are always well-formed, each field is cut to a
bound here and the whole datagram stays valid UTF-8. A failed send is never the script's
problem, so it is dropped.
"""

import os

MAX_FIELD = 500  # characters of one field; the grader's parser allows no more
MAX_DATAGRAM = 3000  # bytes of one report; the grader's parser allows no more


def send(ctrl, *fields):
    """Send one report made of ``fields`` (each turned to text, tabs and newlines blanked)."""
    text = "\t".join(
        _text(f)[:MAX_FIELD].replace("\t", " ").replace("\n", " ").replace("\r", " ")
        for f in fields
    )
    data = text.encode("utf-8", "replace")
    if len(data) > MAX_DATAGRAM:
        data = data[:MAX_DATAGRAM].decode("utf-8", "ignore").encode("utf-8")
    try:
        ctrl.send(data)
    except OSError:
        pass  # the grader is gone or the channel was closed by the script: nothing to report to


def _text(value):
    try:
        return str(value)
    except Exception:  # a learner's object whose __str__ fails: the report still goes out
        return "?"


class Reporter:
    """Reports from the script's own interpreter only: a process it forked stays silent.

    A forked child runs the same code (the script's body, the hooks, the exit) but is not the
    process the grader holds at exit; were it to report, its end would read as the script's.
    """

    def __init__(self, ctrl):
        self.ctrl = ctrl
        self.pid = os.getpid()

    def mine(self):
        """Whether this is the script's interpreter (not a process it forked)."""
        return os.getpid() == self.pid

    def __call__(self, *fields):
        if os.getpid() == self.pid:
            send(self.ctrl, *fields)
