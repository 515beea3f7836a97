#!/usr/bin/env bash
# netprobe-controller on loopback with three real agents and a real DNS server
# (dnsmasq), the acceptance points of the controller issue:
#   - every agent reports; the DNS target fails on 0 nodes;
#   - the DNS server stops: failing nodes reach 3 within one interval + 2 s (agents push on change);
#   - an agent is SIGKILLed: it turns stale after 3 intervals and its results stop counting;
#   - the controller restarts on the same port: the picture is whole again within one interval;
#   - ad hoc probes: `all` gets one result per reporting node, a dead agent is
#     `agent_unreachable` and a hung one too, within timeout + 1 s;
#   - bad input (malformed, wrong types, oversized, tokens, allowlist, unknown node,
#     10,000 results in one report) gets the right answer and the data stays;
#   - SIGTERM exits 0.
# Times are measured and printed with the checks.
bin=${1:?usage: controller_test.sh BUILD_BIN_DIR}
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/loopback_cluster.sh"

require dnsmasq

start_dns
write_controller_config

# --- --check-config: validates and exits, reading no token file and listening on nothing ---
# A probe's tls.ca_file names a file on the agents: the controller does not look for it.
write_controller_config '
probes:
  - name: internal-web
    type: http
    url: https://web.internal:8443/
    tls: {ca_file: /etc/netprobe/ca/internal.pem, server_name: web.internal}'
mv "$TEST_TMP/controller.yaml" "$TEST_TMP/checked.yaml"
write_controller_config
check_config() {  # args…: runs --check-config, its output in $TEST_TMP/check.out and .err, status in $status
  set +e
  "$bin/netprobe-controller" --check-config "$@" > "$TEST_TMP/check.out" 2> "$TEST_TMP/check.err"
  status=$?
  set -e
}
check_config --config "$TEST_TMP/checked.yaml" --listen "127.0.0.1:$ctl_port" \
  --agent-token-file "$TEST_TMP/no-such-agent-token" --api-token-file "$TEST_TMP/no-such-api-token"
check "--check-config on a good file exits 0 ($status)" [ "$status" -eq 0 ]
check "--check-config says ok and counts the probes" [ "$(cat "$TEST_TMP/check.out")" = "$TEST_TMP/checked.yaml: ok (1 probe)" ]
check "--check-config listens on nothing" bash -c "! ss -Htln 'sport = :$ctl_port' | grep -q ."
printf 'stale_after: 3\nstale_afterr: 3\n' > "$TEST_TMP/bad-controller.yaml"
check_config --config "$TEST_TMP/bad-controller.yaml"
check "--check-config on a broken file exits 2 ($status)" [ "$status" -eq 2 ]
check "--check-config names file:line and field on stderr" grep -q "^$TEST_TMP/bad-controller.yaml:2: stale_afterr: unknown key" "$TEST_TMP/check.err"
check "--check-config prints nothing on stdout for a broken file" [ ! -s "$TEST_TMP/check.out" ]
check_config --config "$TEST_TMP/nope.yaml"
check "--check-config on a missing file exits 2 ($status)" [ "$status" -eq 2 ]
check "a missing file is named with the reason" grep -qx "cannot read $TEST_TMP/nope.yaml: No such file or directory" "$TEST_TMP/check.err"
check_config --config "$TEST_TMP/controller.yaml" --agent-token-file "$TEST_TMP/same" --api-token-file "$TEST_TMP/same"
check "--check-config refuses one file for both tokens ($status)" [ "$status" -eq 2 ]
check "... saying so" grep -q "name the same file" "$TEST_TMP/check.err"
check "--check-config is in --help" bash -c "'$bin/netprobe-controller' --help | grep -q -- --check-config"

start_controller
for n in 1 2 3; do start_agent "$n"; done

# --- every agent reports -----------------------------------------------------
check "three agents reporting" wait_until 10 metric_is "$ctl/metrics" "$(agents_series reporting)" 3
check "no agent stale" metric_is "$ctl/metrics" "$(agents_series stale)" 0
check "each agent's checks are in" wait_until 5 status_is '[.agents[].results]' "[$CHECKS_PER_AGENT,$CHECKS_PER_AGENT,$CHECKS_PER_AGENT]"
check "DNS over udp: seen by 3 nodes" wait_until 5 status_is \
  '.targets[] | select(.probe == "kube-dns" and .transport == "udp") | [.nodes, .nodes_by_outcome.ok]' '[3,3]'
