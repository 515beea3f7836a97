#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Policy attribution end to end, in the simulated cluster of seed_cluster.sh (each pod a network namespace,
# nftables rules in them as the CNI), with one more pod: ledger/ledger-0 (10.244.5.2), whose "CNI" ignores  # netns-only
# NetworkPolicy.
#
# The four mistakes of the weekend's rollout, each named by the failing status entry: (1) frontend's
# default-deny forgot DNS → the sentinel's DNS, denied egress by frontend/default-deny-egress; (2) the
# payment-ingress typo (app: paymnet) → a derived deny probe connects, told as the typo; (3) shop's
# web-ingress admits only frontend → the scrape probe, denied ingress; (4) monitoring's egress except
# 169.254.169.254 → the metadata probe, denied egress. Then a drop with no policy behind it (on the  # netns-only
# node) → allowed; the ledger, isolated on paper but not enforced → its derived deny probe connects
# and pages; and the alerts in Alertmanager carry the explanation.
bin=${1:?usage: attribution_test.sh BUILD_BIN_DIR}
SEED_BIN=$bin
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=netns.sh
source "$(dirname "$0")/netns.sh"
dnsmasq=/usr/sbin/dnsmasq  # what seed_cluster.sh runs
alertmanager=$(command -v prometheus-alertmanager || command -v alertmanager || true)
netns_require "$dnsmasq" curl python3 openssl yq
[ -n "$alertmanager" ] || { echo "skipped: needs prometheus-alertmanager"; exit 77; }
# shellcheck source=seed_cluster.sh
source "$(dirname "$0")/seed_cluster.sh"

agent_ip=$SEED_AGENT_IP dns_ip=$SEED_DNS_IP payment_ip=$SEED_PAYMENT_IP web_ip=$SEED_WEB_IP
metadata_ip=$SEED_METADATA_IP dns_service_ip=$SEED_DNS_SERVICE_IP
ledger_ip=10.244.5.2  # netns-only
seed_network ledger 5
seed_servers || { fail "the pods' servers came up"; finish; exit 1; }
ns_start ledger "$TEST_TMP/ledger.log" "$bin/metadata-standin" --listen "$ledger_ip:8080"
wait_until 10 ns_listening ledger tcp 8080 || { fail "the ledger came up"; finish; exit 1; }
seed_api || { fail "Alertmanager came up"; finish; exit 1; }

# The cluster as the API holds it, with the four mistakes of the weekend's rollout, and the ledger:
# isolated by ledger/default-deny-ingress, but this node's CNI ignores NetworkPolicy, so no rule.
{
  seed_objects
  seed_namespace_yaml ledger
  seed_pod_yaml ledger ledger-0 "$ledger_ip" '{app: ledger}' "" "" 8080
  cat <<'YAML'
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-ingress, namespace: ledger}
spec: {podSelector: {}, policyTypes: [Ingress]}
YAML
} > "$TEST_TMP/cluster.yaml"
kube_load "$TEST_TMP/cluster.yaml" >/dev/null
seed_mistake_dns
seed_mistake_typo
seed_mistake_scrape
seed_mistake_metadata

# --- the controller, an agent and a sentinel --------------------------------------------------------------
# the controller is at $SEED_CTL
am=$SEED_AM
cat > "$TEST_TMP/controller.yaml" <<YAML
stale_after: 5
adhoc: {allow_cidrs: ["127.0.0.0/8"]}
alertmanager: {urls: ["$am"], for: 2s, min_failing_nodes: 1}
discovery: {scrape_agents: 1, interval: 2s, timeout: 500ms, scrape_interval: 30s, derived_interval: 30s, nodelocal_dns: ""}
YAML
seed_controller "$TEST_TMP/controller.yaml" || { fail "the controller synced"; cat "$TEST_TMP/controller.log" >&2; finish; exit 1; }
ctl_get() { seed_ctl_get "$@"; }
seed_agents

# entry PROBE TARGET TRANSPORT NAMESPACE: the failing entry's policy object, or null.
entry() {
  ctl_get /api/v1/status | jq -c --arg p "$1" --arg t "$2" --arg tr "$3" --arg ns "$4" \
    '[.targets[] | select(.probe == $p and .target == $t and .transport == $tr) | .failing[] | select(.namespace == $ns) | .policy] | first'
}
# attributed PROBE TARGET TRANSPORT NAMESPACE JQ: that entry's policy passes the filter.
attributed() { entry "$1" "$2" "$3" "$4" | jq -e "$5" >/dev/null; }
show() { echo "  $(entry "$@")"; }

echo "# 1. frontend's default-deny forgot DNS: the sentinel's DNS"
check "the sentinel's DNS to the Service is denied, egress, by frontend/default-deny-egress" wait_until 20 attributed \
  kube-dns-service "$dns_service_ip:53" udp frontend \
  '.verdict == "denied" and .direction == "egress" and (.policies | index("frontend/default-deny-egress")) != null and
   (.reason | startswith("egress of frontend/netprobe-sentinel is isolated by"))'
show kube-dns-service "$dns_service_ip:53" udp frontend
check "and to the CoreDNS pod itself" wait_until 10 attributed kube-dns-endpoints "$dns_ip:53" udp frontend \
  '.verdict == "denied" and .direction == "egress"'
