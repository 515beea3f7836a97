#!/usr/bin/env bash
# The controller watching the Kubernetes API (issue 12): against the stand-in API server
# (tests/support/kube_apiserver.py), it lists and watches the objects policy analysis reads,
# is ready only once they are listed, finds the four seed mistakes in the live objects, sees a
# fix within 2 s, relists when the history is compacted under it, follows a rotated token,
# skips a malformed object with a log line while the other findings stay, and (issue 13) says
# which policy denies a failing path, or that none does.
# Loopback only; the stand-in and the controller die with the test.
bin=${1:?usage: kube_controller_test.sh BUILD_BIN_DIR}
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../kube_lib.sh"
source "$(dirname "$0")/loopback_cluster.sh"
require curl jq yq openssl python3

data="$(cd "$(dirname "$0")" && pwd)/testdata/kube"
kube_start
kube_load "$data" >/dev/null

findings() { curl -fsS "$ctl/api/v1/findings"; }
finding() {  # finding CHECK NAMESPACE: the live findings hold one of that check in that namespace
  findings | jq -e --arg check "$1" --arg ns "$2" 'any(.findings[]; .check == $check and .namespace == $ns)' >/dev/null
}
no_finding() { ! finding "$@"; }
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$ctl/readyz")" = 200 ]; }
not_ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$ctl/readyz")" = 503 ]; }
logged() { grep -qF -- "$1" "$TEST_TMP/controller.log"; }
metric_at_least() { [ "$(metric "$ctl/metrics" "$1" 2>/dev/null || echo 0)" -ge "$2" ]; }
policy_json() {  # policy_json FILE NAME: one policy of the fixtures as JSON
  yq -c --arg name "$2" 'select(. != null and .metadata.name == $name)' "$data/$1"
}

write_controller_config "policy_analysis:
  metadata_severity: error"

# --- ready only after the first sync --------------------------------------------------------------
kube_throttle 1 networkpolicies 3  # the first list of policies waits 3 s (Retry-After)
"$bin/netprobe-controller" --listen "127.0.0.1:$ctl_port" --config "$TEST_TMP/controller.yaml" \
  --agent-token-file "$TEST_TMP/agent-token" --api-token-file "$TEST_TMP/api-token" \
  --kubeconfig "$KUBECONFIG_FILE" 2>>"$TEST_TMP/controller.log" &
ctl_pid=$!
TEST_PIDS+=("$ctl_pid")
wait_until 5 curl -fsS "$ctl/healthz" || { cat "$TEST_TMP/controller.log" >&2; exit 1; }
check "the log says which mode runs" logged '"msg":"kubernetes: watching the API"'
check "not ready while a resource is still to be listed" not_ready
check "netprobe_kubernetes_synced says which" metric_is "$ctl/metrics" 'netprobe_kubernetes_synced{resource="networkpolicies"}' 0
check "ready once every resource is listed (after the 429's Retry-After)" wait_until 10 ready
check "the 429 was counted" metric_is "$ctl/metrics" 'netprobe_kubernetes_request_errors_total{code="429",resource="networkpolicies"}' 1
check "the lists asked for pages" \
  [ "$(kube_requests '[.[] | select(.path | startswith("/api/v1/pods?limit=500"))] | length')" -ge 1 ]
check "then watched with bookmarks from the list's resourceVersion" \
  wait_until 5 kube_watching networkpolicies.networking.k8s.io

# --- the four mistakes, from the live objects -------------------------------------------------------
check "the analysis runs on the live objects" wait_until 5 bash -c "curl -fsS '$ctl/api/v1/findings' | jq -e '.source == \"kubernetes\" and .policies > 0 and .pods > 0' >/dev/null"
check "mistake 1: dns-egress-blocked in frontend" finding dns-egress-blocked frontend
check "mistake 2: selector-matches-nothing in payment (app: paymnet)" finding selector-matches-nothing payment
check "mistake 3: scrape-path-blocked in kube-system" finding scrape-path-blocked kube-system
check "mistake 4: metadata-blocked in payment" finding metadata-blocked payment
check "findings point at the live object" \
  bash -c "curl -fsS '$ctl/api/v1/findings' | jq -e 'any(.findings[]; .check == \"selector-matches-nothing\" and .source == \"networkpolicies/payment/payment-ingress\")' >/dev/null"

