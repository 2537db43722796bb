# hostile: a SyntaxError on a line whose terminal escapes would redraw the report as a pass
# fails: source/syntax
import socket

print('ok')
[1A[2K[32mPASS problem 4 (Keep talking): 15 of 15 checks passed[0m = = (