check "the agent's DNS works (nothing failing from monitoring)" \
  [ "$(entry kube-dns-service "$dns_service_ip:53" udp monitoring)" = null ]

echo "# 4. monitoring's egress except blocks the metadata endpoint"
check "the agent's metadata probe is denied, egress, by monitoring/agent-egress" wait_until 10 attributed \
  metadata "$metadata_ip:80" tcp monitoring \
  '.verdict == "denied" and .direction == "egress" and .policies == ["monitoring/agent-egress"]'
show metadata "$metadata_ip:80" tcp monitoring

echo "# 3. shop's web-ingress admits only frontend: the scrape path from monitoring"
check "the scrape probe of web-0 is denied, ingress, by shop/web-ingress" wait_until 45 attributed \
  scrape "$web_ip:8080" tcp monitoring \
  '.verdict == "denied" and .direction == "ingress" and .policies == ["shop/web-ingress"]'
show scrape "$web_ip:8080" tcp monitoring

echo "# 2. the payment-ingress typo: a derived deny probe connects"
derived() {  # derived TARGET: the derived-deny probe of that target, as /api/v1/discovery lists it
  ctl_get /api/v1/discovery | jq -c --arg t "$1" '[.probes[] | select(.probe.name == "derived-deny" and .probe.target == $t)] | first'
}
derived_is() { derived "$1" | jq -e "$2" >/dev/null; }
check "payment-0 is probed, expect deny, because of the typo" wait_until 10 derived_is "$payment_ip:8080" \
  '.source == "NetworkPolicy payment/payment-ingress" and .probe.expect == "deny" and
   (.reason | contains("app: paymnet matches nothing; app: payment would"))'

check "the scrape target is not also a derived deny target" [ "$(derived "$web_ip:8080")" = null ]
check "it connects (within derived_interval) and the entry tells the typo's story" wait_until 45 attributed \
  derived-deny "$payment_ip:8080" tcp monitoring \
  '.policies == ["payment/payment-ingress"] and .direction == "ingress" and
   .reason == "payment/payment-ingress is meant to isolate payment/payment-0 (its podSelector app: paymnet matches nothing; app: payment would), and monitoring reaches it on 8080/TCP now"'
show derived-deny "$payment_ip:8080" tcp monitoring

echo "# the ledger's CNI ignores NetworkPolicy: its derived deny probe connects"
check "ledger-0 is probed, expect deny, isolated by ledger/default-deny-ingress" derived_is "$ledger_ip:8080" \
  '.source == "NetworkPolicy ledger/default-deny-ingress"' 
check "it connects: denied in the model, yet it got through" wait_until 45 attributed \
  derived-deny "$ledger_ip:8080" tcp monitoring \
  '.verdict == "denied" and .direction == "ingress" and .policies == ["ledger/default-deny-ingress"] and
   (.reason | endswith("yet it got through (ok): the policy is not enforced on this path (does the CNI enforce NetworkPolicy?)"))'
show derived-deny "$ledger_ip:8080" tcp monitoring

echo "# a drop on the node, with no policy behind it"
reaches_metrics() { ctl_get /api/v1/status | jq -e '.targets[] | select(.probe == "coredns-metrics") | .failing == []' >/dev/null; }
check "before it, the agent reaches CoreDNS's metrics port" wait_until 10 reaches_metrics
fw_rule node forward ip saddr "$agent_ip" ip daddr "$dns_ip" tcp dport 9153 drop
check "then it times out, and no policy explains it: allowed" wait_until 20 attributed \
  coredns-metrics "$dns_ip:9153" tcp monitoring \
  '.verdict == "allowed" and (.reason | endswith("look at the CNI, the node, DNS or the app"))'
show coredns-metrics "$dns_ip:9153" tcp monitoring

echo "# the pages: Alertmanager's alerts carry the explanation"
am_alert() {  # am_alert PROBE TARGET TRANSPORT: the annotations of that NetprobeTargetFailing alert in Alertmanager
  in_ns ctl curl -fsS "$am/api/v2/alerts" | jq -c --arg p "$1" --arg t "$2" --arg tr "$3" \
    '[.[] | select(.labels.alertname == "NetprobeTargetFailing" and .labels.probe == $p and .labels.target == $t and .labels.transport == $tr) | .annotations] | first'
}
paged() { am_alert "$1" "$2" "$3" | jq -e "$4" >/dev/null; }
check "the sentinel's DNS page names frontend/default-deny-egress" wait_until 15 paged \
  kube-dns-service "$dns_service_ip:53" udp '(.policies | contains("frontend/default-deny-egress"))'
check "the typo's page says payment-ingress is meant to isolate payment-0" wait_until 15 paged \
  derived-deny "$payment_ip:8080" tcp '.policies == "payment/payment-ingress" and (.policy | endswith("and monitoring reaches it on 8080/TCP now"))'
check "the ignoring CNI's page: denied, not enforced" wait_until 15 paged \
  derived-deny "$ledger_ip:8080" tcp '.policy_verdict == "denied" and (.policy | contains("the policy is not enforced on this path"))'
check "the node's drop pages as not a policy" wait_until 15 paged \
  coredns-metrics "$dns_ip:9153" tcp '.policy_verdict == "allowed" and (.policy | startswith("no NetworkPolicy blocks"))'
echo "  $(am_alert derived-deny "$payment_ip:8080" tcp)"

finish
