#!/usr/bin/env bash
# The action's step (action.yml): install the grader, grade one file, set the `result` output.
#
# Reads GRADER_FILE, GRADER_PROBLEM, GRADER_POINTS (default 100), GRADER_TIMEOUT (optional);
# GITHUB_ACTION_PATH (this repository, as the runner checked it out), GITHUB_OUTPUT and
# GITHUB_STEP_SUMMARY (files the runner reads back). GRADER_PYTHON names an interpreter that
# already has the grader installed; without it the grader is installed into a fresh virtual
# environment. The step ends with status 0 whenever a result was set, so that the reporter step
# after it runs and shows the points; the result's status says pass, fail or error.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
action_path="${GITHUB_ACTION_PATH:-$here}"
points="${GRADER_POINTS:-100}"
work="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/socket-grader.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say() { printf 'socket-grader: %s\n' "$*" >&2; }

set_result() {  # $1: the base64 result line
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf 'result=%s\n' "$1" >>"$GITHUB_OUTPUT"
  else
    printf 'result=%s\n' "$1"
  fi
}

fault() {  # $1: why the grader could not grade (never the learner's mistake)
  say "$1"
  local why
  why="$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
  local payload="{\"version\":1,\"status\":\"error\",\"max_score\":${points//[^0-9]/},\"tests\":[{\"name\":\"grading\",\"status\":\"error\",\"score\":0,\"message\":\"The grader could not run; this is not your mistake. ${why}\",\"test_code\":\"\",\"filename\":\"\",\"line_no\":0,\"duration\":0}]}"
  set_result "$(printf '%s' "$payload" | base64 -w0)"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '## Socket grader\n\nThe grader could not run (not the learner'"'"'s mistake): %s\n' \
      "$1" >>"$GITHUB_STEP_SUMMARY"
  fi
  exit 0
}

[ -n "${GRADER_FILE:-}" ] || fault "the action needs 'file': the learner's script to grade"
[ -n "${GRADER_PROBLEM:-}" ] || fault "the action needs 'problem': the problem number (1-5)"
case "$points" in '' | *[!0-9]* | 0) fault "points '$points': give a whole number from 1" ;; esac

python="${GRADER_PYTHON:-}"
if [ -z "$python" ]; then
  command -v python3 >/dev/null || fault "python3 is not on this runner; add actions/setup-python before this step"
  venv="${RUNNER_TEMP:-$work}/socket-grader-venv"
  if ! { python3 -m venv "$venv" && "$venv/bin/python" -m pip install -q "$action_path"; } >"$work/install.log" 2>&1; then
    tail -n 20 "$work/install.log" >&2
    fault "installing the grader failed (see the log above)"
  fi
  python="$venv/bin/python"
fi

args=("$GRADER_FILE" --problem "$GRADER_PROBLEM" --points "$points" --format classroom --output "$work/result")
[ -n "${GRADER_TIMEOUT:-}" ] && args+=(--timeout "$GRADER_TIMEOUT")

# GITHUB_ACTIONS=true (set by the runner) makes the grader write annotations and the summary.
"$python" -m grader "${args[@]}"
status=$?
if [ -s "$work/result" ]; then
  set_result "$(tr -d '\n' <"$work/result")"
  exit 0
fi
fault "grade ended with status $status and wrote no result"
