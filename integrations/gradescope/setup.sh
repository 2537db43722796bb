#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# It installs Python and the grader, from the wheel or the source folder packed beside it
# (see docs/gradescope.md), into $AUTOGRADER_ROOT/venv (default root: /autograder).
set -euo pipefail

root="${AUTOGRADER_ROOT:-/autograder}"
source_dir="$root/source"

if ! python3 -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip
fi
python3 -m venv "$root/venv"

package=""
for candidate in "$source_dir"/socket_grader-*.whl "$source_dir/socket-grader"; do
  if [ -e "$candidate" ]; then
    package="$candidate"
    break
  fi
done
if [ -z "$package" ]; then
  echo "setup.sh: put socket_grader-*.whl (or the socket-grader folder) beside setup.sh" >&2
  exit 1
fi
"$root/venv/bin/python" -m pip install -q "$package"
"$root/venv/bin/python" -m grader --version
