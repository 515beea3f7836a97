#!/usr/bin/env bash
# Every PromQL expression of the alert rules (manifests/alerts/netprobe.rules.yaml) and of the
# dashboard (manifests/dashboard/netprobe.json) against a real Prometheus (Debian `prometheus`)
# that scrapes a real netprobe-controller and two netprobe-agents, all on loopback:
#   - healthy: every expression evaluates without error; no alert expression returns a series;
#   - faults, all at once: the DNS server stops (kube-dns fails over UDP and TCP), a second DNS
#     server (unbound) comes back UDP-only (TCP fails, UDP answers), agent 2 stops (agent 1's
#     probe of its /metrics port is a blocked scrape path; agent 2 turns stale), a metadata
#     stand-in stops (unreachable), another never answers the IMDSv2 token PUT (token_timeout),
#     something listens where an expect: deny probe points (policy not enforced), and the
#     manifests under policy analysis turn into the broken lint fixtures (findings);
#   - the controller stops (controller absent).
# Each rule expression must return a series in one of these scenarios, each dashboard expression
# in the faults one, and every netprobe_* metric either file names must be one Prometheus has
# scraped. Expressions are read from Prometheus' /api/v1/rules (the rules file loaded as shipped)
# and with jq from the dashboard, so a new expression is covered without touching this test.
# Without the packages it skips (exit 77), unless run as root (scripts/packages/test.txt).
bin=${1:?usage: promql_test.sh BUILD_BIN_DIR}
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../integration/loopback_cluster.sh"
require dnsmasq unbound prometheus jq
prometheus=$(command -v prometheus)
unbound=$(command -v unbound)

root=$(cd "$(dirname "$0")/../.." && pwd)
rules=$root/manifests/alerts/netprobe.rules.yaml
dashboard=$root/manifests/dashboard/netprobe.json
lint_fixtures=$root/tests/integration/testdata/lint

free_port prom_port
prom=http://127.0.0.1:$prom_port
free_port unbound_port
free_port imds_port  # metadata stand-in that answers, then stops
free_port hop_port   # metadata stand-in that answers, then never answers the token PUT
free_port "agent_port[2]"  # agent 1 probes agent 2's /metrics: the scrape path

# --- servers -----------------------------------------------------------------------------------
# start_unbound yes|no: unbound on 127.0.0.1:$unbound_port, TCP on or off (UDP always on).
start_unbound() {
  mkdir -p "$TEST_TMP/unbound"
  cat > "$TEST_TMP/unbound/unbound.conf" <<CONF
server:
  verbosity: 1
  interface: 127.0.0.1
  port: $unbound_port
  interface-automatic: no
  do-ip4: yes
  do-ip6: no
  do-udp: yes
  do-tcp: $1
  do-daemonize: no
  chroot: ""
  username: ""
  pidfile: ""
  directory: "$TEST_TMP/unbound"
  use-syslog: no
  logfile: ""
  num-threads: 1
  so-reuseport: no
  module-config: "iterator"
  access-control: 127.0.0.0/8 allow
  local-zone: "cluster.local." static
  local-data: "kubernetes.default.svc.cluster.local. 60 IN A 10.96.0.1"  # not-a-destination: answer data
remote-control:
  control-enable: no
CONF
  "$unbound" -d -c "$TEST_TMP/unbound/unbound.conf" 2>>"$TEST_TMP/unbound.log" &
  unbound_pid=$!
  TEST_PIDS+=("$unbound_pid")
  wait_until 5 udp_listening "$unbound_port" || { echo "unbound did not start:" >&2; cat "$TEST_TMP/unbound.log" >&2; exit 1; }
}
udp_listening() { ss -Hulnp "sport = :$1" | grep -q .; }

# start_standin NAME PORT [OPTIONS]: a metadata-standin (also a plain TCP listener) on 127.0.0.1:PORT.
declare -A standin_pid
start_standin() {
  local name=$1 port=$2
  shift 2
  "$bin/metadata-standin" --listen "127.0.0.1:$port" "$@" 2>>"$TEST_TMP/standin-$name.log" &
  standin_pid[$name]=$!
  TEST_PIDS+=("${standin_pid[$name]}")
  wait_until 5 listening "$port" || { echo "metadata-standin $name did not start:" >&2; cat "$TEST_TMP/standin-$name.log" >&2; exit 1; }
}

