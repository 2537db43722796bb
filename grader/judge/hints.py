"""What went wrong and what to try, for the mistakes learners of this lesson really make.

Strategy: one table, one voice. Each key names a mistake (its identity, stable across versions:
reports and tests refer to it) and holds two ``str.format`` templates in English: the mistake,
in the lesson's words, and what to try. ``grader/judge/diagnosis.py`` picks the key from what it
observed; the catalogue (``grader/i18n.py``) gives the sentences in the learner's language, with
this table as the English source a translator's ``.po`` file is made from. It is long because
it is the whole table: one entry per mistake, kept together so that they read in one voice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.i18n import Catalogue, english

HINTS: dict[str, tuple[str, str]] = {
    # connecting
    "wrong_address": (
        "Your program connected to {address}; the server listens on 127.0.0.1 port 9090.",
        "Use client_socket.connect(('127.0.0.1', 9090)) as in the lesson.",
    ),
    "address_not_tuple": (
        "connect() was given {address}, not an address tuple.",
        "Pass host and port together in one tuple: client_socket.connect(('127.0.0.1', 9090)).",
    ),
    "never_connected": (
        "Your program never connected.",
        "Create the socket and call client_socket.connect(('127.0.0.1', 9090)) before sending.",
    ),
    "crashed_before_connect": (
        "Your program stopped with {exception} before it connected.",
        "Fix that error first: the traceback shows the line it came from.",
    ),
    "timeout_before_connect": (
        "Your program had not connected when the time limit ran out.",
        "Is it waiting for input it does not get, or looping before connect()?",
    ),
    "too_many_connections": (
        "Your program opened more connections than one.",
        "Open one connection and use it for everything: call connect() once, outside any loop.",
    ),
    "not_tcp": (
        "connect() returned, but no TCP connection reached the server: the socket is not a TCP "
        "socket (SOCK_DGRAM is UDP, whose connect() reaches no one).",
        "The server speaks TCP: create the socket with socket.socket() (or socket.SOCK_STREAM).",
    ),
    "bad_host": (
        "Your program connected to {address}.",
        "Connect to '127.0.0.1' (or 'localhost'), port 9090, as in the lesson.",
    ),
    # sending
    "send_str": (
        "send() needs bytes, not a str (TypeError: a bytes-like object is required).",
        "Encode the text first: client_socket.send(message.encode()).",
    ),
    "trailing_newline": (
        "The message ends with a newline ({newline}), but messages carry none.",
        "input() returns the line without it; after sys.stdin.readline(), strip it: "
        "line.rstrip('\\n').",
    ),
    "line_without_newline": (
        "The server reads lines: it answers once a line ends with \\n, and your message has none.",
        "End each message with a newline: client_socket.sendall((text + '\\n').encode()).",
    ),
    "header_without_blank_line": (
        "The request has no empty line after its headers, so the server is still waiting for "
        "the rest of it.",
        "End the request with a blank line: the last header line is followed by '\\r\\n\\r\\n'.",
    ),
    "not_from_reply": (
        "The server's reply {reply} decides what comes next: it wanted {message}.",
        "Read the reply with recv() first, then build the next message from what it says.",
    ),
    "reply_unanswered": (
        "The server's reply {reply} asked for another message, and your program sent none.",
        "Keep reading replies and answering them in a loop until the server says it is done.",
    ),
    "wrong_encoding": (
        "The message was encoded as {encoding}, not UTF-8.",
        "Use .encode() or .encode('utf-8').",
    ),
    "encode_error": (
        "Encoding the text failed: it has letters that {encoding} cannot hold.",
        "Use .encode('utf-8'), or simply .encode().",
    ),
    "sent_repr": (
        "The server received the text of a bytes literal (b'...').",
        "Send the bytes themselves: client_socket.send(message.encode()), not str(...) of them.",
    ),
    "sent_twice": ("The message arrived more than once.", "Send it exactly once."),
    "sent_extra": (
        "Something more was sent after the message.",
        "Send exactly the message, nothing else.",
    ),
    "sent_count_line": (
        "The count line ({count}) was sent to the server too; it only says how many messages follow.",
        "Read it with int(input()) and send only the messages after it.",
    ),
    "sent_short": ("Only the start of the message arrived.", "Send the whole message."),
    "sent_case": (
        "The letter case of the message differs.",
        "Send the message exactly as given, character for character.",
    ),
    "sent_nothing": (
        "Nothing was sent.",
        "Send the message: client_socket.send(message.encode()).",
    ),
    "sent_nothing_p1": (
        "Good: nothing to send in this problem.",
        "Connect, then close the socket.",
    ),
    "sent_nothing_crash": (
        "Your program stopped with {exception} before sending anything.",
        "Fix that error first: the traceback shows the line it came from.",
    ),
    "sent_nothing_timeout": (
        "Nothing was sent before the time limit.",
        "Is the program waiting in recv() for a reply to a message it has not sent yet?",
    ),
    "sent_something_p1": (
        "Something was sent, but this problem sends nothing.",
        "Connect, then close the socket without calling send().",
    ),
    "sent_before_reply": (
        "The next message arrived before the reply to this one was read.",
        "For each message: send it, then recv() its reply and print it, and only then send "
        "the next.",
    ),
    "after_last_reply": (
        "More bytes arrived after the last reply.",
        "Send each message once, nothing more.",
    ),
    "sent_different": (
        "The server received something other than the line read from standard input.",
        "Send exactly the text read from standard input, encoded as UTF-8.",
    ),
    "sent_constant": (
        "The server received something other than {message}.",
        "Send exactly the message the problem names: {message}.",
    ),
    # output
    "printed_bytes": (
        "The reply was printed as bytes (b'...').",
        "Decode it first: print(data.decode()).",
    ),
    "printed_nothing": (
        "Nothing was printed.",
        "Print the reply: print(client_socket.recv(1024).decode()).",
    ),
    "printed_nothing_crash": (
        "Your program stopped with {exception} before printing.",
        "Fix that error first: the traceback shows the line it came from.",
    ),
    "printed_to_stderr": (
        "Your program wrote {what} to standard error (stderr), not to standard output: "
        "stderr is not output.",
        "Use a plain print(...): logging and print(..., file=sys.stderr) write to stderr.",
    ),
    "refused_when_up": (
        "'Connection refused' was printed although the server was up.",
        "Print it only in the except ConnectionRefusedError branch.",
    ),
    "refused_unhandled": (
        "Nothing listened, and the ConnectionRefusedError was not caught.",
        "Wrap the connection in try: ... except ConnectionRefusedError: "
        "print('Connection refused').",
    ),
    "refused_exactly": (
        "The output is not exactly 'Connection refused'.",
        "Print exactly: Connection refused (capital C, no other words or marks).",
    ),
    "refused_quoted": (
        "'Connection refused' was printed with quotes around it.",
        "Print the words alone: print('Connection refused'); the quotes only mark the text in "
        "the program.",
    ),
    "refused_exception_text": (
        "What was printed is the exception's own text, not the words the problem asks for.",
        "Print exactly: Connection refused.",
    ),
    "refused_extra_line": (
        "'Connection refused' was printed, and then more.",
        "Print Connection refused and nothing else: no second print(), no other line.",
    ),
    "replies_one_line": (
        "The replies were not printed one per line.",
        "Print each reply on its own line: one print() per reply.",
    ),
    "blank_lines": (
        "Blank lines were printed between the replies.",
        "Print each reply with a plain print(reply): one line each, nothing between.",
    ),
    "extra_output": (
        "Something more than the reply was printed.",
        "Print only the reply, nothing before or after it (no prompts, no labels).",
    ),
    "output_too_long": (
        "The output passed {limit} KiB.",
        "Is a print() inside a loop that never ends?",
    ),
    "output_not_utf8": (
        "The program printed bytes that are not UTF-8 text.",
        "Print decoded text.",
    ),
    "stopped_reading": (
        "Your program printed {printed} of the {sent} characters the server sent: it stopped "
        "reading before the server closed the connection.",
        "Call recv() in a loop until it returns b'' (the server closed), joining the pieces, "
        "then print them.",
    ),
    "output_differs": (
        "What was printed is not the server's reply.",
        "Print the reply exactly as received, decoded: print(data.decode()).",
    ),
    "decoded_in_pieces": (
        "The reply was decoded piece by piece: a UTF-8 character can take several bytes, and a "
        "piece of one cannot be decoded alone.",
        "Decode the whole reply at once: data.decode(), once recv() has returned it.",
    ),
    "printed_before_timeout": (
        "The time limit stopped the program before it had printed what was expected.",
        "See below what it was doing when it was stopped.",
    ),
    "decoded_wrong": (
        "The reply was decoded with the wrong codec.",
        "Decode the reply as UTF-8: data.decode() or data.decode('utf-8').",
    ),
    # closing
    "never_closed": (
        "The socket was never closed by the program: the connection ended only when the "
        "interpreter exited.",
        "Call client_socket.close() when done, or use `with socket.socket() as client_socket:`, "
        "whose end closes it.",
    ),
    "dropped_not_closed": (
        "The socket was never closed by the program: it was dropped (del, or the end of a "
        "function) and Python's garbage collector closed it.",
        "Call client_socket.close() when done, or use `with socket.socket() as client_socket:`, "
        "whose end closes it.",
    ),
    "not_with": (
        "The socket was closed with close(), not by leaving a with block.",
        "Open the connection with `with socket.socket() as client_socket:` and let the block's "
        "end close it.",
    ),
    "reset": (
        "The server saw a reset (RST), not an orderly close (FIN): the socket was closed while "
        "data sent to it was still unread.",
        "recv() the reply before closing.",
    ),
    "reset_no_reply": (
        "The server saw a reset (RST), not an orderly close (FIN): the socket was torn down "
        "(SO_LINGER set to 0?), not closed.",
        "Close it plainly with client_socket.close() or a with block, without socket options.",
    ),
    "open_at_timeout": (
        "The connection was still open when the time limit stopped the program.",
        "Close the socket once the exchange is done; see why the program did not end below.",
    ),
    "not_observed": (
        "How the socket was closed could not be observed.",
        "Use a socket from the socket module and close it with close() or a with block.",
    ),
    "shutdown_not_close": (
        "shutdown() tells the server you are done sending, but the socket stays open.",
        "Close it: client_socket.close(), or let a with block's end close it.",
    ),
    "still_held": (
        "close() did not close the connection: another descriptor of the same socket (from "
        "dup() or makefile()) kept it open.",
        "Close that too, or do without it.",
    ),
    "held_without_descriptor": (
        "The socket was still open when the program ended: something other than a descriptor "
        "(a memory mapping, a descriptor sent in a message) kept it alive.",
        "Close the socket itself: client_socket.close(), or let a with block's end close it.",
    ),
    "held_by_child": (
        "A process your program started still held the socket open when the program ended.",
        "Close the socket in every process that has it, or do the work in one process.",
    ),
    "exit_by_hand": (
        "Calling __exit__() yourself is not a with block.",
        "Write `with socket.socket() as client_socket:` and let the block's end close the socket.",
    ),
    # the grader's own channel
    "tampered": (
        "Your program wrote to a descriptor it did not open: the grader's control channel.",
        "Use only the sockets and files your program opens itself.",
    ),
    # ending
    "timeout": (
        "The program was still running after {limit} s: {doing}.",
        "{fix}",
    ),
    "exception": (
        "Your program stopped with an uncaught {name}.",
        "The traceback above shows the line it came from: its last line names the error.",
    ),
    "eof": (
        "input() found no more lines (EOFError).",
        "Read exactly what is given: the count n, then n lines.",
    ),
    "eof_no_input": (
        "input() found no input (EOFError): this problem gives the program none.",
        "Do not call input() here: the message is written in the problem.",
    ),
    "eof_one_line": (
        "input() found no more lines (EOFError): the input is one line.",
        "Call input() once.",
    ),
    "memory": (
        "The program ran out of memory (limit {limit} MiB).",
        "Does a loop keep collecting data?",
    ),
    "memory_run": (
        "The run ran out of memory: its processes and the files it wrote together reached "
        "{limit} MiB.",
        "Does a loop keep collecting data, writing files or starting processes?",
    ),
    "signal": ("The program was stopped by signal {signal}.", "Let it end by itself."),
    "exit_status": (
        "The program ended with exit status {status}.",
        "End normally, or with sys.exit(0).",
    ),
    "value_error": (
        "A conversion failed ({exception}).",
        "The first line of input is the number n; convert it with int(input()).",
    ),
    # the file itself
    "syntax": (
        "Python cannot read the file: {message} (line {line}).",
        "Fix the syntax and run it yourself first.",
    ),
    "empty": ("The file is empty.", "Write your solution in it and save it."),
    "not_utf8": (
        "The file is not UTF-8 text: line {line} has a byte UTF-8 cannot read ({detail}).",
        "Open it in your editor and save it as UTF-8.",
    ),
    # a hidden run: its inputs are not to be told, so neither is what the mistake quoted
    "hidden_run": (
        "This test is hidden: its input and what crossed the wire are not shown.",
        "Check your program against every rule of the task, with inputs of your own.",
    ),
    "binary": ("The file is not a Python script (it contains NUL bytes).", "Give the .py file."),
    "shadows_module": (
        "The file is named {name}, like the module {module} it imports: `python {name}` would "
        "import the file itself instead.",
        "Rename it (for example to client.py).",
    ),
}


# What the program was doing when the time limit stopped it, and what to try: the ``timeout``
# hint's {doing} and {fix}, chosen by ``facts.doing`` from the wire and the source.
DOING: dict[str, tuple[str, str]] = {
    "threads": (
        "its script had run to the end, but the interpreter did not exit",
        "Stop or join every thread it starts, and wait for no child process.",
    ),
    "refused_retrying": (
        "its connection had been refused, and it went on waiting or trying again",
        "When the connection is refused, print Connection refused and end: do not try again.",
    ),
    "failed_looping": (
        "its connection had failed, and it went on waiting or looping",
        "After a failed connect(), end the program.",
    ),
    "not_connected": (
        "it had not connected",
        "Is it waiting for input it does not get, or looping before connect()?",
    ),
    "silent_replies": (
        "it was connected but had sent nothing, and waited or looped",
        "Send the message first: the server replies only after it arrives.",
    ),
    "silent_no_replies": (
        "it was connected but had sent nothing, and waited or looped",
        "This server never sends anything: do not recv() or wait; close the socket and end.",
    ),
    "recv_no_replies": (
        "it had sent its data and was waiting, with a recv() in the script; this server never "
        "sends anything",
        "Do not recv() in this problem: close the socket after send().",
    ),
    "sleep_after_send": (
        "it had sent its data and was sleeping (time.sleep()), with no recv() in the script",
        "Do not wait after sending: the server has the bytes; close the socket and end.",
    ),
    "loop_after_send": (
        "it had sent its data and kept running (a loop?), with no recv() in the script",
        "After send(), close the socket and end.",
    ),
    "after_last_reply": (
        "it had received the last reply and kept going (a loop, a sleep, or another recv() "
        "waiting for data that never comes)",
        "After the last reply, close the socket and end: no more data comes.",
    ),
    "after_last_reply_no_recv": (
        "it had been sent the last reply and kept going (a loop or a sleep), with no recv() in "
        "the script",
        "After the last reply, close the socket and end: no more data comes.",
    ),
    "waiting_for_reply": (
        "it had sent data and was waiting; the server replies once a whole message has arrived",
        "Send each message whole, then recv() its reply.",
    ),
}


@dataclass(frozen=True)
class Phrase:
    """A field of a hint that is itself a sentence of the catalogue (``DOING``'s), with its own
    fields filled in."""

    key: str
    source: str
    fields: dict[str, object] = field(default_factory=dict, compare=False)

    def said(self, words: Catalogue) -> str:
        return words.text(self.key, self.source).format(**self.fields)


def doing_phrases(key: str) -> dict[str, object]:
    """The ``timeout`` hint's fields for ``DOING[key]``."""
    doing, fix = DOING[key]
    return {"doing": Phrase(f"doing.{key}", doing), "fix": Phrase(f"doing.{key}.try", fix)}


@dataclass(frozen=True)
class Hint:
    """A mistake: ``key`` is its identity; ``mistake`` and ``fix`` its filled-in sentences."""

    key: str
    mistake: str
    fix: str
    fields: tuple[tuple[str, object], ...] = ()  # what filled it in, to say it in another language

    @property
    def text(self) -> str:
        """The mistake and what to try, as one paragraph."""
        return f"{self.mistake} {self.fix}".strip()


def hint(key: str, catalogue: Catalogue | None = None, **fields: object) -> Hint:
    """The hint ``key`` with its fields filled in, in the catalogue's language."""
    words = catalogue or english()
    mistake, fix = HINTS[key]
    said = {name: v.said(words) if isinstance(v, Phrase) else v for name, v in fields.items()}
    return Hint(
        key,
        words.text(key, mistake).format(**said),
        words.text(f"{key}.try", fix).format(**said),
        tuple(fields.items()),
    )


def translated(tip: Hint, catalogue: Catalogue) -> Hint:
    """``tip`` said again from ``catalogue``, with the same fields."""
    return hint(tip.key, catalogue, **dict(tip.fields))
