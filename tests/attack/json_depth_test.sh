#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Attack: deeply nested JSON, which recursive code (serialising, the YAML
# reader behind the probe parser) follows until the stack runs out.
#   - POST /api/v1/probes (API token) whose probe holds 60,000 nested arrays,
#     and one that fits in 64 KiB (32,700 levels);
#   - the agent's POST /api/v1/probe (agent token) the same way, with 100,000
#     levels (today's agent survives 60,000 but not 100,000) and 32,700;
#   - reports (agent token) that are, or hold, 60,000 nested arrays;
#   - a fake controller answering the agent's reports with 200 and a body of
#     60,000 nested arrays, or {"probes": <100,000 nested arrays>}.
# Holding means: JSON deeper than 32 levels is refused with 400 malformed_json
# whose message says it is nested too deep (or 413 when the body is over the
# route's limit), the daemon serves /healthz afterwards, and an agent whose
# controller answers like that keeps running and reporting.
bin=${1:?usage: json_depth_test.sh BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../e2e/netns.sh
source "$(dirname "$0")/../e2e/netns.sh"
# shellcheck source=attack_lib.sh
source "$(dirname "$0")/attack_lib.sh"
attack_setup

# nested PORT PATH TOKEN DEPTH TEMPLATE: the answer's JSON in $out.
nested() {
  out=$(attack_py nested --port "$1" --path "$2" --token "$3" --depth "$4" --template "$5")
  echo "# $2, $4 levels: $(jq -c '{status, code, message, error}' <<<"$out")"
}
too_deep() { jq_ok "$out" '.status == 400 and .code == "malformed_json" and (.message | test("nest|depth"; "i"))'; }
too_deep_or_large() { too_deep || jq_ok "$out" '.status == 413 and .code == "body_too_large"'; }
probe_with() { echo '{"probe": {"type": "tcp", "target": "127.0.0.1:9", "x": @}'"$1"'}'; }
fits=32700  # 2 bytes a level: 65,400 bytes, the probe around it included, under 64 KiB
# Each attack gets a live daemon: one that died of the last attack is restarted
# (and said so), so that every check stands on its own.
ctl_config='adhoc: {allow_cidrs: ["127.0.0.1/32"], rate_per_minute: 600}'
controller_live() {
  alive "$ctl_pid" && return
  echo "# the controller died (log: $(tail -n 1 "$ctl_log")); starting another"
  start_controller controller 9742 "$ctl_config" || true
}
agent_live() {
  alive "$agent_pid" && return
  echo "# the agent died; starting another"
  start_agent agent 9743 'probes: []' || true
}

echo "# --- controller ---"
check "controller starts" start_controller controller 9742 "$ctl_config"
nested 9742 /api/v1/probes "$API_TOKEN" 60000 "$(probe_with ', "all": true')"
check "ad hoc probe holding 60,000 nested arrays: refused (400 too deep, or 413)" too_deep_or_large
check "  the controller serves /healthz after it" up "$ctl"
controller_live
nested 9742 /api/v1/probes "$API_TOKEN" "$fits" "$(probe_with ', "all": true')"
check "ad hoc probe holding $fits nested arrays (under 64 KiB): 400 malformed_json, too deep" too_deep
check "  the controller serves /healthz after it" up "$ctl"
controller_live
nested 9742 /api/v1/reports "$AGENT_TOKEN" 60000 '@'
check "a report of 60,000 nested arrays: 400 malformed_json, too deep" too_deep
nested 9742 /api/v1/reports "$AGENT_TOKEN" 60000 '{"node": "n", "namespace": "x", "results": [{"probe": "p",
  "type": "tcp", "target": "x:1", "transport": "tcp", "expect": "allow", "outcome": "ok", "duration_seconds": 1,
  "time": "2026-01-01T00:00:00Z", "detail": @}]}'
check "a report holding 60,000 nested arrays in a result: 400 malformed_json, too deep" too_deep
check "  the controller serves /healthz after them" up "$ctl"

echo "# --- agent ---"
check "agent starts" start_agent agent 9743 'probes: []'
nested 9743 /api/v1/probe "$AGENT_TOKEN" 100000 "$(probe_with '')"
check "one-shot holding 100,000 nested arrays: refused (400 too deep, or 413)" too_deep_or_large
check "  the agent serves /healthz after it" up "$agent"
agent_live
nested 9743 /api/v1/probe "$AGENT_TOKEN" "$fits" "$(probe_with '')"
check "one-shot holding $fits nested arrays (under 64 KiB): 400 malformed_json, too deep" too_deep
check "  the agent serves /healthz after it" up "$agent"

echo "# --- a controller answering reports with deep JSON ---"
attack_bg "$TEST_TMP/fake-bare.log" fake-controller --port 9801 --reply nested --depth 60000 --seconds 60
bare_fake=$BG_PID
attack_bg "$TEST_TMP/fake-probes.log" fake-controller --port 9802 --reply probes-nested --depth 100000 --seconds 60
probes_fake=$BG_PID
fakes_listen() { ns_listening "$ATTACK_NS" tcp 9801 && ns_listening "$ATTACK_NS" tcp 9802; }
wait_until 5 fakes_listen || fail "fake controllers listen"
reporting_agent() {  # NAME PORT CONTROLLER-PORT
  start_agent "$1" "$2" "interval: 1s
timeout: 500ms
probes:
  - name: self
    type: tcp
    target: 127.0.0.1:$2" --controller "http://127.0.0.1:$3"
}
# Started without `check`: an agent that dies on the first answer would fail its start.
reporting_agent bare 9744 9801 || true
bare_pid=$agent_pid
reporting_agent assigned 9745 9802 || true
assigned_pid=$agent_pid
rounds() { [ "$(bg_events "$1")" -ge "$2" ]; }
both_rounds() { rounds "$TEST_TMP/fake-bare.log" 4 && rounds "$TEST_TMP/fake-probes.log" 4; }
wait_until 10 both_rounds || true
echo "# reports answered: bare $(bg_events "$TEST_TMP/fake-bare.log"), {\"probes\": …} $(bg_events "$TEST_TMP/fake-probes.log")"
check "answered with 60,000 nested arrays: the agent reports again and again (4 rounds)" rounds "$TEST_TMP/fake-bare.log" 4
check "  and is alive, serving /healthz" alive_and_up "$bare_pid" http://127.0.0.1:9744
check "answered with {\"probes\": 100,000 nested arrays}: the agent reports again and again (4 rounds)" \
  rounds "$TEST_TMP/fake-probes.log" 4
check "  and is alive, serving /healthz" alive_and_up "$assigned_pid" http://127.0.0.1:9745
bg_stop "$bare_fake"
bg_stop "$probes_fake"

finish
