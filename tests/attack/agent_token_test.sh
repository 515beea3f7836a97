#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Attack: what a holder of the agent token (any agent pod, or whoever reads
# its Secret) can make the controller do with reports.
#   - grow the store without bound: partial reports of 1,000 new results each,
#     reports from many node names, results for many distinct probes;
#   - out-of-range interval_seconds;
#   - page Alertmanager with 1,000 alerts in one push;
#   - advertise an address (a name, or an IP outside adhoc.allow_cidrs) the
#     controller then connects to for ad hoc probes;
#   - report as another node from a second address (two pods claiming "n1");
#   - hide: reports refused at admission (wrong token, too large) that leave no
#     trace, and a wrong token repeated to flood the log.
# Holding means: limits (limits.max_results_per_agent, max_agents, max_checks;
# defaults 1000, 25000, 10000) cap what is stored, refusals are counted in
# netprobe_reports_rejected_total{reason=…} (agent_results, agents, checks,
# address) and new agents beyond the cap get 429; interval_seconds outside
# 0.1..600 is 400; no Alertmanager push carries more than 100 alerts; the
# controller never connects to an advertised address outside allow_cidrs
# (agent_unreachable); alternating sources for one node are an identity
# conflict (netprobe_agent_identity_conflicts_total, and ad hoc probes to it
# reach neither) while one move (a restarted pod) is not; refused reports are
# counted by result (unauthorized, too_large) and a wrong token is logged at
# most once a minute.
bin=${1:?usage: agent_token_test.sh BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../e2e/netns.sh
source "$(dirname "$0")/../e2e/netns.sh"
# shellcheck source=attack_lib.sh
source "$(dirname "$0")/attack_lib.sh"
ATTACK_HOSTS=("127.0.0.2 evil.example")
attack_setup

# reports PORT ARGS…: attack.py reports with the agent token; the JSON in $out.
reports() {
  local port=$1
  shift
  out=$(attack_py reports --port "$port" --token "$AGENT_TOKEN" "$@")
  echo "# reports $*: $(jq -c '{sent, statuses, codes}' <<<"$out")"
}
status_json() { in_ns "$ATTACK_NS" curl -fsS --max-time 5 "$1/api/v1/status" || true; }
status_ok() { jq_ok "$(status_json "$1")" "$2"; }
target_series() {  # series of netprobe_target_nodes (14 outcomes) and _failing_nodes (1) per target
  in_ns "$ATTACK_NS" curl -fsS --max-time 5 "$1/metrics" | grep -c '^netprobe_target_\(failing_\)\?nodes{' || true
}
rejected() { echo "netprobe_reports_rejected_total{reason=\"$1\"}"; }
# metric_sum URL NAME: the sum over every series of NAME; empty when there is none.
metric_sum() {
  in_ns "$ATTACK_NS" curl -fsS --max-time 2 "$1/metrics" 2>/dev/null |
    awk -v name="$2" '$1 == name || index($1, name "{") == 1 { sum += $2; found = 1 } END { if (found) print sum }' || true
}
adhoc_node() {  # URL NODE: an ad hoc tcp probe to one node; $code and $answer
  code=$(api POST "$1/api/v1/probes" "$API_TOKEN" \
    '{"probe": {"type": "tcp", "target": "127.0.0.1:9", "timeout": "500ms"}, "nodes": ["'"$2"'"]}')
  answer=$(api_body)
  echo "# ad hoc to $2: $code $(jq -c '.error // [.results[] | {outcome, detail}]' <<<"$answer" 2>/dev/null || true)"
}
unreachable_or_unknown() {
  [ "$code" = 404 ] || { [ "$code" = 200 ] && jq_ok "$answer" '.results[0].outcome == "agent_unreachable"'; }
}

# Fake agents: each connection counted, and answered as an agent would (an ok result).
start_listener advertised 127.0.0.2 9750 --fake-agent || fail "listener on 127.0.0.2:9750"
for last in 2 3 4 5; do
  start_listener "id$last" "127.0.0.$last" 9760 --fake-agent || fail "listener on 127.0.0.$last:9760"
done
attack_bg "$TEST_TMP/alertmanager.log" alertmanager --port 9093 --seconds 600
wait_until 5 ns_listening "$ATTACK_NS" tcp 9093 || fail "the Alertmanager stand-in listens"

echo "# --- a controller with the default limits ---"
check "controller starts" start_controller controller 9742 \
  'adhoc: {allow_cidrs: ["127.0.0.1/32"], rate_per_minute: 600}' \
  'alertmanager: {urls: ["http://127.0.0.1:9093"], for: 1s}'
main=$ctl
main_log=$ctl_log

reports 9742 --nodes big --results 1000 --repeat 3 --vary --partial
results=$(status_json "$main" | jq '.agents[] | select(.node == "big") | .results' 2>/dev/null || true)
check "3 partial reports of 1,000 new results: ${results:-?} stored (default max_results_per_agent 1000)" \
  [ "${results:-99999}" -le 1000 ]
check "  counted in $(rejected agent_results)" metric_ge "$main" "$(rejected agent_results)" 1

for interval in 601 3600; do
  reports 9742 --nodes interval-node --raw-interval "$interval"
  check "interval_seconds $interval: 400 naming interval_seconds" jq_ok "$out" '.statuses["400"] == 1'
done
code=$(api POST "$main/api/v1/reports" "$AGENT_TOKEN" \
  '{"node": "i", "namespace": "x", "interval_seconds": 601, "results": []}')
interval_named() { [ "$code" = 400 ] && jq_ok "$(api_body)" '.error.message | startswith("interval_seconds")'; }
check "  the message names interval_seconds ($code)" interval_named

reports 9742 --nodes pager --results 1000 --outcome timeout --probe-prefix failing-
pushed() { [ "$(bg_events "$TEST_TMP/alertmanager.log")" -ge 1 ]; }
check "1,000 failing targets page Alertmanager" wait_until 10 pushed
sizes=$(grep '"event"' "$TEST_TMP/alertmanager.log" | jq -s -c 'map(.alerts)' || true)
echo "# alerts per push: $sizes"
check "  no push carries more than 100 alerts ($(jq -c 'max' <<<"$sizes"))" jq_ok "$sizes" 'length > 0 and max <= 100'

advertised=$TEST_TMP/advertised.log
reports 9742 --nodes evilname --address evil.example:9750
reports 9742 --nodes evilip --address 127.0.0.2:9750
for node in evilname evilip; do
  before=$(bg_events "$advertised")
  adhoc_node "$main" "$node"
  check "ad hoc to $node (advertised outside allow_cidrs): unknown or agent_unreachable" unreachable_or_unknown
  check "  and the controller did not connect there" no_connection_since "$advertised" "$before"
done
check "  those reports are counted in $(rejected address)" metric_ge "$main" "$(rejected address)" 1

lines_before=$(wc -l < "$main_log")  # from here on: 201 reports with a wrong token
attack_py reports --port 9742 --token wrong --nodes x > /dev/null
check "a report with a wrong token: netprobe_reports_total{result=\"unauthorized\"} counts it" \
  metric_ge "$main" 'netprobe_reports_total{result="unauthorized"}' 1
out=$(attack_py request --port 9742 --method POST --path /api/v1/reports --token "$AGENT_TOKEN" --content-length 9000000)
check "an oversized report ($(jq .status <<<"$out")): netprobe_reports_total{result=\"too_large\"} counts it" \
  metric_ge "$main" 'netprobe_reports_total{result="too_large"}' 1

out=$(attack_py reports --port 9742 --token wrong --nodes x --repeat 200)
echo "# wrong token x 200: $(jq -c '{sent, statuses}' <<<"$out")"
logged=$(tail -n +$((lines_before + 1)) "$main_log" | grep -ciE 'token|unauthori' || true)
check "200 more reports with a wrong token: all 401" jq_ok "$out" '.statuses["401"] == 200'
check "  the 201 wrong tokens are logged, at most once a minute: $logged lines about them (1 or 2)" \
  [ "$logged" -ge 1 -a "$logged" -le 2 ]
check "the controller is alive" alive "$ctl_pid"

# limits_controller NAME PORT LIMITS: a controller with that limits: section, or a failure.
limits_controller() {
  if start_controller "$1" "$2" "limits: $3"; then
    pass "controller with limits: $3 starts"
  else
    fail "controller with limits: $3 starts (its checks are not run)"
    return 1
  fi
}

echo "# --- limits.max_results_per_agent ---"
if limits_controller results 9743 '{max_results_per_agent: 100}'; then
  reports 9743 --nodes one --results 1000 --repeat 3 --vary --partial
  results=$(status_json "$ctl" | jq '.agents[] | select(.node == "one") | .results' 2>/dev/null || true)
  check "3 partial reports of 1,000 new results: ${results:-?} stored (at most 100)" [ "${results:-99999}" -le 100 ]
  series=$(target_series "$ctl")
  check "  /metrics has $series target series (at most 100 x 15)" [ "$series" -le 1500 ]
  check "  counted in $(rejected agent_results)" metric_ge "$ctl" "$(rejected agent_results)" 1
fi

echo "# --- limits.max_agents ---"
if limits_controller agents 9744 '{max_agents: 5}'; then
  reports 9744 --node-prefix many- --node-count 10
  agents=$(status_json "$ctl" | jq '.agents | length' 2>/dev/null || true)
  check "reports from 10 node names: ${agents:-?} agents stored (at most 5)" [ "${agents:-99}" -le 5 ]
  check "  the others got 429" jq_ok "$out" '.statuses["429"] >= 5'
  check "  counted in $(rejected agents)" metric_ge "$ctl" "$(rejected agents)" 1
fi

echo "# --- limits.max_checks ---"
if limits_controller checks 9745 '{max_checks: 50}'; then
  for n in 0 1 2 3; do reports 9745 --nodes "checks-$n" --results 50 --probe-offset $((n * 50)); done
  targets=$(status_json "$ctl" | jq '.targets | length' 2>/dev/null || true)
  check "200 distinct probes over 4 agents: ${targets:-?} targets stored (at most 50)" [ "${targets:-999}" -le 50 ]
  check "  counted in $(rejected checks)" metric_ge "$ctl" "$(rejected checks)" 1
fi

echo "# --- identity: one node name, two sources ---"
check "controller allowing 127.0.0.0/8 starts" start_controller identity 9746 \
  'adhoc: {allow_cidrs: ["127.0.0.0/8"], rate_per_minute: 600}'
identity=$ctl
# A pod restarted with a new IP: n2 reports from 127.0.0.4, then from 127.0.0.5 only.
reports 9746 --nodes n2 --sources 127.0.0.4,127.0.0.4,127.0.0.5,127.0.0.5 --repeat 4 --address-port 9760 --gap 0.3
conflicts=$(metric_sum "$identity" netprobe_agent_identity_conflicts_total)
check "one move (127.0.0.4 -> 127.0.0.5) is no conflict: netprobe_agent_identity_conflicts_total ${conflicts:-absent} (0)" \
  [ "${conflicts:-absent}" = 0 ]
before4=$(bg_events "$TEST_TMP/id4.log")
before5=$(bg_events "$TEST_TMP/id5.log")
adhoc_node "$identity" n2
answered_ok() { jq_ok "$answer" '.results[0].outcome == "ok"'; }
check "  ad hoc to n2 goes to its new address" got_connection_since "$TEST_TMP/id5.log" "$before5"
check "  and the answer came from there (ok)" answered_ok
check "  and not to the old one" no_connection_since "$TEST_TMP/id4.log" "$before4"
# Two pods claiming n1, from 127.0.0.2 and 127.0.0.3 in turn, well within one interval.
reports 9746 --nodes n1 --sources 127.0.0.2,127.0.0.3 --repeat 6 --address-port 9760
conflicts=$(metric_sum "$identity" netprobe_agent_identity_conflicts_total)
check "alternating sources for n1: netprobe_agent_identity_conflicts_total ${conflicts:-absent} (at least 1)" \
  [ "${conflicts:-0}" -ge 1 ]
before2=$(bg_events "$TEST_TMP/id2.log")
before3=$(bg_events "$TEST_TMP/id3.log")
adhoc_node "$identity" n1
conflict_answer() {
  [ "$code" = 409 ] || { [ "$code" = 200 ] &&
    jq_ok "$answer" '.results[0].outcome == "agent_unreachable" and (.results[0].detail | test("conflict"; "i"))'; }
}
check "  ad hoc to n1: 409, or agent_unreachable naming the conflict" conflict_answer
reached_neither() { no_connection_since "$TEST_TMP/id2.log" "$before2" && no_connection_since "$TEST_TMP/id3.log" "$before3"; }
check "  and it reached neither address" reached_neither

finish
