"""Reference server of the greeting: it speaks first, checks the code it gave, and hangs up."""

from grader.problem.reference import ReferenceServer, serve

NAMES = ("Ada", "Grace", "Linus", "Radia", "Vint", "Barbara")


class Server(ReferenceServer):
    replies = True
    framing = "line"
    lesson_replies = False
    sent_title = "sends back HELLO and the greeting's code, as a line"
    printed_title = "prints the server's answer to HELLO"

    def opening(self) -> bytes:
        self.code = self.token()
        return f"WELCOME {self.code}\n".encode()

    def reply(self, message: bytes, turn: int) -> bytes:
        if message == f"HELLO {self.code}\n".encode():
            return f"OK nice to meet you, from {self.rng.choice(NAMES)} [{self.token()}]\n".encode()
        return b"ERROR wrong code\n"

    def closes_after(self, reply: bytes) -> bool:
        return not reply.startswith(b"WELCOME")  # it hangs up after its answer

    @classmethod
    def expected(cls, messages, replies):
        code = replies[0].split()[-1].decode() if replies else "<code>"
        return (f"HELLO {code}\n".encode(),)

    @classmethod
    def printed(cls, replies):
        return replies[1].decode("utf-8", "replace").strip() if len(replies) > 1 else ""


if __name__ == "__main__":
    serve(Server, [])