# --- a fix shows within 2 s ---------------------------------------------------------------------------
fixed=$(policy_json networkpolicies.yaml payment-ingress | jq -c '.spec.podSelector.matchLabels.app = "payment"')
start=$(now_ms)
kube_apply_json "$fixed" >/dev/null
check "the fixed selector: its finding is gone within 2 s" wait_until 2 no_finding selector-matches-nothing payment
log_elapsed=$(( $(now_ms) - start ))
echo "fix → findings: ${log_elapsed} ms"
check "the other findings stay" finding dns-egress-blocked frontend

# --- history compacted and every stream dropped: relist, then a new mistake found ------------------------
# The policies' watch is held back (a 429 on its way back) while the history moves on and is
# compacted, so it comes back with a resourceVersion the server no longer has.
check "the watches are open" wait_until 5 kube_watching networkpolicies.networking.k8s.io
kube_throttle 1 networkpolicies 2 >/dev/null
kube_drop_watches close >/dev/null
kube_apply_json "$(policy_json networkpolicies.yaml web-egress | jq -c '.metadata.labels.touched = "yes"')" >/dev/null
kube_compact >/dev/null
check "a watch from a compacted resourceVersion relists (410)" \
  wait_until 10 metric_at_least 'netprobe_kubernetes_relists_total{reason="expired",resource="networkpolicies"}' 1
check "the relist is logged" logged 'listing again (expired)'
broken=$(policy_json networkpolicies.yaml payment-ingress | jq -c '.spec.podSelector.matchLabels.app = "paymnet"')
kube_apply_json "$broken" >/dev/null
check "after the relist (backed off) a new mistake is found" wait_until 10 finding selector-matches-nothing payment

# --- the token file replaced: later requests carry the new token ----------------------------------------
old_token=$KUBE_TOKEN
kube_rotate_token
new_token=$KUBE_TOKEN
kube_drop_watches close >/dev/null  # the next requests go out now, not at the watches' timeout
carries_new_token() {
  [ "$(kube_requests "[.[] | select(.token == \"$new_token\" and .status == 200)] | length")" -ge 1 ]
}
check "after a 401 the token file is read again and the new token works" wait_until 10 carries_new_token
counted_401() { curl -fsS "$ctl/metrics" > "$TEST_TMP/metrics.txt" && grep -q '^netprobe_kubernetes_request_errors_total{code="401"' "$TEST_TMP/metrics.txt"; }
check "a 401 was counted" counted_401
check "still ready" ready
[ "$old_token" != "$new_token" ] || fail "the token did not change"

# --- a malformed object is skipped with a log line; every other finding stays -------------------------------
kube_apply_json '{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy",
  "metadata":{"name":"broken","namespace":"frontend"},
  "spec":{"podSelector":{"matchLabels":{"app":true}}}}' >/dev/null
check "the malformed policy is logged" wait_until 5 logged 'networkpolicies/frontend/broken: spec.podSelector.matchLabels.app: expected a string, found a boolean'
check "and counted" metric_at_least 'netprobe_kubernetes_objects_skipped_total{resource="networkpolicies"}' 1
check "every other finding stays" finding dns-egress-blocked frontend
check "the controller is still ready" ready

# --- a workload scaled to zero: its template stands for its pods -------------------------------------------
selects_nothing() {  # POLICY: a selector-matches-nothing finding names it
  findings | jq -e --arg policy "$1" 'any(.findings[]; .check == "selector-matches-nothing" and .policy == $policy)' >/dev/null
}
selects_something() { ! selects_nothing "$@"; }
kube_apply_json '{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "nightly-report", "namespace": "payment"},
  "spec": {"podSelector": {"matchLabels": {"app": "nightly-report"}}, "policyTypes": ["Ingress"]}}' >/dev/null
check "a policy for a workload that has no pod: it selects nothing" wait_until 5 selects_nothing nightly-report
# The 2 s below are from the event to the finding: the earlier token rotation and dropped watches may
# leave the Deployments watch still backing off, which is not what is measured.
check "the Deployments watch is open again" wait_until 15 kube_watching deployments.apps
kube_apply_json '{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nightly-report", "namespace": "payment"},
  "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "nightly-report"}},
           "template": {"metadata": {"labels": {"app": "nightly-report"}},
                        "spec": {"containers": [{"name": "report", "image": "registry.example/report:1"}]}}}}' >/dev/null
