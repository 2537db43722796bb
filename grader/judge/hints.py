"""What to try, for the mistakes learners of this lesson really make. One table, one voice.

Each entry is a ``str.format`` template; ``checks`` picks the entry from what it observed.
"""

from __future__ import annotations

from dataclasses import dataclass

HINTS: dict[str, str] = {
    # connecting
    "wrong_address": (
        "Your program connected to {address}; the server listens on 127.0.0.1 port 9090. "
        "Use client_socket.connect(('127.0.0.1', 9090)) as in the lesson."
    ),
    "never_connected": (
        "Your program never connected. Create the socket and call "
        "client_socket.connect(('127.0.0.1', 9090)) before sending."
    ),
    "crashed_before_connect": "Your program stopped with {exception} before it connected.",
    "timeout_before_connect": (
        "Your program had not connected when the time limit ran out: is it waiting for input "
        "it does not get, or looping before connect()?"
    ),
    "too_many_connections": (
        "Open one connection and use it for everything: call connect() once, outside any loop."
    ),
    "bad_host": (
        "Your program connected to {address}. Connect to '127.0.0.1' (or 'localhost'), "
        "port 9090, as in the lesson."
    ),
    # sending
    "send_str": (
        "send() needs bytes, not a str (TypeError: a bytes-like object is required). "
        "Encode the text first: client_socket.send(message.encode())."
    ),
    "trailing_newline": (
        "The message ends with a newline ({newline}), but messages carry none. input() returns "
        "the line without it; after sys.stdin.readline(), strip it: line.rstrip('\\n')."
    ),
    "wrong_encoding": (
        "The message was encoded as {encoding}, not UTF-8. Use .encode() or .encode('utf-8')."
    ),
    "encode_error": (
        "Encoding failed ({exception}): the text has letters that {encoding} cannot hold. "
        "Use .encode('utf-8'), or simply .encode()."
    ),
    "sent_repr": (
        "The server received the text of a bytes literal (b'...'). Send the bytes themselves: "
        "client_socket.send(message.encode()), not str(...) of them."
    ),
    "sent_twice": "The message arrived more than once: send it exactly once.",
    "sent_extra": "Something more was sent after the message: send exactly the message, nothing else.",
    "sent_short": "Only the start of the message arrived: send the whole message.",
    "sent_case": "Letter case differs: send the message exactly as given, character for character.",
    "sent_nothing": "Nothing was sent. Send the message: client_socket.send(message.encode()).",
    "sent_nothing_p1": "Good: nothing to send in this problem. Connect, then close the socket.",
    "sent_nothing_crash": "Your program stopped with {exception} before sending anything.",
    "sent_nothing_timeout": (
        "Nothing was sent before the time limit: is the program waiting in recv() for a reply "
        "to a message it has not sent yet?"
    ),
    "sent_something_p1": (
        "This problem sends nothing: connect, then close the socket without calling send()."
    ),
    "sent_before_reply": (
        "The next message arrived before the reply to this one was read. For each message: "
        "send it, then recv() its reply and print it, and only then send the next."
    ),
    "after_last_reply": "More bytes arrived after the last reply: send each message once, nothing more.",
    "sent_different": "Send exactly the text read from standard input, encoded as UTF-8.",
    "sent_constant": "Send exactly the message the problem names: {message}.",
    # output
    "printed_bytes": (
        "The reply was printed as bytes (b'...'). Decode it first: print(data.decode())."
    ),
    "printed_nothing": "Nothing was printed. Print the reply: print(client_socket.recv(1024).decode()).",
    "printed_nothing_crash": "Your program stopped with {exception} before printing.",
    "refused_when_up": (
        "'Connection refused' was printed although the server was up: print it only in the "
        "except ConnectionRefusedError branch."
    ),
    "refused_unhandled": (
        "Nothing listened, and the ConnectionRefusedError was not caught. Wrap the connection "
        "in try: ... except ConnectionRefusedError: print('Connection refused')."
    ),
    "refused_exactly": "Print exactly: Connection refused (capital C, no other words or marks).",
    "refused_exception_text": (
        "That is the exception's own text. Print exactly: Connection refused."
    ),
    "replies_one_line": "Print each reply on its own line: one print() per reply.",
    "extra_output": "Print only the reply, nothing before or after it (no prompts, no labels).",
    "output_too_long": ("The output passed {limit}: is a print() inside a loop that never ends?"),
    "output_not_utf8": "The program printed bytes that are not UTF-8 text; print decoded text.",
    "output_differs": "Print the reply exactly as received, decoded: print(data.decode()).",
    "decoded_wrong": "Decode the reply as UTF-8: data.decode() or data.decode('utf-8').",
    # closing
    "never_closed": (
        "The socket was never closed by the program: the connection ended only when the "
        "interpreter exited. Call client_socket.close() when done, or use "
        "`with socket.socket() as client_socket:`, whose end closes it."
    ),
    "not_with": (
        "The socket was closed with close(), not by leaving a with block. Open the connection "
        "with `with socket.socket() as client_socket:` and let the block's end close it."
    ),
    "reset": (
        "The server saw a reset (RST), not an orderly close (FIN). That happens when a socket is "
        "closed while data sent to it is still unread: recv() the reply before closing."
    ),
    "open_at_timeout": "The connection was still open when the time limit stopped the program.",
    "shutdown_not_close": (
        "shutdown() tells the server you are done sending, but the socket stays open. "
        "Close it: client_socket.close(), or let a with block's end close it."
    ),
    "still_held": (
        "close() did not close the connection: another descriptor of the same socket (from "
        "dup() or makefile()) kept it open. Close that too, or do without it."
    ),
    "held_by_child": (
        "A process your program started still held the socket open when the program ended. "
        "Close the socket in every process that has it, or do the work in one process."
    ),
    "exit_by_hand": (
        "Calling __exit__() yourself is not a with block. Write "
        "`with socket.socket() as client_socket:` and let the block's end close the socket."
    ),
    "not_observed": (
        "How the socket was closed could not be observed: use a socket from the socket module "
        "and close it with close() or a with block."
    ),
    # the grader's own channel
    "tampered": (
        "Your program wrote to a descriptor it did not open: the grader's control channel. "
        "Use only the sockets and files your program opens itself."
    ),
    # ending
    "timeout": "The program was still running after {limit}: {doing}.",
    "exception": "Read the traceback below: the last line names the error and the line it came from.",
    "eof": (
        "input() found no more lines (EOFError): read exactly what is given, the count n "
        "and then n lines."
    ),
    "memory": "The program ran out of memory (limit {limit}).",
    "signal": "The program was stopped by signal {signal}.",
    "exit_status": "The program ended with exit status {status}; end normally, or with sys.exit(0).",
    "value_error": (
        "A conversion failed ({exception}): the first line of input is the number n; "
        "convert it with int(input())."
    ),
    # the file itself
    "syntax": "Python cannot read the file: {message} (line {line}). Fix the syntax and run it yourself first.",
    "empty": "The file is empty: write your solution in it and save it.",
    "not_utf8": "The file is not UTF-8 text ({message}); save it as UTF-8.",
    "binary": "The file is not a Python script (it contains NUL bytes).",
    "shadows_module": (
        "The file is named {name}, like the module {module} it imports: `python {name}` would "
        "import the file itself instead. Rename it (for example to client.py)."
    ),
}


@dataclass(frozen=True)
class Hint:
    """What to try: ``key`` names the mistake (its identity), ``text`` is the filled-in sentence."""

    key: str
    text: str


def hint(key: str, **fields: object) -> Hint:
    """The hint ``key`` with its fields filled in."""
    return Hint(key, HINTS[key].format(**fields))
