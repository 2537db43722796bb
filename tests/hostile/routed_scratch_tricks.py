# hostile: (routed mode) does __HOW__ to its own working folder: "remove" removes it, "lock" fills it with folders and files and takes every permission away, "link" puts a link to __TARGET__ in its place; then sends like a correct problem 2
import os
import shutil
import socket

HOW = "__HOW__"
here = os.getcwd()
if HOW == "remove":
    shutil.rmtree(here)
elif HOW == "lock":
    os.makedirs("a/b/c")
    for folder in ("a/b/c", "a/b", "a"):
        with open(os.path.join(folder, "kept.txt"), "w") as f:
            f.write("x")
        os.chmod(folder, 0)
    os.chmod(here, 0)
elif HOW == "link":
    shutil.rmtree(here)
    os.symlink("__TARGET__", here)

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