check "DNS over udp: 0 failing nodes" metric_is "$ctl/metrics" "$(dns_failing udp)" 0
check "DNS over tcp: 0 failing nodes" metric_is "$ctl/metrics" "$(dns_failing tcp)" 0
check "the deny probe counts as success (0 failing)" metric_is "$ctl/metrics" \
  'netprobe_target_failing_nodes{expect="deny",probe="payment-denied",target="127.0.0.1:'"$closed_port"'",transport="tcp",type="tcp"}' 0

# --- ad hoc probe to all nodes -------------------------------------------------
adhoc() {  # adhoc JSON: POST /api/v1/probes with the API token, prints the body
  curl -sS -X POST -H "$API_AUTH" -H 'Content-Type: application/json' "$ctl/api/v1/probes" -d "$1"
}
# adhoc_timed JSON: the same, the answer in $answer and curl's own time for it in $elapsed (ms).
adhoc_timed() {
  local out
  out=$(curl -sS -X POST -H "$API_AUTH" -H 'Content-Type: application/json' "$ctl/api/v1/probes" -w '\n%{time_total}' -d "$1")
  elapsed=$(tail -n 1 <<<"$out" | awk '{ printf "%d", $1 * 1000 }')
  answer=$(sed '$d' <<<"$out")
}
tcp_probe='{"type": "tcp", "target": "127.0.0.1:'"$ctl_port"'", "timeout": "500ms"}'
answer=$(adhoc '{"probe": '"$tcp_probe"', "all": true}')
check "ad hoc to all: one result per node" [ "$(jq -c '[.results[].node] | sort' <<<"$answer")" = '["node-1","node-2","node-3"]' ]
check "ad hoc to all: all ok, summary counts them" [ "$(jq -c '.summary' <<<"$answer")" = '{"total":3,"success":3,"by_outcome":{"ok":3}}' ]

# --- the DNS server stops: every node sees it within one interval + 2 s ---------
stop_dns
start=$(now_ms)
wait_until 10 dns_failing_is 3
elapsed=$(( $(now_ms) - start ))
check "DNS down: 3 failing nodes over udp and tcp after ${elapsed} ms (limit $((CTL_INTERVAL_MS + 2000)) ms)" \
  [ "$elapsed" -le $((CTL_INTERVAL_MS + 2000)) ]
check "DNS down: the outcome is refused on every node" status_is \
  '[.targets[] | select(.probe == "kube-dns") | .nodes_by_outcome.refused]' '[3,3]'
check "DNS down: failing nodes are named" status_is \
  '[.targets[] | select(.probe == "kube-dns" and .transport == "udp") | .failing[].node]' '["node-1","node-2","node-3"]'
check "the failing pairs are exposed" [ "$(curl -fsS "$ctl/metrics" | grep -c '^netprobe_failing_pair{.*probe="kube-dns"')" -eq 6 ]
# The controller writes its exposition text itself (controller/metrics.cpp, as
# the agent does): Prometheus's own parser and linter must accept it.
curl -fsS "$ctl/metrics" > "$TEST_TMP/controller-metrics.txt"
check "promtool check metrics accepts the controller's /metrics" promtool check metrics < "$TEST_TMP/controller-metrics.txt"
check "  every counter there from the start" grep -q '^netprobe_reports_rejected_total{reason="address"} 0$' \
  "$TEST_TMP/controller-metrics.txt"

# --- one agent is killed: stale after 3 intervals, its results stop counting ----
stop_pid "${agent_pid[3]}" KILL
start=$(now_ms)
wait_until 10 status_is '.agents[] | select(.node == "node-3") | .state' '"stale"'
elapsed=$(( $(now_ms) - start ))
# Its last report was at most one interval before the kill; stale means > 3 intervals since.
check "killed agent stale after ${elapsed} ms (expected $((2 * CTL_INTERVAL_MS))-$((3 * CTL_INTERVAL_MS + 1000)) ms)" \
  [ "$elapsed" -ge $((2 * CTL_INTERVAL_MS - 100)) -a "$elapsed" -le $((3 * CTL_INTERVAL_MS + 1000)) ]
