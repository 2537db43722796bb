"""The report formats by name: what ``--format`` accepts and ``grader.render`` renders.

Strategy: names only, nothing imported, so that the command line can offer them before it loads
any renderer (each lives in ``grader.render``, imported when asked for).
"""

from typing import Literal

FORMATS = ("text", "json", "junit", "html", "gradescope", "classroom")
Format = Literal["text", "json", "junit", "html", "gradescope", "classroom"]
