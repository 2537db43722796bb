"""The run's packets: read from the packet socket its PID 1 opened, kept bounded, written as pcap.

Strategy: when a grading asks for packets, PID 1 of the run's namespaces opens a packet socket on
the namespace's loopback before the script's process exists (``grader.sandbox.namespace``) and
hands it over with the run's other descriptors; nothing else lives on that loopback, so nothing
of the host or of another run can be in it. The run's selector reads it as it reads every other
descriptor (non-blocking, a few frames per wake-up), and once the run is over and the server side
is drained, what is queued is read to its end. Loopback shows each frame twice: the outgoing copy
is left out (by the kernel where it can, else here). The first ``MAX_FRAMES`` frames and
``MAX_BYTES`` bytes are kept, each cut at ``SNAP`` bytes; the rest, and the kernel's own drops,
are counted only. ``pcap_bytes`` lays a capture out as a classic libpcap file (Ethernet: the
loopback's frames carry a 14-byte Ethernet header).
"""

from __future__ import annotations

import selectors
import socket
import struct
import threading
import time

from grader.observe.records import Frame, PacketCapture

MAX_FRAMES = 512
MAX_BYTES = 256 * 1024
SNAP = 4096  # bytes of one frame kept: its headers and the start of its payload
PER_WAKE = 64  # frames read per wake-up: a flood must not starve the run's other descriptors
_BUFFER = 1 << 17  # a loopback frame is at most 65536 + 14 bytes
PACKET_OUTGOING = 4
SO_TIMESTAMPNS = 35  # Linux; the control message carries a struct timespec
SOL_PACKET, PACKET_STATISTICS = 263, 6
_TIMESPEC = struct.Struct("@qq")
LINKTYPE_ETHERNET = 1


class PacketTap:
    """Reads one run's packet socket, bounded, until ``finish``."""

    def __init__(self, sel: selectors.BaseSelector, sock: socket.socket) -> None:
        self._sel = sel
        self._sock = sock
        self._frames: list[Frame] = []
        self._bytes = 0
        self._seen = 0
        self._buf = bytearray(_BUFFER)
        self._anc = socket.CMSG_SPACE(_TIMESPEC.size)
        sock.setblocking(False)  # its frames carry the kernel's time (the run set SO_TIMESTAMPNS)
        sel.register(sock, selectors.EVENT_READ, self._on_readable)

    def _on_readable(self) -> None:
        self._read(PER_WAKE)

    def _read(self, most: int | None) -> bool:
        """Read up to ``most`` frames (None: all queued); False when the queue is empty."""
        count = 0
        while most is None or count < most:
            try:
                size, anc, _flags, addr = self._sock.recvmsg_into([self._buf], self._anc)
            except (BlockingIOError, InterruptedError):
                return False
            except OSError:
                return False
            count += 1
            if len(addr) > 2 and addr[2] == PACKET_OUTGOING:
                continue  # loopback's second copy of a frame seen as it arrives
            self._seen += 1
            keep = min(size, SNAP)
            if len(self._frames) >= MAX_FRAMES or self._bytes + keep > MAX_BYTES:
                continue  # counted, not kept: a frame is kept whole up to SNAP or not at all
            self._frames.append(Frame(_stamp(anc), bytes(self._buf[:keep]), size))
            self._bytes += keep
        return True

    def finish(self) -> PacketCapture:
        """Read what is queued, stop reading, and freeze the capture (with the kernel's drops)."""
        while self._read(None):
            pass
        try:
            self._sel.unregister(self._sock)
        except (KeyError, ValueError):
            pass
        drops = 0
        try:
            raw = self._sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
            drops = struct.unpack("II", raw)[1]
        except (OSError, struct.error):
            pass
        return PacketCapture(tuple(self._frames), self._seen + drops)

    def close(self) -> None:
        """Stop reading and let the socket go, without waiting for it.

        The last close of a packet socket waits for the kernel's RCU grace period
        (``synchronize_net``), some 10-20 ms: a thread of its own waits, not the grading.
        """
        try:
            self._sel.unregister(self._sock)
        except (KeyError, ValueError):
            pass
        threading.Thread(target=self._sock.close, name="packet-socket-close", daemon=True).start()


def _stamp(anc: list[tuple[int, int, bytes]]) -> int:
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= _TIMESPEC.size:
            sec, nsec = _TIMESPEC.unpack_from(data)
            return int(sec) * 1_000_000_000 + int(nsec)
    return time.time_ns()  # no kernel time: the time it was read


def pcap_bytes(capture: PacketCapture) -> bytes:
    """``capture`` as a classic libpcap file (microsecond times, link type Ethernet)."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAP, LINKTYPE_ETHERNET)]
    for frame in capture.frames:
        seconds, nanos = divmod(frame.at_ns, 1_000_000_000)
        out.append(struct.pack("<IIII", seconds, nanos // 1000, len(frame.data), frame.length))
        out.append(frame.data)
    return b"".join(out)
