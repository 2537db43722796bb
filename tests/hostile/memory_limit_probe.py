# hostile: reads its own address-space limit and reserves memory past it; does problem 2's exchange, then exits 0 only if the limit is __LIMIT_MB__ MiB and the reservation failed (else status 3, saying what it saw on stderr)
import resource
import socket
import sys

want = __LIMIT_MB__ * 1024 * 1024
soft, hard = resource.getrlimit(resource.RLIMIT_AS)
try:
    hog = bytearray(want + 64 * 1024 * 1024)  # reserved, never touched: no real memory is used
    seen = f"reserved {len(hog) >> 20} MiB"
    del hog
except MemoryError:
    seen = "MemoryError"
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send(b'Wake up, Neo')
if (soft, hard) != (want, want) or seen != "MemoryError":
    print(f"RLIMIT_AS soft={soft} hard={hard}; past it: {seen}", file=sys.stderr)
    sys.exit(3)
