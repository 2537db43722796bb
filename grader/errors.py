"""The two kinds of trouble that are not a learner's failing check.

``BadInput`` is the caller's to fix (exit status 2): a missing file, an unknown problem, a
malformed spec or configuration. ``GraderFault`` is ours (exit status 3). Both carry a message
meant to be shown as it is, naming the thing and the fix.
"""

# The exit status of the command line, and of a Report (``Report.exit_code``).
EXIT_PASS, EXIT_FAIL, EXIT_BAD_INPUT, EXIT_GRADER_FAULT = 0, 1, 2, 3


class BadInput(Exception):
    """Input to the grader itself is wrong: the message names the thing and the fix."""


class GraderFault(Exception):
    """The grader could not do its job; the learner's script is not to blame."""
