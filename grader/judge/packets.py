"""A run's packet ladder: the captured frames read as TCP segments, in the order they crossed.

Strategy: a pure function of the frozen capture (``grader.observe.records.PacketCapture``).
Each frame is read as Ethernet, then IPv4 or IPv6, then TCP (anything else is named by its
protocol); each conversation's client is the side that sent its first SYN (else the side with
the higher port), and sequence numbers are shown relative to each side's first one, as
Wireshark does, so a learner reads ``seq 1 ack 1`` rather than ten digits. A diagnosed close or
refusal mistake points at the packet that shows it: the client's RST, or the SYN answered by RST.
"""

from __future__ import annotations

import struct
from collections.abc import Collection
from dataclasses import dataclass

from grader.i18n import Catalogue, english
from grader.observe.records import Frame, PacketCapture
from grader.report import Packet, PacketLadder
from grader.show import literal

PAYLOAD_SHOWN = 16  # bytes of a segment's payload shown in the ladder
_FLAGS = ((0x02, "SYN"), (0x01, "FIN"), (0x04, "RST"), (0x08, "PSH"), (0x10, "ACK"), (0x20, "URG"))
_PROTOCOLS = {1: "ICMP", 17: "UDP", 58: "ICMPv6"}
# The mistakes a packet shows, by hint key: which packet, and what it shows.
RESET_KEYS = frozenset({"reset", "reset_no_reply"})
REFUSED_KEYS = frozenset(
    {
        "refused_unhandled",
        "refused_exactly",
        "refused_quoted",
        "refused_exception_text",
        "refused_extra_line",
        "refused_retrying",
    }
)


@dataclass(frozen=True)
class _Segment:
    at_ns: int
    src: tuple[str, int]
    dst: tuple[str, int]
    protocol: str
    flags: int
    seq: int | None
    ack: int | None
    length: int
    payload: bytes


def _ip(frame: Frame) -> tuple[str, str, int, int, bytes] | None:
    """(source, destination, protocol, payload length, transport bytes) of an IP frame."""
    data = frame.data
    if len(data) < 14:
        return None
    kind = struct.unpack_from("!H", data, 12)[0]
    ip = data[14:]
    if kind == 0x0800 and len(ip) >= 20:
        header = (ip[0] & 0x0F) * 4
        total = struct.unpack_from("!H", ip, 2)[0]
        src, dst = ".".join(map(str, ip[12:16])), ".".join(map(str, ip[16:20]))
        return src, dst, ip[9], max(total - header, 0), ip[header:]
    if kind == 0x86DD and len(ip) >= 40:
        import ipaddress

        src = str(ipaddress.IPv6Address(bytes(ip[8:24])))
        dst = str(ipaddress.IPv6Address(bytes(ip[24:40])))
        return src, dst, ip[6], struct.unpack_from("!H", ip, 4)[0], ip[40:]
    return None


def _segment(frame: Frame) -> _Segment | None:
    parsed = _ip(frame)
    if parsed is None:
        return None
    src, dst, protocol, length, body = parsed
    if protocol != 6 or len(body) < 20:
        ports = struct.unpack_from("!HH", body) if len(body) >= 4 and protocol == 17 else (0, 0)
        name = _PROTOCOLS.get(protocol, f"IP protocol {protocol}")
        size = length - 8 if protocol == 17 else length
        return _Segment(
            frame.at_ns, (src, ports[0]), (dst, ports[1]), name, 0, None, None, size, body[8:]
        )
    sport, dport, seq, ack, offset, flags = struct.unpack_from("!HHIIBB", body)
    header = (offset >> 4) * 4
    return _Segment(
        frame.at_ns,
        (src, sport),
        (dst, dport),
        "TCP",
        flags,
        seq,
        ack,
        length - header,
        body[header:],
    )


def _flag_words(segment: _Segment) -> str:
    if segment.protocol != "TCP":
        return segment.protocol
    return " ".join(word for bit, word in _FLAGS if segment.flags & bit) or "none"


def packet_ladder(
    capture: PacketCapture,
    run: str,
    pcap: str = "",
    mistakes: Collection[str] = (),
    words: Catalogue | None = None,
) -> PacketLadder:
    """The ladder of one run's capture; ``mistakes`` (the hint keys of the run's failed checks)
    mark the packet that shows the first of them a packet can show."""
    segments = [s for s in map(_segment, capture.frames) if s is not None]
    start = capture.frames[0].at_ns if capture.frames else 0
    clients: dict[frozenset[tuple[str, int]], tuple[str, int]] = {}
    numbers: dict[frozenset[tuple[str, int]], int] = {}
    first_seq: dict[tuple[str, int], int] = {}
    for s in segments:
        pair = frozenset((s.src, s.dst))
        numbers.setdefault(pair, len(numbers) + 1)
        if s.flags & 0x12 == 0x02:  # a SYN without ACK: its sender is the client
            clients.setdefault(pair, s.src)
        if s.seq is not None:
            first_seq.setdefault(s.src, s.seq)
    packets: list[Packet] = []
    for s in segments:
        pair = frozenset((s.src, s.dst))
        client = clients.get(pair) or max((s.src, s.dst), key=lambda end: end[1])
        mine, theirs = first_seq.get(s.src), first_seq.get(s.dst)
        seq = (s.seq - mine) % 2**32 if s.seq is not None and mine is not None else None
        ack = None
        if s.ack is not None and s.flags & 0x10:
            ack = (s.ack - theirs) % 2**32 if theirs is not None else None
        packets.append(
            Packet(
                at_s=round((s.at_ns - start) / 1e9, 6),
                who="client" if s.src == client else "server",
                flags=_flag_words(s),
                seq=seq,
                ack=ack,
                length=max(s.length, 0),
                payload=literal(bytes(s.payload[:PAYLOAD_SHOWN])) if s.length > 0 else "",
                connection=numbers[pair],
            )
        )
    marked, mark = next(
        ((i, m) for key in mistakes for i, m in [_mark(packets, key)] if i is not None),
        (None, ""),
    )
    text = (words or english()).message(mark) if mark else ""
    return PacketLadder(run, tuple(packets), capture.seen, pcap, marked, text)


def _mark(packets: list[Packet], hint_key: str) -> tuple[int | None, str]:
    """The packet that shows the mistake ``hint_key`` names, and the key of what it shows."""
    if hint_key in RESET_KEYS:
        for index, p in enumerate(packets):
            if p.who == "client" and "RST" in p.flags:
                return index, "packets.reset"
    if hint_key in REFUSED_KEYS:
        for index, p in enumerate(packets):
            if p.who == "server" and "RST" in p.flags and p.ack == 1:
                return index, "packets.refused"
    return None, ""
