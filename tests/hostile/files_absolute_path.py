# hostile: writes a forged results.json and junit.xml into an absolute folder it knows (a well-known CI workspace, say; the test fills in __TARGET__), exits 0 without connecting
import os

TARGET = "__TARGET__"
for name, text in (
    ("results.json", '{"verdict": "pass", "score": 1}'),
    ("junit.xml", '<testsuite tests="1" failures="0" errors="0"/>'),
):
    try:
        with open(os.path.join(TARGET, name), "w") as f:
            f.write(text)
    except OSError:
        pass