check "its Deployment, scaled to zero, is watched: the policy selects its template within 2 s" \
  wait_until 2 selects_something nightly-report
check "deployments are listed and watched" metric_is "$ctl/metrics" 'netprobe_kubernetes_synced{resource="deployments"}' 1

# --- discovery: what agents are handed ---------------------------------------------------------------------
# Agents are played by curl: their reports' replies carry the probes handed out. No probe runs here
# (the fixtures' addresses are data), so nothing is sent anywhere.
report_as() {  # report_as NODE: POSTs an empty report as that node's agent; the reply goes to $TEST_TMP/reply-NODE
  curl -fsS -X POST -H "$AGENT_AUTH" -H 'Content-Type: application/json' \
    --data-binary "{\"node\": \"$1\", \"namespace\": \"monitoring\", \"results\": []}" "$ctl/api/v1/reports" > "$TEST_TMP/reply-$1"
}
handed() { jq -e "$2" "$TEST_TMP/reply-$1" >/dev/null; }  # handed NODE JQ: the node's last reply satisfies JQ
discovery() { curl -fsS "$ctl/api/v1/discovery"; }
report_all() { for node in node-a node-x node-y node-z; do report_as "$node"; done; }
scrape_holders() {  # how many of the four agents were handed the scrape probe of TARGET
  local count=0 node
  for node in node-a node-x node-y node-z; do
    handed "$node" "any(.probes[]; .name == \"scrape\" and .target == \"$1\")" && count=$((count + 1))
  done
  echo "$count"
}
report_all
check "discovery is served" bash -c "curl -fsS '$ctl/api/v1/discovery' | jq -e '.enabled and .synced' >/dev/null"
check "every agent gets the kube-dns ClusterIP, UDP and TCP" \
  wait_until 5 bash -c "$(declare -f report_as handed); AGENT_AUTH='$AGENT_AUTH' TEST_TMP='$TEST_TMP' ctl='$ctl';
    report_as node-a && handed node-a 'any(.probes[]; .name == \"kube-dns-service\" and .servers == [\"10.96.0.10:53\"] and .transports == [\"udp\", \"tcp\"])'"  # not-a-destination: handed out, never probed here
check "and every ready CoreDNS endpoint, one server each, not the unready one" \
  handed node-a 'any(.probes[]; .name == "kube-dns-endpoints" and (.servers | sort) == ["10.244.0.2:53", "10.244.1.4:53"])'  # not-a-destination
check "no NodeLocal DNS probe while its pods do not run" handed node-a '[.probes[] | select(.name == "nodelocal-dns")] | length == 0'
sleep_until_assigned() { wait_until 5 bash -c "$(declare -f report_as handed scrape_holders report_all);
  AGENT_AUTH='$AGENT_AUTH' TEST_TMP='$TEST_TMP' ctl='$ctl'; report_all; [ \"\$(scrape_holders $1)\" = $2 ]"; }
check "the annotated kube-dns Service's ready endpoints are scrape targets, each for exactly scrape_agents (3) of 4 agents" \
  sleep_until_assigned 10.244.0.2:9153 3  # not-a-destination
check "the same for the second endpoint" [ "$(scrape_holders 10.244.1.4:9153)" = 3 ]  # not-a-destination
check "the unready CoreDNS pod is no scrape target" [ "$(scrape_holders 10.244.1.3:9153)" = 0 ]  # not-a-destination
check "/api/v1/discovery names the source and the agents" \
  bash -c "curl -fsS '$ctl/api/v1/discovery' | jq -e 'any(.probes[]; .probe.name == \"scrape\" and .source == \"Service kube-system/kube-dns\" and (.agents | length) == 3)
    and any(.probes[]; .probe.name == \"kube-dns-service\" and .agents == \"all\")' >/dev/null"

# Pods annotated for scraping: Running and Ready with an IP is handed out; no IP, or not Ready, never.
annotated_pod() {  # annotated_pod NAME IP READY PHASE
  jq -cn --arg name "$1" --arg ip "$2" --arg ready "$3" --arg phase "$4" '{apiVersion: "v1", kind: "Pod",
    metadata: {name: $name, namespace: "payment", labels: {app: "exporter"},
               annotations: {"prometheus.io/scrape": "true", "prometheus.io/port": "9100"}},
    spec: {nodeName: "node-a", containers: [{name: "exporter", image: "exporter", ports: [{containerPort: 9100}]}]},
    status: ({phase: $phase, conditions: [{type: "Ready", status: $ready}]} + (if $ip == "" then {} else {podIP: $ip} end))}'
}
kube_apply_json "$(annotated_pod exporter-ok 10.244.0.50 True Running)" >/dev/null  # not-a-destination
kube_apply_json "$(annotated_pod exporter-pending "" False Pending)" >/dev/null
kube_apply_json "$(annotated_pod exporter-unready 10.244.0.51 False Running)" >/dev/null  # not-a-destination
check "an annotated, Running, Ready pod is handed out to 3 agents" sleep_until_assigned 10.244.0.50:9100 3  # not-a-destination
check "one not Ready never is" [ "$(scrape_holders 10.244.0.51:9100)" = 0 ]  # not-a-destination
check "one without an IP never is" bash -c "! grep -q exporter-pending '$TEST_TMP'/reply-*; curl -fsS '$ctl/api/v1/discovery' | jq -e '[.probes[] | select(.source == \"Pod payment/exporter-pending\")] | length == 0' >/dev/null"

# NodeLocal DNSCache appears with its pods.
kube_apply_json '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "node-local-dns-abcde", "namespace": "kube-system",
  "labels": {"k8s-app": "node-local-dns"}}, "spec": {"nodeName": "node-a", "hostNetwork": true, "containers": [{"name": "node-cache", "image": "x"}]},
  "status": {"phase": "Running", "podIP": "10.0.0.1", "conditions": [{"type": "Ready", "status": "True"}]}}' >/dev/null  # not-a-destination
