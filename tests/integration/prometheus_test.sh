#!/usr/bin/env bash
# The controller's two paging paths with the real servers from Debian, on loopback:
#   - Prometheus (package `prometheus`) scrapes the controller's /metrics every
#     second; when the DNS server (dnsmasq) stops, a PromQL query through
#     Prometheus' HTTP API returns the number of failing nodes;
#   - the controller pushes to Alertmanager (package `prometheus-alertmanager`):
#     NetprobeTargetFailing shows up in Alertmanager's /api/v2/alerts with the
#     probe, target and outcome labels after `for`, and resolves when the DNS
#     server is back.
# Without the packages it skips (exit 77), unless run as root, where
# scripts/packages/test.txt must have installed them.
bin=${1:?usage: prometheus_test.sh BUILD_BIN_DIR}
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/loopback_cluster.sh"
require dnsmasq prometheus "prometheus-alertmanager|alertmanager"
prometheus=$(command -v prometheus)
alertmanager=$(command -v prometheus-alertmanager || command -v alertmanager)  # Debian: prometheus-alertmanager

free_port prom_port
free_port am_port
prom=http://127.0.0.1:$prom_port
am=http://127.0.0.1:$am_port

# --- Alertmanager: one receiver that sends nowhere, clustering off -------------------
cat > "$TEST_TMP/alertmanager.yml" <<YAML
route:
  receiver: nowhere
  group_wait: 1s
receivers:
  - name: nowhere
YAML
"$alertmanager" --config.file="$TEST_TMP/alertmanager.yml" --storage.path="$TEST_TMP/am" \
  --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= 2>"$TEST_TMP/alertmanager.log" &
TEST_PIDS+=($!)

start_dns
write_controller_config "alertmanager: {urls: [\"$am\"], for: 2s, min_failing_nodes: 1}"
start_controller
for n in 1 2; do start_agent "$n"; done

# --- Prometheus scraping the controller every second --------------------------------
cat > "$TEST_TMP/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: netprobe-controller
    static_configs:
      - targets: ["127.0.0.1:$ctl_port"]
YAML
"$prometheus" --config.file="$TEST_TMP/prometheus.yml" --storage.tsdb.path="$TEST_TMP/data" \
  --web.listen-address="127.0.0.1:$prom_port" 2>"$TEST_TMP/prometheus.log" &
TEST_PIDS+=($!)

# promql QUERY: the value of the query's first sample ("" when there is none).
promql() {
  curl -fsS --get --data-urlencode "query=$1" "$prom/api/v1/query" | jq -r '.data.result[0].value[1] // ""'
}
promql_is() { [ "$(promql "$1")" = "$2" ]; }
failing='max(netprobe_target_failing_nodes{probe="kube-dns"})'

check "Alertmanager is up" wait_until 15 curl -fsS "$am/-/ready"
check "Prometheus is up" wait_until 15 curl -fsS "$prom/-/ready"
check "Prometheus scrapes the controller" wait_until 15 promql_is 'up{job="netprobe-controller"}' 1
check "PromQL: 2 agents reporting" wait_until 10 promql_is 'netprobe_agents{state="reporting"}' 2
check "PromQL: DNS fails on 0 nodes" wait_until 5 promql_is "$failing" 0

# --- the DNS server stops --------------------------------------------------------------
stop_dns
start=$(now_ms)
check "the controller sees 2 failing nodes" wait_until 10 dns_failing_is 2
wait_until 10 promql_is "$failing" 2
elapsed=$(( $(now_ms) - start ))
check "PromQL through Prometheus: $failing = 2 after ${elapsed} ms" promql_is "$failing" 2
check "PromQL: by outcome, both nodes refused over udp" wait_until 5 \
  promql_is 'sum(netprobe_target_nodes{probe="kube-dns",transport="udp",outcome="refused"})' 2

# alert_labels: the labels of active NetprobeTargetFailing alerts for kube-dns, one JSON line each.
alert_labels() {
  curl -fsS "$am/api/v2/alerts?active=true" |
    jq -c '[.[] | select(.labels.alertname == "NetprobeTargetFailing" and .labels.probe == "kube-dns")
            | .labels | {probe, target, transport, outcome, severity}] | sort_by(.transport)'
}
alerts_are() { [ "$(alert_labels)" = "$1" ]; }
expected='[{"probe":"kube-dns","target":"127.0.0.1:'"$dns_port"'","transport":"tcp","outcome":"refused","severity":"critical"},'
expected+='{"probe":"kube-dns","target":"127.0.0.1:'"$dns_port"'","transport":"udp","outcome":"refused","severity":"critical"}]'
wait_until 15 alerts_are "$expected"
elapsed=$(( $(now_ms) - start ))
check "Alertmanager has NetprobeTargetFailing (probe, target, outcome) after ${elapsed} ms (for: 2s)" alerts_are "$expected"
check "not before 'for' has passed" [ "$elapsed" -ge 2000 ]
check "the summary names the failing count" bash -c "curl -fsS '$am/api/v2/alerts?active=true' |
  jq -e '[.[] | select(.labels.probe == \"kube-dns\") | .annotations.summary | contains(\"from 2 of 2 nodes\")] | all' >/dev/null"
check "the description names the nodes and the likely cause" bash -c "curl -fsS '$am/api/v2/alerts?active=true' |
  jq -e '[.[] | select(.labels.probe == \"kube-dns\") | .annotations.description | contains(\"node-1 (refused)\") and contains(\"Likely cause\")] | all' >/dev/null"
notifications_succeeded() {
  awk -v n="$(metric "$ctl/metrics" 'netprobe_alertmanager_notifications_total{result="success"}')" 'BEGIN { exit !(n > 0) }'
}
check "netprobe_alertmanager_notifications_total{result=\"success\"} > 0" notifications_succeeded
check "no failed notification" metric_is "$ctl/metrics" 'netprobe_alertmanager_notifications_total{result="failure"}' 0

# --- the DNS server is back: the alert resolves ------------------------------------------
start_dns
start=$(now_ms)
wait_until 15 alerts_are '[]'
elapsed=$(( $(now_ms) - start ))
# The controller leases a firing alert for 4 x resend_interval (minutes): gone within
# seconds means it sent the resolution (endsAt = now).
check "the alert resolves in Alertmanager after ${elapsed} ms" alerts_are '[]'
check "and is gone from the whole list (endsAt passed)" bash -c \
  "curl -fsS '$am/api/v2/alerts' | jq -e '[.[] | select(.labels.probe == \"kube-dns\")] | length == 0' >/dev/null"
check "PromQL: DNS fails on 0 nodes again" wait_until 10 promql_is "$failing" 0

finish
