#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Attack: small ways in.
#   - request header values carrying a control byte (\x01, \x7f), which some
#     parsers pass on into logs and routing;
#   - token files that are not one clean token: the same file for the agent and
#     the API token (an agent could then run ad hoc probes), leading whitespace,
#     two lines;
#   - an agent --controller that is not a URL (the agent would silently report
#     nowhere).
# Holding means: such a header is 400; such token files and flags are refused
# at start with exit code 2 (usage or config error), by both daemons where
# they apply.
bin=${1:?usage: small_test.sh BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../e2e/netns.sh
source "$(dirname "$0")/../e2e/netns.sh"
# shellcheck source=attack_lib.sh
source "$(dirname "$0")/attack_lib.sh"
attack_setup

check "controller starts" start_controller controller 9742
check "agent starts" start_agent agent 9743 'probes: []'
for target in controller:9742 agent:9743; do
  for byte in '\x01' '\x7f'; do
    out=$(attack_py request --port "${target##*:}" --header "X-Attack: a${byte}b")
    check "${target%%:*}: a header value with $byte is 400 ($(jq .status <<<"$out"))" jq_ok "$out" '.status == 400'
  done
done

# started_status PORT COMMAND…: starts a daemon listening on 127.0.0.1:PORT; prints its exit
# status when it exits within 4 s, or "running" (then stops it) once it answers /healthz.
exited_or_up() { ! alive "$1" || up "http://127.0.0.1:$2"; }  # PID PORT
started_status() {
  local port=$1 pid status
  shift
  ns_start "$ATTACK_NS" "$TEST_TMP/start-$port.log" "$@"
  pid=$!
  wait_until 4 exited_or_up "$pid" "$port" || true
  if alive "$pid"; then
    ns_stop "$pid"
    echo running
    return
  fi
  status=0
  wait "$pid" 2>/dev/null || status=$?
  echo "$status"
}
exits_2() { [ "$1" = 2 ]; }

printf 'one-token\n' > "$TEST_TMP/same-token"
printf '  leading-space\n' > "$TEST_TMP/leading-token"
printf 'first\nsecond\n' > "$TEST_TMP/two-lines-token"
controller_with() {  # AGENT-TOKEN-FILE API-TOKEN-FILE
  started_status 9750 "$bin/netprobe-controller" --listen 127.0.0.1:9750 --agent-token-file "$1" --api-token-file "$2"
}
agent_with() {  # ARG…
  started_status 9751 "$bin/netprobe-agent" --listen 127.0.0.1:9751 --node small "$@"
}

status=$(controller_with "$TEST_TMP/same-token" "$TEST_TMP/same-token")
check "controller: the same file as --agent-token-file and --api-token-file exits 2 ($status)" exits_2 "$status"
status=$(controller_with "$TEST_TMP/leading-token" "$TEST_TMP/api-token")
check "controller: an agent token file with leading whitespace exits 2 ($status)" exits_2 "$status"
status=$(controller_with "$TEST_TMP/agent-token" "$TEST_TMP/two-lines-token")
check "controller: an API token file of two lines exits 2 ($status)" exits_2 "$status"
status=$(agent_with --token-file "$TEST_TMP/leading-token")
check "agent: a token file with leading whitespace exits 2 ($status)" exits_2 "$status"
status=$(agent_with --token-file "$TEST_TMP/two-lines-token")
check "agent: a token file of two lines exits 2 ($status)" exits_2 "$status"
status=$(agent_with --controller 'not a url')
check "agent: --controller 'not a url' exits 2 ($status)" exits_2 "$status"
status=$(controller_with "$TEST_TMP/agent-token" "$TEST_TMP/api-token")
check "control: a controller with two good token files starts ($status)" [ "$status" = running ]

finish