check "NodeLocal DNS is handed out once its pods run" \
  wait_until 5 bash -c "$(declare -f report_as handed); AGENT_AUTH='$AGENT_AUTH' TEST_TMP='$TEST_TMP' ctl='$ctl';
    report_as node-a && handed node-a 'any(.probes[]; .name == \"nodelocal-dns\" and .servers == [\"169.254.20.10:53\"])'"  # not-a-destination

# --- nodes without an agent -------------------------------------------------------------------------------
check "node-b, Ready and schedulable, has no agent: counted" wait_until 5 metric_is "$ctl/metrics" netprobe_nodes_without_agent 1
check "and named in /api/v1/status" bash -c "curl -fsS '$ctl/api/v1/status' | jq -e '.nodes_without_agent == [\"node-b\"]' >/dev/null"
report_as node-b
check "once its agent reports, it is not" wait_until 5 metric_is "$ctl/metrics" netprobe_nodes_without_agent 0

# --- prometheus-operator's monitors, once their CRDs are served -------------------------------------------
# The fixtures hold a ServiceMonitor (monitoring/coredns) the stand-in serves only after its CRD is installed.
source_of() {  # source_of TARGET: the discovery source of the scrape probe of TARGET
  curl -fsS "$ctl/api/v1/discovery" | jq -r --arg t "$1" '[.probes[] | select(.probe.name == "scrape" and .probe.target == $t) | .source] | first // ""'
}
source_is() { [ "$(source_of "$1")" = "$2" ]; }
check "before the CRD, the CoreDNS metrics target comes from the Service's annotation" \
  source_is 10.244.0.2:9153 "Service kube-system/kube-dns"  # not-a-destination
# Both CRDs at once: each absent resource is looked at again every minute, in step.
kube_apply_json '{"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor", "metadata": {"name": "payment", "namespace": "payment"},
  "spec": {"selector": {"matchLabels": {"app": "payment"}}, "podMetricsEndpoints": [{"port": "metrics"}]}}' >/dev/null
kube_install_crd servicemonitors >/dev/null
kube_install_crd podmonitors >/dev/null
check "once the ServiceMonitor CRD is installed, the target is the ServiceMonitor's (within its recheck minute)" \
  wait_until 75 source_is 10.244.0.2:9153 "ServiceMonitor monitoring/coredns"  # not-a-destination
check "the CRD appearing is logged" logged 'servicemonitors: now served (its CRD is installed)'
podmonitor_targets() {
  curl -fsS "$ctl/api/v1/discovery" | jq -r '[.probes[] | select(.source == "PodMonitor payment/payment") | .probe.target] | join(",")'
}
check "a PodMonitor's Ready pod is a scrape target on its named port, its Pending pod not" \
  wait_until 15 bash -c "$(declare -f podmonitor_targets); ctl='$ctl'; [ \"\$(podmonitor_targets)\" = 10.244.1.31:9090 ]"  # not-a-destination

