"""A run's packet ladder as terminal text (``--verbose``), and the line pointing at the packet
that shows the diagnosed mistake.

Strategy: one line per packet, in the columns a learner compares (who sent it, its flags, seq and
ack relative to each side's start, its payload's length and first bytes); nothing here decides
what a packet means: the Report's ``PacketLadder`` carries that.
"""

from __future__ import annotations

import textwrap

from grader.i18n import Catalogue
from grader.report import Packet, PacketLadder, Report

ARROWS = {"client": "→", "server": "←"}
WIDTH = 100  # the widest report (``grader.render.text_format``)


def packet_text(packet: Packet, words: Catalogue) -> str:
    """One packet in a line: ``client → SYN seq 0 len 0`` (who sent it in the learner's words)."""
    seq = "" if packet.seq is None else f"seq {packet.seq}"
    ack = "" if packet.ack is None else f"ack {packet.ack}"
    who = words.message(f"wire.{packet.who}")
    text = f"{who:<6} {ARROWS[packet.who]} {packet.flags:<8} {seq:<10} {ack:<10}"
    text += f" len {packet.length:<5}"
    return f"{text} {packet.payload}".rstrip()


def ladder_lines(ladder: PacketLadder, words: Catalogue, width: int = WIDTH) -> list[str]:
    """The ladder: a title naming its pcap file, then a numbered line per packet, each cut to
    ``width`` columns (the cut marked with …)."""
    title = words.message(
        "packets.title",
        run=ladder.run,
        kept=len(ladder.packets),
        seen=ladder.seen,
        pcap=ladder.pcap,
    )
    lines = textwrap.wrap(title, width, initial_indent="  ", subsequent_indent="    ")
    several = len({p.connection for p in ladder.packets}) > 1
    for number, packet in enumerate(ladder.packets, start=1):
        where = f"[{packet.connection}] " if several else ""
        line = f"    {number:>3}  {packet.at_s:8.4f} s  {where}{packet_text(packet, words)}"
        if len(line) > width:
            line = line[: width - 1] + "…"
        lines.append(line)
        if number - 1 == ladder.marked:
            lines += textwrap.wrap(
                ladder.mark, width, initial_indent=" " * 21 + "↑ ", subsequent_indent=" " * 23
            )
    return lines


def shown_by_line(report: Report, words: Catalogue, width: int = WIDTH) -> list[str]:
    """Under the diagnosis: the packet that shows the mistake, when the ladder marks one."""
    root = report.diagnosed
    ladder = report.ladder(root.run) if root is not None else None
    if ladder is None or ladder.marked is None:
        return []
    packet = ladder.packets[ladder.marked]
    who = words.message(f"wire.{packet.who}")
    text = f"{who} {ARROWS[packet.who]} {packet.flags}, {ladder.mark}"
    line = words.message(
        "packets.shown_by", number=ladder.marked + 1, packet=text, pcap=ladder.pcap
    )
    return textwrap.wrap(line, width, initial_indent="  ", subsequent_indent="    ")
