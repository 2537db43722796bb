#!/usr/bin/env bash
# The action's step (action.yml): grade one file and set the outputs GitHub Classroom reads.
#
# Reads GRADER_FILE, GRADER_PROBLEM, GRADER_POINTS (default 100), GRADER_TIMEOUT, GRADER_LANG and
# GRADER_CONFIG (optional); GITHUB_ACTION_PATH (this repository, as the runner checked it out),
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY (files the runner reads back), RUNNER_TOOL_CACHE.
# Sets `result` (base64 of the version-1 object the grading reporter reads), `score` and
# `max-score` (plain numbers).
#
# Install once per job: the first step installs the grader into a virtual environment under
# $RUNNER_TOOL_CACHE/socket-grader/<version>-<digest of the action's files>; later steps (the
# other problems of the assignment) find it there, check it answers `grade --version` with this
# version, and grade at once. GRADER_PYTHON names an interpreter that already has the grader.
#
# Every way this step can end sets a result that is valid JSON and says why: a grading (pass,
# fail, a missing or broken file) carries the grader's own payload; a set-up failure (an unknown
# problem, bad points or timeout, an install that failed) an `error` result whose message is the
# one line the grader gave. The step then ends with status 0 so that the reporter step after it
# runs and shows the points; the result's status says pass, fail or error.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
action_path="${GITHUB_ACTION_PATH:-$here}"
points="${GRADER_POINTS:-100}"
work="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/socket-grader.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say() { printf 'socket-grader: %s\n' "$*" >&2; }

set_output() {  # $1: name, $2: one-line value
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  else
    printf '%s=%s\n' "$1" "$2"
  fi
}

json_string() {  # $1 as a JSON string: backslash, quote and control characters escaped
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  printf '"%s"' "$(printf '%s' "$s" | tr -d '\000-\037\177')"
}

fault() {  # $1: why the grader could not grade (never the learner's mistake)
  say "$1"
  printf '::error title=socket-grader::%s\n' "$(printf '%s' "$1" | sed 's/%/%25/g')" >&2
  # What the problem is worth, as given if it is a number, else the default: the reporter
  # leaves a result out of the total when its max_score is 0.
  local most=100
  if [[ "$points" =~ ^[0-9]+(\.[0-9]+)?$ && "$points" =~ [1-9] ]]; then
    most="$(printf '%s' "$points" | sed 's/^0*\([0-9]\)/\1/')"
  fi
  local message="The grader could not run; this is not your mistake. $1"
  local payload
  payload="{\"version\":1,\"status\":\"error\",\"max_score\":$most,\"tests\":[{\"name\":\"grading\",\"status\":\"error\",\"score\":0,\"message\":$(json_string "$message"),\"test_code\":\"\",\"filename\":$(json_string "${GRADER_FILE:-}"),\"line_no\":0,\"duration\":0}]}"
  set_output result "$(printf '%s' "$payload" | base64 | tr -d '\n')"
  set_output score 0
  set_output max-score "$most"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '## Socket grader\n\nThe grader could not run (not the learner'"'"'s mistake): %s\n\n' \
      "$1" >>"$GITHUB_STEP_SUMMARY"
  fi
  exit 0
}

[ -n "${GRADER_FILE:-}" ] || fault "the action needs 'file': the learner's script to grade"
[ -n "${GRADER_PROBLEM:-}" ] || fault "the action needs 'problem': the problem number (1-5)"

install() {  # sets $python to an interpreter with the grader, installing it once per job
  python="${GRADER_PYTHON:-}"
  [ -n "$python" ] && return
  find_or_install
  exec 9>&- # the lock, if taken: the grading after this needs none
}

find_or_install() {
  command -v python3 >/dev/null ||
    fault "python3 is not on this runner; add actions/setup-python before this step"
  local version digest home
  version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action_path/pyproject.toml" | head -n 1)"
  # The action's own files decide the key, so a changed checkout never reuses an old install.
  digest="$(cd "$action_path" && find pyproject.toml grader problems fixtures grader.toml \
    -type f ! -name '*.pyc' -print0 2>/dev/null | sort -z | xargs -0 cat | sha256sum | cut -c1-12)"
  home="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-$work}}/socket-grader/$version-$digest"
  python="$home/bin/python"
  mkdir -p "$(dirname "$home")"
  # Jobs sharing a runner's tool cache install one at a time (where flock exists).
  if command -v flock >/dev/null; then
    exec 9>"$home.lock" && flock 9
  fi
  if [ "$("$home/bin/grade" --version 2>/dev/null)" = "grade $version" ]; then
    say "using the grader $version installed at $home"
    return
  fi
  say "installing the grader $version into $home (once per job)"
  rm -rf "$home" # a broken or half-made one: `grade --version` above did not answer
  if ! { python3 -m venv "$home" &&
    "$python" -m pip install -q --disable-pip-version-check "$action_path"; } \
    >"$work/install.log" 2>&1; then
    tail -n 20 "$work/install.log" >&2
    rm -rf "$home"
    fault "installing the grader failed (the step's log shows pip's last lines)"
  fi
  [ "$("$home/bin/grade" --version 2>/dev/null)" = "grade $version" ] ||
    fault "the grader installed at $home does not answer 'grade --version'; see the step's log"
}
install

args=("$GRADER_FILE" --problem "$GRADER_PROBLEM" --format classroom --output "$work/result")
[ -n "$points" ] && args+=(--points "$points")
[ -n "${GRADER_TIMEOUT:-}" ] && args+=(--timeout "$GRADER_TIMEOUT")
[ -n "${GRADER_LANG:-}" ] && args+=(--lang "$GRADER_LANG")
[ -n "${GRADER_CONFIG:-}" ] && args+=(--config "$GRADER_CONFIG")

# GITHUB_ACTIONS=true (set by the runner) makes the grader write annotations and the summary.
"$python" -m grader "${args[@]}" 2>"$work/stderr"
status=$?
cat "$work/stderr" >&2
if [ -s "$work/result" ]; then
  set_output result "$(tr -d '\n' <"$work/result")"
  # The plain numbers beside it; quarter points add up exactly as floats.
  read -r score most < <("$python" - "$work/result" <<'EOF'
import base64, json, sys

data = json.loads(base64.b64decode(open(sys.argv[1], encoding="ascii").read()))
shown = [sum(t["score"] for t in data["tests"]), data["max_score"]]
print(*(str(int(x)) if float(x).is_integer() else repr(float(x)) for x in shown))
EOF
  )
  set_output score "${score:-0}"
  set_output max-score "${most:-0}"
  exit 0
fi
# No result: the grader refused its input in one line ("grade: ...", its last): the reason.
reason="$(sed -n 's/^grade: //p' "$work/stderr" | tail -n 1)"
fault "${reason:-grade ended with status $status and wrote no result}"
