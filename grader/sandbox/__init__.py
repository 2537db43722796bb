"""What runs inside the learner's interpreter: the zygote, the namespace and mount setup, the hooks.

Every module here is imported by a bare interpreter (``python -I``) with the standard library only,
before the learner's script runs; the grader's side of the same channels is ``grader.observe``.
"""
