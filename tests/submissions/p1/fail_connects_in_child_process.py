# expect: fail
# why: Breaks "the script closed it": the connection is made by a child interpreter, so how it was closed is not the script's own doing.
# fails: closed/not_observed
# fails-routed: connected/never_connected
import subprocess
import sys

KNOCK = "import socket; s = socket.socket(); s.connect(('127.0.0.1', 9090)); s.close()"
subprocess.run([sys.executable, '-c', KNOCK])
