"""The lesson's address, defined once: what a learner's script connects to."""

LESSON_HOST = "127.0.0.1"
LESSON_PORT = 9090
# How the lesson writes the host: its address, or the name the learner may use for it.
LESSON_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
