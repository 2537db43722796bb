# hostile: never connects; prints "PASSED" and "All checks passed", writes results.json and junit.xml into its cwd and every parent folder, exits 0
import json
import os

print("PASSED")
print("All checks passed")
print("PASS problem 2 (Wake up, Neo): 4 of 4 checks passed")
result = {"verdict": "pass", "score": 1, "checks": [], "tests": [{"status": "passed"}]}
junit = '<testsuite name="grade" tests="1" failures="0" errors="0"><testcase name="all"/></testsuite>'
for folder in [""] + ["../" * depth for depth in range(1, 8)]:
    for name, text in (("results.json", json.dumps(result)), ("junit.xml", junit)):
        try:
            with open(os.path.join(folder, name) if folder else name, "w") as f:
                f.write(text)
        except OSError:
            pass
raise SystemExit(0)
