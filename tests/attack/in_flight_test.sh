#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Attack: probes asked for and abandoned, and work in flight at shutdown.
# One-shot and ad hoc probes run until
# their timeout; a client (agent token or API token) that asks for 16 probes of
# 5 s each against a target whose packets are dropped (nftables, as a
# NetworkPolicy drop would) and hangs up after 1 s would otherwise hold every
# one-shot slot of the agent for 4 s more, so the next one-shot, the
# controller's ad hoc fan-out included, is refused with 429.
# Holding means: each abandoned probe is stopped at once, and logged as
# abandoned; a 17th one-shot right after is run (200), not refused; an ad hoc
# probe abandoned at the controller stops there and on the agent it asked.
# And the other way round: a controller told to stop (SIGTERM, as Kubernetes
# does on every rollout) while an ad hoc probe is out still answers it, then
# exits within its budget.
bin=${1:?usage: abandoned_test.sh BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../e2e/netns.sh
source "$(dirname "$0")/../e2e/netns.sh"
# shellcheck source=attack_lib.sh
source "$(dirname "$0")/attack_lib.sh"
attack_setup

dropped=127.0.0.9:9  # netns-only
fw_reset "$ATTACK_NS"
fw_rule "$ATTACK_NS" output ip daddr 127.0.0.9 tcp dport 9 drop
slow_probe='{"type": "tcp", "target": "'$dropped'", "timeout": "5s"}'

check "controller starts" start_controller controller 9742 \
  'adhoc: {allow_cidrs: ["127.0.0.0/8"], rate_per_minute: 600, max_timeout: 10s}'
check "agent n1 starts, reporting to the controller" start_agent n1 9743 'probes: []' \
  --controller "$ctl" --advertise 127.0.0.1:9743
reported() { in_ns "$ATTACK_NS" curl -fsS "$ctl/api/v1/status" | jq -e '[.agents[].node] == ["n1"]'; }
check "n1 has reported (and holds the controller's ad hoc rules)" wait_until 10 reported

# abandon URL TOKEN BODY COUNT: COUNT clients POST BODY at once and hang up after 1 s.
abandon() {
  local i pids=()
  for ((i = 0; i < $4; i++)); do
    ns_start "$ATTACK_NS" "$TEST_TMP/abandon-$i.log" curl -sS --max-time 1 -o /dev/null -X POST \
      -H "Authorization: Bearer $2" -H 'Content-Type: application/json' --data-binary "$3" "$1"
    pids+=("$!")
  done
  for i in "${pids[@]}"; do wait "$i" 2>/dev/null || true; done
}
logged() { [ "$(grep -c "$2" "$1" || true)" -ge "$3" ]; }  # LOG TEXT COUNT

started=$(now_ms)
abandon "$agent/api/v1/probe" "$AGENT_TOKEN" '{"probe": '"$slow_probe"'}' 16
check "16 one-shots of 5 s, abandoned after 1 s, are all stopped and logged as abandoned" \
  wait_until 2 logged "$agent_log" "one-shot probe abandoned" 16
echo "# abandoned one-shots stopped $(($(now_ms) - started)) ms after they were asked for"
code=$(api POST "$agent/api/v1/probe" "$AGENT_TOKEN" '{"probe": {"type": "tcp", "target": "'$dropped'", "timeout": "1s"}}')
check "a 17th one-shot right after is run, not refused for want of slots ($code)" [ "$code" = 200 ]
check "  and says the dropped target timed out" jq_ok "$(api_body)" '.results[0].outcome == "timeout"'

abandon "$ctl/api/v1/probes" "$API_TOKEN" '{"probe": '"$slow_probe"', "nodes": ["n1"]}' 1
check "an ad hoc probe abandoned after 1 s is stopped at the controller and logged" \
  wait_until 2 logged "$ctl_log" "ad hoc probe abandoned" 1
check "  and the one-shot it asked of the agent is stopped there too" \
  wait_until 2 logged "$agent_log" "one-shot probe abandoned" 17

check "the controller and the agent are alive" all_alive "$ctl_pid" "$agent_pid"

# fan_out_open: the controller's connection to the agent (the ad hoc fan-out) is up.
fan_out_open() { in_ns "$ATTACK_NS" ss -Htn state established "dport = :9743" | grep -q .; }
rm -f "$TEST_TMP/drain.out"
ns_start "$ATTACK_NS" "$TEST_TMP/drain.log" curl -sS --max-time 10 -o "$TEST_TMP/drain.out" -w '%{http_code}' \
  -X POST -H "Authorization: Bearer $API_TOKEN" -H 'Content-Type: application/json' \
  --data-binary '{"probe": {"type": "tcp", "target": "'$dropped'", "timeout": "2s"}, "nodes": ["n1"]}' "$ctl/api/v1/probes"
drain_client=$!
check "an ad hoc probe of 2 s is out to the agent" wait_until 3 fan_out_open
kill -TERM "$ctl_pid"
stopped_at=$(now_ms)
wait "$drain_client" 2>/dev/null || true
check "SIGTERM while it runs: the client still gets its answer ($(cat "$TEST_TMP/drain.log"))" \
  jq_ok "$(cat "$TEST_TMP/drain.out" 2>/dev/null)" '.results[0].outcome == "timeout"'
ctl_exited() { ! alive "$ctl_pid"; }
check "  and the controller exits once it has answered" wait_until 9 ctl_exited
echo "# the controller stopped $(($(now_ms) - stopped_at)) ms after SIGTERM"
check "  saying nothing was abandoned" grep -q '"abandoned_connections":0' "$ctl_log"

finish