cat > "$TEST_TMP/agent.yaml" <<YAML
interval: 1s
timeout: 500ms
probes:
  - name: kube-dns
    type: dns
    servers: ["127.0.0.1:$dns_port"]
    query: kubernetes.default.svc.cluster.local.
    transports: [udp, tcp]
  - name: node-local-dns
    type: dns
    servers: ["127.0.0.1:$unbound_port"]
    query: kubernetes.default.svc.cluster.local.
    transports: [udp, tcp]
  - name: scrape-agent-2
    type: http
    url: http://127.0.0.1:${agent_port[2]}/metrics
  - name: imds
    type: metadata
    address: 127.0.0.1:$imds_port
    flavor: aws
  - name: imds-hop
    type: metadata
    address: 127.0.0.1:$hop_port
    flavor: aws
  - name: payment-denied
    type: tcp
    target: 127.0.0.1:$closed_port
    expect: deny
YAML

# The controller lints what lies under policies/ every second: first the corrected fixtures.
mkdir -p "$TEST_TMP/policies"
cp "$lint_fixtures/workloads.yaml" "$TEST_TMP/policies/workloads.yaml"
cp "$lint_fixtures/fixed/policies.yaml" "$TEST_TMP/policies/policies.yaml"
write_controller_config "policy_analysis:
  paths: [\"$TEST_TMP/policies\"]
  interval: 1s
  monitoring_namespace: monitoring"

start_dns
start_unbound yes
start_standin imds "$imds_port"
start_standin hop "$hop_port"
start_controller
for n in 1 2; do start_agent "$n"; done

# --- Prometheus: the rules file as shipped; controller and agents scraped every second ----------
cat > "$TEST_TMP/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $rules
scrape_configs:
  - job_name: netprobe-controller
    honor_labels: true
    static_configs:
      - targets: ["127.0.0.1:$ctl_port"]
  - job_name: netprobe-agent
    static_configs:
      - targets: ["127.0.0.1:${agent_port[1]}", "127.0.0.1:${agent_port[2]}"]
YAML
"$prometheus" --config.file="$TEST_TMP/prometheus.yml" --storage.tsdb.path="$TEST_TMP/data" \
  --web.listen-address="127.0.0.1:$prom_port" 2>"$TEST_TMP/prometheus.log" &
TEST_PIDS+=($!)

# query EXPR: Prometheus' answer to the instant query (JSON); fails on an error (HTTP 4xx, 5xx).
query() { curl -fsS --get --data-urlencode "query=$1" "$prom/api/v1/query"; }
# series EXPR: how many series the expression returns now; fails when it does not evaluate.
series() {
  local answer
  answer=$(query "$1") || return 1
  jq -e '.status == "success"' <<< "$answer" >/dev/null || return 1
  jq -r '.data.result | if type == "array" then length else 1 end' <<< "$answer"
}
has_series() { local n; n=$(series "$1") && [ "$n" -gt 0 ]; }
evaluates() { series "$1" >/dev/null; }
value_is() { [ "$(query "$1" | jq -r '.data.result[0].value[1] // ""')" = "$2" ]; }

check "Prometheus is up" wait_until 20 curl -fsS "$prom/-/ready"
check "Prometheus loaded the rules file" wait_until 10 bash -c \
  "curl -fsS '$prom/api/v1/rules' | jq -e '[.data.groups[].rules[]] | length > 0' >/dev/null"
check "Prometheus scrapes the controller" wait_until 15 value_is 'up{job="netprobe-controller"}' 1
check "Prometheus scrapes both agents" wait_until 15 value_is 'sum(up{job="netprobe-agent"})' 2
check "2 agents reporting" wait_until 10 value_is 'max(netprobe_agents{state="reporting"})' 2
# 6 probes: kube-dns and node-local-dns over udp and tcp, 4 others: 8 checks on each node.
check "every check reported by both agents" wait_until 15 value_is \
  'sum(max by (probe, target, transport) (netprobe_target_nodes))' 16
check "healthy: nothing fails" wait_until 15 value_is 'sum(netprobe_target_failing_nodes)' 0
check "healthy: no policy finding (fixed fixtures)" wait_until 10 value_is 'max(netprobe_policy_analysis_successful)' 1

# --- the expressions -----------------------------------------------------------------------------
mapfile -t rule_names < <(curl -fsS "$prom/api/v1/rules" | jq -r '.data.groups[].rules[] | .name')
mapfile -t rule_exprs < <(curl -fsS "$prom/api/v1/rules" | jq -r '.data.groups[].rules[] | .query | gsub("\n"; " ")')
check "the rules file's alerts are loaded (${#rule_exprs[@]})" [ "${#rule_exprs[@]}" -ge 9 ]

# Grafana's variables become what "All" selects (allValue, else .*) and its built-in intervals a
# fixed range, so the panel queries reach Prometheus as Grafana would send them.
dashboard_queries() {
  jq -r '
    ([.templating.list[] | select(.type != "datasource") | {name, value: (.allValue // ".*")}]) as $vars
    | [.. | objects | select(has("expr")) | .expr]
    | map(reduce $vars[] as $v (.;
            gsub("\\$\\{" + $v.name + "(:[a-z]+)?\\}"; $v.value) | gsub("\\$" + $v.name + "\\b"; $v.value)))
    | map(gsub("\\$__rate_interval|\\$__interval|\\$__range"; "1m") | gsub("\n"; " "))
    | .[]' "$dashboard"
}
mapfile -t dashboard_exprs < <(dashboard_queries)
check "the dashboard has queries (${#dashboard_exprs[@]})" [ "${#dashboard_exprs[@]}" -ge 4 ]
check "no Grafana variable is left in a dashboard query" bash -c '! printf "%s\n" "$@" | grep -F "\$"' _ "${dashboard_exprs[@]}"
# label_values(METRIC, LABEL) variable queries: the metric must have series.
mapfile -t variable_metrics < <(jq -r '.templating.list[] | (.query.query? // .query) | strings
  | capture("label_values\\((?<m>[^,)]+)") | .m' "$dashboard")

declare -A rule_seen=()  # rule index -> the scenario in which it returned series

# evaluate_rules SCENARIO: every rule expression evaluates; note those that return series.
evaluate_rules() {
  local i n
  for i in "${!rule_exprs[@]}"; do
    if ! n=$(series "${rule_exprs[$i]}"); then
      fail "$1: rule ${rule_names[$i]} does not evaluate: ${rule_exprs[$i]}"
      continue
    fi
    if [ "$n" -gt 0 ] && [ -z "${rule_seen[$i]:-}" ]; then
      rule_seen[$i]=$1
      pass "$1: ${rule_names[$i]} returns $n series"
    fi
  done
}

evaluate_dashboard() {  # evaluate_dashboard SCENARIO
  local expr
  for expr in "${dashboard_exprs[@]}"; do check "$1: dashboard query evaluates: $expr" evaluates "$expr"; done
}

# Healthy: no alert expression returns a series.
for i in "${!rule_exprs[@]}"; do
  check "healthy: ${rule_names[$i]} returns no series" value_is "count(${rule_exprs[$i]}) or vector(0)" 0
done
evaluate_dashboard healthy
for metric in "${variable_metrics[@]}"; do check "dashboard variable: $metric has series" has_series "$metric"; done

# --- faults --------------------------------------------------------------------------------------
stop_dns                                                         # kube-dns: udp and tcp fail
stop_pid "$unbound_pid"; start_unbound no                        # node-local-dns: udp ok, tcp fails
stop_pid "${agent_pid[2]}"                                       # scrape-agent-2 blocked; node-2 stale
stop_pid "${standin_pid[imds]}"                                  # imds unreachable
stop_pid "${standin_pid[hop]}"; start_standin hop "$hop_port" --hang-token  # imds-hop: token_timeout
start_standin listener "$closed_port"                            # payment-denied connects
cp "$lint_fixtures/broken/policies.yaml" "$TEST_TMP/policies/policies.yaml"  # findings

failing_is() { value_is "max(netprobe_target_failing_nodes{probe=\"$1\",transport=\"$2\"})" 1; }
check "faults: kube-dns fails over udp" wait_until 15 failing_is kube-dns udp
check "faults: kube-dns fails over tcp" wait_until 15 failing_is kube-dns tcp
check "faults: node-local-dns fails over tcp" wait_until 15 failing_is node-local-dns tcp
check "faults: node-local-dns answers over udp" wait_until 10 value_is 'max(netprobe_target_failing_nodes{probe="node-local-dns",transport="udp"})' 0
check "faults: scrape-agent-2 fails" wait_until 15 failing_is scrape-agent-2 http
check "faults: imds fails" wait_until 15 failing_is imds http
check "faults: imds-hop token_timeout" wait_until 15 value_is 'max(netprobe_target_nodes{probe="imds-hop",outcome="token_timeout"})' 1
check "faults: payment-denied connects" wait_until 15 failing_is payment-denied tcp
check "faults: node-2 is stale" wait_until 15 value_is 'max(netprobe_agents{state="stale"})' 1
check "faults: policy findings" wait_until 15 has_series 'netprobe_policy_finding{severity="error"}'

evaluate_rules faults
evaluate_dashboard faults
for expr in "${dashboard_exprs[@]}"; do check "faults: dashboard query returns series: $expr" has_series "$expr"; done

# The alerts themselves: pending (for: 30s) or firing once their group has run (every 15s), with
# annotations whose template queries expanded.
active_alerts() { curl -fsS "$prom/api/v1/alerts" | jq -r '[.data.alerts[].labels.alertname] | unique | .[]'; }
# Alerts on metrics only the Kubernetes mode exports (this test's controller reads manifest files):
# their logic is held by promtool (manifests/alerts/netprobe.rules.test.yaml), their metric by
# tests/integration/kube_controller_test.sh.
kubernetes_only=(NetprobeNodesWithoutAgent)
kubernetes_only_metrics=(netprobe_nodes_without_agent netprobe_derived_probe_info)
is_kubernetes_only() { printf '%s\n' "${kubernetes_only[@]}" "${kubernetes_only_metrics[@]}" | grep -qx -- "$1"; }
all_active() {
  local name
  for name in "${rule_names[@]}"; do
    [ "$name" = NetprobeControllerAbsent ] && continue
    is_kubernetes_only "$name" && continue
    active_alerts | grep -qx "$name" || return 1
  done
}
check "faults: every alert but NetprobeControllerAbsent is pending or firing" wait_until 40 all_active
curl -fsS "$prom/api/v1/alerts" > "$TEST_TMP/alerts.json"  # to read with KEEP_TEST_TMP=1
for name in $(active_alerts); do
  annotations=$(curl -fsS "$prom/api/v1/alerts" | jq -c --arg a "$name" '[.data.alerts[] | select(.labels.alertname == $a) | .annotations]')
  check "faults: $name annotations expanded (no <no value>, no template error)" \
    bash -c '! grep -Eq "<no value>|error expanding|error executing" <<< "$1"' _ "$annotations"
done
check "faults: NetprobeDNSFailing names the failing count and the outcome" bash -c \
  "curl -fsS '$prom/api/v1/alerts' | jq -e '[.data.alerts[] | select(.labels.alertname == \"NetprobeDNSFailing\" and .labels.probe == \"kube-dns\")
     | .annotations | (.summary | test(\"fails from 1 of 1 nodes\")) and (.description | test(\"refused on 1 node\\\\(s\\\\), likely cause: no listener\"))] | any' >/dev/null"
check "faults: NetprobeAgentsStale names node-2" bash -c \
  "jq -e '[.data.alerts[] | select(.labels.alertname == \"NetprobeAgentsStale\") | .annotations.description
     | test(\"Silent the longest .*: node-2 \\\\(monitoring\\\\) [0-9.]+s ago\")] | any' '$TEST_TMP/alerts.json' >/dev/null"
check "faults: NetprobeDNSTCPFailing for node-local-dns over tcp" bash -c \
  "curl -fsS '$prom/api/v1/alerts' | jq -e '[.data.alerts[] | select(.labels.alertname == \"NetprobeDNSTCPFailing\")
     | .labels | .probe == \"node-local-dns\" and .transport == \"tcp\"] | any' >/dev/null"

# Every netprobe_* name in the rules (expressions and annotation queries) and in the dashboard is
# a metric Prometheus has scraped from the controller or the agents.
mapfile -t scraped < <(curl -fsS "$prom/api/v1/label/__name__/values" | jq -r '.data[]')
for metric in $(grep -ohE 'netprobe_[a-z0-9_]+' "$rules" "$dashboard" | sort -u); do
  is_kubernetes_only "$metric" && continue
  check "metric $metric is exported (scraped by Prometheus)" grep -qx -- "$metric" < <(printf '%s\n' "${scraped[@]}")
done

# --- the controller stops --------------------------------------------------------------------------
stop_pid "$ctl_pid"
check "controller down: up{job=\"netprobe-controller\"} = 0" wait_until 10 value_is 'up{job="netprobe-controller"}' 0
evaluate_rules "controller down"

for i in "${!rule_exprs[@]}"; do
  is_kubernetes_only "${rule_names[$i]}" && continue
  check "${rule_names[$i]} returned series in a scenario (${rule_seen[$i]:-none})" [ -n "${rule_seen[$i]:-}" ]
done

finish
