"""Reference server of the web page by hand: one HTTP/1.0 response, then it closes."""

import sys

from grader.problem.reference import ReferenceServer, serve

WORDS = ("socket", "packet", "router", "latency", "checksum", "window", "handshake", "port")


class Server(ReferenceServer):
    replies = True
    lesson_replies = False  # a response has header lines and a body of several KB
    printed_title = "prints the body of the response, all of it"

    def reply(self, message: bytes, turn: int) -> bytes:
        first = message.split(b"\r\n", 1)[0].split(b" ")
        if not (message.endswith(b"\r\n\r\n") and len(first) == 3 and first[0] == b"GET"):
            return b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
        path = first[1].decode("ascii", "replace")
        # Longer than one recv(1024): a client must read until the server closes.
        lines = [f"You asked for {path}; here is page {self.token()}."]
        for n in range(self.rng.randint(60, 120)):
            lines.append(f"line {n + 1}: {self.rng.choice(WORDS)} {self.token()}")
        body = ("\n".join(lines) + "\n").encode()
        head = (
            "HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        return head.encode() + body

    def closes_after(self, reply: bytes) -> bool:
        return True  # HTTP/1.0: the response ends when the server closes the connection

    @classmethod
    def printed(cls, replies):
        whole = b"".join(replies)
        return whole.split(b"\r\n\r\n", 1)[-1].decode("utf-8", "replace")


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "/motd"
    serve(Server, [f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"])