# --- policy attribution: which policy denies a failing path, or that none does ----------------------------
# An agent in monitoring and a sentinel in frontend (whose default-deny-egress forgot DNS) report the DNS
# Service's ClusterIP timing out. Reports only: the addresses are model data, nothing is probed.
kube_apply_json '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "netprobe-agent-x7k2p", "namespace": "monitoring",
  "labels": {"app.kubernetes.io/name": "netprobe-agent"},
  "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "netprobe-agent", "uid": "d1", "controller": true}]},
  "spec": {"nodeName": "node-a", "containers": [{"name": "agent", "image": "netprobe:1"}]},
  "status": {"phase": "Running", "podIP": "10.244.0.50"}}' >/dev/null  # not-a-destination
kube_apply_json '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "netprobe-sentinel", "namespace": "frontend",
  "labels": {"app.kubernetes.io/name": "netprobe-sentinel"}},
  "spec": {"nodeName": "node-a", "containers": [{"name": "agent", "image": "netprobe:1"}]},
  "status": {"phase": "Running", "podIP": "10.244.0.51"}}' >/dev/null  # not-a-destination
dns_service=10.96.0.10:53  # not-a-destination: the fixtures' DNS Service, data in a report
sentinel_address=10.244.0.51:9743  # not-a-destination
agent_address=10.244.0.50:9743     # not-a-destination
report_dns_timeout() {  # report_dns_timeout NAMESPACE ADDRESS
  local now; now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  curl -fsS -X POST -H "$AGENT_AUTH" -H 'Content-Type: application/json' --data-binary "{\"node\": \"node-a\",
    \"namespace\": \"$1\", \"address\": \"$2\", \"results\": [{\"probe\": \"kube-dns-service\", \"type\": \"dns\",
    \"target\": \"$dns_service\", \"transport\": \"udp\", \"expect\": \"allow\", \"outcome\": \"timeout\",
    \"duration_seconds\": 2, \"detail\": \"no answer\", \"time\": \"$now\"}]}" "$ctl/api/v1/reports" >/dev/null
}
policy_of() {  # policy_of NAMESPACE: the policy object of node-a's failing DNS entry from that namespace
  curl -fsS "$ctl/api/v1/status" | jq -c --arg ns "$1" \
    '[.targets[] | select(.probe == "kube-dns-service") | .failing[] | select(.namespace == $ns) | .policy] | first'
}
attributed() {  # attributed NAMESPACE JQ: reports again, then the entry's policy object passes the filter
  report_dns_timeout "$1" "$2" && policy_of "$1" | jq -e "$3" >/dev/null
}
export -f report_dns_timeout policy_of attributed
export AGENT_AUTH ctl dns_service
check "the sentinel's failing DNS names its namespace's egress policy" wait_until 5 attributed frontend "$sentinel_address" \
  '.verdict == "denied" and .direction == "egress" and .policies == ["frontend/default-deny-egress"] and
   .reason == "egress of frontend/netprobe-sentinel is isolated by frontend/default-deny-egress; no egress rule admits kube-system/kube-dns on 53/UDP"'  # not-a-destination
check "the agent's, which the policies admit, is not a NetworkPolicy" wait_until 5 attributed monitoring "$agent_address" \
  '.verdict == "allowed" and (.reason | startswith("no NetworkPolicy blocks monitoring/netprobe-agent → kube-system/kube-dns on 53/UDP")) and
   .policies == ["kube-system/coredns-ingress"]'  # not-a-destination

check "the target's summary counts both" bash -c "curl -fsS '$ctl/api/v1/status' | jq -e '.targets[] | select(.probe == \"kube-dns-service\") | .policy.nodes_by_verdict == {\"denied\": 1, \"allowed\": 1}' >/dev/null"
check "and netprobe_target_policy_verdict says so" \
  metric_is "$ctl/metrics" 'netprobe_target_policy_verdict{probe="kube-dns-service",target="10.96.0.10:53",transport="udp",verdict="denied"}' 1  # not-a-destination
check "netprobe status prints the target's verdict (a tie: denied first)" bash -c \
  "'$bin/netprobe' status --controller '$ctl' | grep -qF 'policy: denied (egress): egress of frontend/netprobe-sentinel is isolated by frontend/default-deny-egress'"