check "netprobe_agents{state=\"stale\"} 1" metric_is "$ctl/metrics" "$(agents_series stale)" 1
check "netprobe_agents{state=\"reporting\"} 2" metric_is "$ctl/metrics" "$(agents_series reporting)" 2
check "the stale agent's results stop counting (2 failing)" metric_is "$ctl/metrics" "$(dns_failing udp)" 2
check "targets count 2 nodes" status_is '[.targets[].nodes] | unique' '[2]'

# --- ad hoc with a dead agent (and a hung one): agent_unreachable in timeout + 1 s --
answer=$(adhoc '{"probe": '"$tcp_probe"', "all": true}')
check "ad hoc to all: one result per reporting node" [ "$(jq -c '[.results[].node] | sort' <<<"$answer")" = '["node-1","node-2"]' ]
# The controller's deadline is the probe's timeout + 1 s; 100 ms for the trip and the answer.
adhoc_timed '{"probe": '"$tcp_probe"', "nodes": ["node-3"]}'
check "ad hoc naming the killed agent: agent_unreachable in ${elapsed} ms (limit 500 ms + 1 s)" \
  [ "$(jq -r '.results[0].outcome' <<<"$answer")" = agent_unreachable -a "$elapsed" -le 1600 ]
kill -STOP "${agent_pid[2]}"  # accepts connections (kernel backlog), never answers
adhoc_timed '{"probe": '"$tcp_probe"', "nodes": ["node-1", "node-2", "node-3"]}'
kill -CONT "${agent_pid[2]}"
check "ad hoc naming a killed and a hung agent answered in ${elapsed} ms (limit 500 ms + 1 s)" [ "$elapsed" -le 1600 ]
check "the answering node has its result" [ "$(jq -r '.results[] | select(.node == "node-1") | .outcome' <<<"$answer")" = ok ]
check "the hung agent is agent_unreachable" [ "$(jq -r '.results[] | select(.node == "node-2") | .outcome' <<<"$answer")" = agent_unreachable ]
check "the killed agent is agent_unreachable" [ "$(jq -r '.results[] | select(.node == "node-3") | .outcome' <<<"$answer")" = agent_unreachable ]
check "the summary counts them" [ "$(jq -c '.summary' <<<"$answer")" = '{"total":3,"success":1,"by_outcome":{"agent_unreachable":2,"ok":1}}' ]
check "the resumed agent reports again" wait_until 5 status_is '.agents[] | select(.node == "node-2") | .state' '"reporting"'

# --- the controller restarts on the same port: whole again within one interval ---
# Settled: node-2's runs cut by SIGSTOP are redone, every check refused on both nodes.
check "the picture settles" wait_until 5 status_is '[.targets[] | .nodes_by_outcome]' '[{"refused":2},{"refused":2},{"refused":2}]'
picture='[[.targets[] | {probe, target, transport, nodes, failing_nodes, nodes_by_outcome}],
          [.agents[] | select(.state == "reporting") | {node, results}]]'
before=$(status | jq -c "$picture")
stop_pid "$ctl_pid" TERM
check "controller SIGTERM (restart) exits 0" [ "$STOPPED_STATUS" -eq 0 ]
# Keep it down until both agents have failed to report (they back off), as in a real restart.
report_failures() { grep -c 'report not accepted' "$TEST_TMP/agent-$1.log" || true; }
failed1=$(report_failures 1)
failed2=$(report_failures 2)
noticed() { [ "$(report_failures 1)" -gt "$failed1" ] && [ "$(report_failures 2)" -gt "$failed2" ]; }
check "agents notice the controller is down" wait_until 5 noticed
start_controller
start=$(now_ms)
wait_until 10 status_is "$picture" "$before"
elapsed=$(( $(now_ms) - start ))
check "after a restart the picture is whole again in ${elapsed} ms (limit $((CTL_INTERVAL_MS + 1000)) ms)" \
  [ "$elapsed" -le $((CTL_INTERVAL_MS + 1000)) ]
check "after the restart: 2 failing nodes again" metric_is "$ctl/metrics" "$(dns_failing udp)" 2

