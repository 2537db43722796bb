"""Reference server of the sum quiz: HELLO, then two to four questions, then BYE."""

import sys

from grader.problem.reference import ReferenceServer, serve


class Server(ReferenceServer):
    replies = True
    framing = "line"  # every line the client sends gets a reply
    lesson_replies = False  # the replies are lines, "\n" included
    sent_title = "sends HELLO, then the sum of each question, one line each"
    printed_title = "prints the server's last line (BYE ...)"

    def __init__(self, rng):
        super().__init__(rng)
        self.left = rng.randint(2, 4)  # questions still to ask
        self.answer_due = b""

    def question(self) -> bytes:
        a, b = self.rng.randint(10, 999), self.rng.randint(10, 999)
        self.answer_due = f"{a + b}\n".encode()
        return f"SUM {a} {b}\n".encode()

    def reply(self, message: bytes, turn: int) -> bytes:
        if turn == 0:
            return self.question() if message == b"HELLO\n" else b"ERROR say HELLO first\n"
        if message != self.answer_due:
            return b"WRONG\n"
        self.left -= 1
        return self.question() if self.left else f"BYE {self.token()}\n".encode()

    def closes_after(self, reply: bytes) -> bool:
        return reply.startswith((b"WRONG", b"ERROR"))  # a wrong answer ends the quiz

    @classmethod
    def expected(cls, messages, replies):
        # HELLO, then each question's sum: the replies decide the messages.
        sums = []
        for reply in replies:
            words = reply.split()
            if len(words) == 3 and words[0] == b"SUM":
                sums.append(f"{int(words[1]) + int(words[2])}\n".encode())
        return (*messages, *sums)

    @classmethod
    def printed(cls, replies):
        return replies[-1].decode("utf-8", "replace").strip() if replies else ""


if __name__ == "__main__":
    serve(Server, sys.argv[1:] or ["HELLO\n"])
