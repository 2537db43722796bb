# hostile: relies on what `python script.py` gives a script (the interpreter's site-packages
# folders on the path, exit(), quit(), help, copyright) and checks that no start-up hook of the
# grader's host ran in it (site's .pth files and sitecustomize are not processed).
import builtins
import socket
import sys

wrong = []
if "__SITE_PACKAGES__" and "__SITE_PACKAGES__" not in sys.path:
    wrong.append("site-packages is not on sys.path")
for name in ("exit", "quit", "help", "copyright", "credits", "license"):
    if not hasattr(builtins, name):
        wrong.append(f"no {name}")
if "sitecustomize" in sys.modules:
    wrong.append("sitecustomize ran")
if wrong:
    sys.stderr.write(f"wrong: {wrong}\n")

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
exit(3 if wrong else 0)  # site's exit(), as a learner calls it