# --- bad input: the right 4xx each time, and the data stays ----------------------
before=$(status | jq -c "$picture")
# post PATH AUTH_HEADER BODY_FILE: prints the status code; the body goes to $TEST_TMP/reply.
# (`Expect:` stops curl from asking for 100-continue on large bodies and waiting
# a second for it, as agents never do.)
post() {
  curl -sS -o "$TEST_TMP/reply" -w '%{http_code}' -X POST -H "$2" -H 'Content-Type: application/json' -H 'Expect:' \
    --data-binary @"$3" "$ctl$1"
}
reply_has() { jq -e "$1" "$TEST_TMP/reply" >/dev/null; }
# answered CODE [JQ]: the last post got CODE, and its reply satisfies JQ.
answered() { [ "$code" = "$1" ] && { [ -z "${2:-}" ] || reply_has "$2"; }; }
body() { printf '%s' "$1" > "$TEST_TMP/body"; echo "$TEST_TMP/body"; }  # a file for post
good_result='{"probe": "p", "type": "tcp", "target": "127.0.0.1:9", "transport": "tcp", "expect": "allow",
  "outcome": "ok", "success": true, "duration_seconds": 0.001, "time": "2026-01-01T00:00:00Z"}'

code=$(post /api/v1/reports "$AGENT_AUTH" "$(body '{"node": "x", "results": [')")
check "report: malformed JSON is 400 ($code)" answered 400 '.error.code == "malformed_json"'
code=$(post /api/v1/probes "$API_AUTH" "$(body '{"probe": {"type": ')")
check "ad hoc: malformed JSON is 400 ($code)" answered 400 '.error.code == "malformed_json"'
code=$(post /api/v1/reports "$AGENT_AUTH" "$(body '{"node": "x", "namespace": "y", "results": ['"${good_result/\"outcome\": \"ok\"/\"outcome\": 7}"']}')")
check "report: a wrong type is 400 naming results[0].outcome ($code)" answered 400 '.error.message | startswith("results[0].outcome:")'
code=$(post /api/v1/reports "$AGENT_AUTH" "$(body '{"node": "x", "namespace": "y", "interval_seconds": "1s", "results": []}')")
check "report: a wrong type is 400 naming interval_seconds ($code)" answered 400 '.error.message | startswith("interval_seconds:")'
code=$(post /api/v1/probes "$API_AUTH" "$(body '{"probe": {"type": "tcp", "target": 5}, "all": true}')")
check "ad hoc: a wrong type is 400 naming probe.target ($code)" answered 400 '.error.message | startswith("probe.target:")'
code=$(post /api/v1/probes "$API_AUTH" "$(body '{"probe": '"$tcp_probe"', "all": "yes"}')")
check "ad hoc: a wrong type is 400 naming all ($code)" answered 400 '.error.message | startswith("all:")'
code=$(post /api/v1/probes "$API_AUTH" "$(body '{"probe": '"$tcp_probe"', "nodes": "node-1"}')")
check "ad hoc: a wrong type is 400 naming nodes ($code)" answered 400 '.error.message | startswith("nodes:")'

head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' > "$TEST_TMP/big"
code=$(post /api/v1/probes "$API_AUTH" "$TEST_TMP/big")
check "ad hoc: a body over 1 MiB is 413 ($code)" answered 413 '.error.code == "body_too_large"'
head -c $((8 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' > "$TEST_TMP/huge"
code=$(post /api/v1/reports "$AGENT_AUTH" "$TEST_TMP/huge")
check "report: a body over 8 MiB is 413 ($code)" answered 413 '.error.code == "body_too_large"'
rm -f "$TEST_TMP/big" "$TEST_TMP/huge"

report=$TEST_TMP/report.json
adhoc_body=$TEST_TMP/adhoc.json
echo '{"node": "x", "namespace": "y", "results": []}' > "$report"
echo '{"probe": '"$tcp_probe"', "all": true}' > "$adhoc_body"
code=$(post /api/v1/reports "X-No-Auth: 1" "$report")
check "report without a token is 401 ($code)" answered 401 '.error.code == "unauthorized"'
code=$(post /api/v1/reports "Authorization: Bearer wrong" "$report")
check "report with a wrong token is 401 ($code)" answered 401
code=$(post /api/v1/reports "$API_AUTH" "$report")
check "report with the API token is 401 ($code)" answered 401
code=$(post /api/v1/probes "X-No-Auth: 1" "$adhoc_body")
check "ad hoc without a token is 401 ($code)" answered 401
code=$(post /api/v1/probes "Authorization: Bearer wrong" "$adhoc_body")
check "ad hoc with a wrong token is 401 ($code)" answered 401
code=$(post /api/v1/probes "$AGENT_AUTH" "$adhoc_body")
check "ad hoc with the agent token is 401 ($code)" answered 401

# [::1] is loopback too, but outside the allowlist (127.0.0.0/8, .cluster.local).
code=$(post /api/v1/probes "$API_AUTH" "$(body '{"probe": {"type": "tcp", "target": "[::1]:'"$closed_port"'"}, "all": true}')")
check "ad hoc: a target outside the allowlist is 403 ($code)" answered 403 '.error.code == "target_not_allowed"'
code=$(post /api/v1/probes "$API_AUTH" "$(body '{"probe": {"type": "http", "url": "http://example.com/"}, "all": true}')")
check "ad hoc: a host name outside the allowed suffixes is 403 ($code)" answered 403
code=$(post /api/v1/probes "$API_AUTH" "$(body '{"probe": '"$tcp_probe"', "nodes": ["node-1", "no-such-node"]}')")
check "ad hoc: an unknown node is 404 ($code)" answered 404 '.error.message | contains("no-such-node")'

# 10,000 results in one report (the per-report maximum), as an agent writes them.
jq -n --arg t "$(date -u +%Y-%m-%dT%H:%M:%SZ)" '{node: "synthetic", namespace: "load", address: "127.0.0.1:'"$closed_port"'",
  version: "0.1.0", interval_seconds: 10, full: true,
  results: [range(10000) | {probe: "synthetic-\(.)", type: "tcp", target: "payment.payments.svc.cluster.local:9090",
    transport: "tcp", expect: "allow", node: "synthetic", namespace: "load", outcome: "timeout", success: false,
    duration_seconds: 2.0, detail: "no answer from payment.payments.svc.cluster.local:9090 within 2s",
    time: $t}]}' > "$TEST_TMP/large.json"
start=$(now_ms)
code=$(post /api/v1/reports "$AGENT_AUTH" "$TEST_TMP/large.json")
elapsed=$(( $(now_ms) - start ))
check "a report of 10,000 results ($(( $(stat -c %s "$TEST_TMP/large.json") / 1024 )) KiB) is accepted in ${elapsed} ms ($code)" \
  answered 200 '.accepted == 10000'
check "all 10,000 are stored" status_is '.agents[] | select(.node == "synthetic") | .results' 10000
jq -c '.results = [.results[0]] | .results[0].outcome = "banana"' "$TEST_TMP/large.json" > "$TEST_TMP/one.json"
code=$(post /api/v1/reports "$AGENT_AUTH" "$TEST_TMP/one.json")
check "an unknown outcome is 400 ($code)" answered 400 '.error.message | startswith("results[0].outcome:")'
jq -c '.results += [.results[0]]' "$TEST_TMP/large.json" > "$TEST_TMP/too-many.json"
code=$(post /api/v1/reports "$AGENT_AUTH" "$TEST_TMP/too-many.json")
check "10,001 results are 400 ($code)" answered 400 '.error.message | startswith("results:")'
reply=$(printf 'GARBAGE\r\n\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$ctl_port; cat >&3; cat <&3" || true)
check "a malformed request line gets 400" grep -q '^HTTP/1.1 400' <<<"$reply"

check "after all that the controller serves" curl -fsS -o /dev/null "$ctl/healthz"
check "and the picture is unchanged" status_is "[[.targets[] | select(.probe | startswith(\"synthetic\") | not)
  | {probe, target, transport, nodes, failing_nodes, nodes_by_outcome}],
  [.agents[] | select(.state == \"reporting\" and .node != \"synthetic\") | {node, results}]]" "$before"
check "the agents keep reporting" wait_until 5 metric_is "$ctl/metrics" "$(agents_series reporting)" 3

# --- SIGTERM: exits 0 -------------------------------------------------------------
start=$(now_ms)
stop_pid "$ctl_pid" TERM
elapsed=$(( $(now_ms) - start ))
check "SIGTERM exits 0 (status $STOPPED_STATUS, ${elapsed} ms)" [ "$STOPPED_STATUS" -eq 0 ]
check "controller logs are JSON lines" bash -c "jq -e . '$TEST_TMP/controller.log' >/dev/null"

finish