kube_apply_json '{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "allow-dns", "namespace": "frontend"},
  "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]}}' >/dev/null
check "a fix to the policy is reflected: the same failure is no longer a policy's" wait_until 5 attributed frontend "$sentinel_address" \
  '.verdict == "allowed" and (.policies | index("frontend/allow-dns")) != null'

# --- derived deny probes: the typo's pod, handed to the agents as expect: deny --------------------------------
# payment/payment-ingress selects app: paymnet (nothing); app: payment would isolate payment's pods from
# monitoring. The agent above reports, so the probes are derived from its pod. Handed out, never probed here.
# Two more agents of monitoring report: the agents' namespace is the one most agents report from, not the
# sentinel's (which is never handed them).
report_as node-x
report_as node-y
derived_probe() {  # the derived-deny probe of payment-ingress, as /api/v1/discovery lists it
  curl -fsS "$ctl/api/v1/discovery" | jq -c '[.probes[] | select(.probe.name == "derived-deny" and .source == "NetworkPolicy payment/payment-ingress")] | first'
}
export -f derived_probe
check "the typo's pod is probed, expect deny, with why" wait_until 5 bash -c "derived_probe | jq -e '
  .probe.expect == \"deny\" and .probe.interval == \"1m\" and (.agents | length) >= 1 and
  (.reason | startswith(\"payment/payment-ingress is meant to isolate payment/payment (its podSelector app: paymnet matches nothing; app: payment would)\"))' >/dev/null"
check "derived from the reporting agent's pod" bash -c \
  "curl -fsS '$ctl/api/v1/discovery' | jq -e '.derived_from == \"monitoring/netprobe-agent-x7k2p\"' >/dev/null"
derived_target=$(derived_probe | jq -r .probe.target)
derived_runner=$(derived_probe | jq -r '.agents[0]')
report_as "$derived_runner"
check "an agent it is assigned to is handed it in the reply to its report" \
  handed "$derived_runner" "any(.probes[]; .name == \"derived-deny\" and .expect == \"deny\" and .target == \"$derived_target\")"
sentinel_reply() {  # what a sentinel of frontend on that node is handed
  curl -fsS -X POST -H "$AGENT_AUTH" -H 'Content-Type: application/json' \
    --data-binary "{\"node\": \"$derived_runner\", \"namespace\": \"frontend\", \"results\": []}" "$ctl/api/v1/reports"
}
check "a sentinel on that node is handed the DNS probes, never the agents' derived-deny or scrape ones" bash -c \
  "$(declare -f sentinel_reply); derived_runner=$derived_runner; sentinel_reply | jq -e '
   any(.probes[]; .name == \"kube-dns-service\") and all(.probes[]; .name != \"derived-deny\" and .name != \"scrape\")' >/dev/null"
check "netprobe_derived_probe_info names the policy" \
  metric_is "$ctl/metrics" "netprobe_derived_probe_info{namespace=\"payment\",pod=\"payment-58c7b9d7f-hb4lm\",policy=\"payment/payment-ingress\",probe=\"derived-deny\",target=\"$derived_target\"}" 1
report_derived_connected() {
  local now; now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  curl -fsS -X POST -H "$AGENT_AUTH" -H 'Content-Type: application/json' --data-binary "{\"node\": \"node-a\",
    \"namespace\": \"monitoring\", \"address\": \"$agent_address\", \"results\": [{\"probe\": \"derived-deny\", \"type\": \"tcp\",
    \"target\": \"$derived_target\", \"transport\": \"tcp\", \"expect\": \"deny\", \"outcome\": \"ok\",
    \"duration_seconds\": 0.001, \"detail\": \"connected\", \"time\": \"$now\"}]}" "$ctl/api/v1/reports" >/dev/null
}
report_derived_connected
check "when it connects, the failing entry tells the typo's story" wait_until 5 bash -c "curl -fsS '$ctl/api/v1/status' | jq -e '
  [.targets[] | select(.probe == \"derived-deny\") | .failing[0].policy] | first |
  .policies == [\"payment/payment-ingress\"] and (.reason | endswith(\", and monitoring reaches it on 8080/TCP now\"))' >/dev/null"

# --- it stops cleanly ---------------------------------------------------------------------------------------
stop_pid "$ctl_pid"
check "SIGTERM stops it with status 0" [ "$STOPPED_STATUS" -eq 0 ]
finish
