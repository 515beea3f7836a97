#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Policy attribution end to end (issue 13), in real network namespaces: each pod is a namespace whose
# address is its pod IP in the stand-in Kubernetes API, and nftables rules in it enforce what the
# NetworkPolicies say of it, as a CNI would, except on the ledger pod, whose "CNI" ignores them.
#
#   ctl ns (stand-in API, Alertmanager, controller) ─┐
#   agent ns (monitoring/netprobe-agent-a, node-a) ──┤
#   sentinel ns (frontend/netprobe-sentinel) ────────┤
#   dns ns (kube-system/coredns-0: dnsmasq) ─────────┼── node ns (routes; DNATs the kube-dns ClusterIP
#   payment ns (payment/payment-0: :8080) ───────────┤            to the CoreDNS pod, as kube-proxy)
#   ledger ns (ledger/ledger-0: :8080) ──────────────┤
#   web ns (shop/web-0: :8080, scraped) ─────────────┤
#   metadata ns (169.254.169.254: metadata stand-in) ┘  # netns-only
#
# The four mistakes of the weekend's rollout, each named by the failing status entry: (1) frontend's
# default-deny forgot DNS → the sentinel's DNS, denied egress by frontend/default-deny-egress; (2) the
# payment-ingress typo (app: paymnet) → a derived deny probe connects, told as the typo; (3) shop's
# web-ingress admits only frontend → the scrape probe, denied ingress; (4) monitoring's egress except
# 169.254.169.254 → the metadata probe, denied egress. Then a drop with no policy behind it (on the  # netns-only
# node) → allowed; the ledger, isolated on paper but not enforced → its derived deny probe connects
# and pages; and the alerts in Alertmanager carry the explanation.
bin=${1:?usage: attribution_test.sh BUILD_BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=netns.sh
source "$(dirname "$0")/netns.sh"
dnsmasq=/usr/sbin/dnsmasq
alertmanager=$(command -v prometheus-alertmanager || command -v alertmanager || true)
netns_require "$dnsmasq" curl python3 openssl yq
[ -n "$alertmanager" ] || { echo "skipped: needs prometheus-alertmanager"; exit 77; }

# Every address below exists only inside these namespaces.
ctl_ip=10.244.9.2 agent_ip=10.244.1.2 sentinel_ip=10.244.2.2 dns_ip=10.244.3.2  # netns-only
payment_ip=10.244.4.2 ledger_ip=10.244.5.2 web_ip=10.244.6.2                       # netns-only
metadata_ip=169.254.169.254 dns_service_ip=10.96.0.10                             # netns-only

ns_create node ctl agent sentinel dns payment ledger web metadata
link_pod() {  # link_pod NAME N: NAME is 10.244.N.2, behind the node's 10.244.N.1
  ns_link node "10.244.$2.1/24" "$1" "10.244.$2.2/24"  # netns-only
  ns_route "$1" via "10.244.$2.1"                      # netns-only
}
link_pod ctl 9
link_pod agent 1
link_pod sentinel 2
link_pod dns 3
link_pod payment 4
link_pod ledger 5
link_pod web 6
ns_link node 169.254.169.1/24 metadata "$metadata_ip/24"  # netns-only
ns_route metadata via 169.254.169.1                       # netns-only
ns_forwarding node
for pod in node agent sentinel dns payment ledger web; do fw_reset "$pod"; done
# kube-proxy's part: the DNS Service's ClusterIP is the CoreDNS pod.
in_ns node nft -f - <<NFT
table ip netprobe_e2e_nat {
  chain prerouting { type nat hook prerouting priority dstnat; policy accept;
    ip daddr $dns_service_ip udp dport 53 dnat to $dns_ip
    ip daddr $dns_service_ip tcp dport 53 dnat to $dns_ip
  }
}
NFT

# What the policies say, enforced in the pods' own namespaces (input = ingress, output = egress).
# frontend/default-deny-egress + allow-report: the sentinel reaches the controller, nothing else.
fw_rule sentinel output ct state established,related accept
fw_rule sentinel output ip daddr "$ctl_ip" tcp dport 9742 accept
fw_rule sentinel output drop
# shop/web-ingress: only frontend reaches web on 8080.
fw_rule web input ip saddr "$sentinel_ip" tcp dport 8080 accept
fw_rule web input tcp dport 8080 drop
# monitoring/agent-egress: everything but the metadata endpoint.
fw_rule agent output ip daddr "$metadata_ip" drop
# payment/payment-ingress selects nothing (the typo), so nothing is enforced on payment-0: as written.
# ledger/default-deny-ingress isolates ledger-0, but this node's CNI ignores NetworkPolicy: no rule.

# --- the pods' processes ---------------------------------------------------------------------------------
ns_start dns "$TEST_TMP/dnsmasq.log" "$dnsmasq" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
  --pid-file= --user=root --log-facility=- --bind-interfaces --listen-address="$dns_ip" --port 53 \
  --address=/kubernetes.default.svc.cluster.local/10.96.0.1  # netns-only: answer data
# Any TCP listener will do for the apps; the metadata stand-in is one.
ns_start payment "$TEST_TMP/payment.log" "$bin/metadata-standin" --listen "$payment_ip:8080"
ns_start ledger "$TEST_TMP/ledger.log" "$bin/metadata-standin" --listen "$ledger_ip:8080"
ns_start web "$TEST_TMP/web.log" "$bin/metadata-standin" --listen "$web_ip:8080"
ns_start dns "$TEST_TMP/dns-metrics.log" "$bin/metadata-standin" --listen "$dns_ip:9153"  # CoreDNS's metrics port
ns_start metadata "$TEST_TMP/metadata.log" "$bin/metadata-standin" --listen "$metadata_ip:80"
servers_up() {
  ns_listening dns udp 53 && ns_listening dns tcp 9153 && ns_listening payment tcp 8080 && ns_listening ledger tcp 8080 &&
    ns_listening web tcp 8080 && ns_listening metadata tcp 80
}
wait_until 10 servers_up || { fail "the pods' servers came up"; finish; exit 1; }

# The stand-in API server and Alertmanager on the controller pod's loopback.
KUBE_EXEC=(ip netns exec "$(ns ctl)")
# shellcheck source=../kube_lib.sh
source "$(dirname "$0")/../kube_lib.sh"
# shellcheck disable=SC2119 # no server flags
kube_start
free_port am_port
cat > "$TEST_TMP/alertmanager.yml" <<'YAML'
route: {receiver: nowhere, group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
receivers: [{name: nowhere}]
YAML
# shellcheck disable=SC2154 # free_port set am_port
am=http://127.0.0.1:$am_port
"${KUBE_EXEC[@]}" "$alertmanager" --config.file="$TEST_TMP/alertmanager.yml" --storage.path="$TEST_TMP/am" \
  --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= 2>"$TEST_TMP/alertmanager.log" &
TEST_PIDS+=("$!")
wait_until 15 in_ns ctl curl -fsS "$am/-/ready" >/dev/null || { fail "Alertmanager came up"; finish; exit 1; }

# --- the cluster as the API holds it --------------------------------------------------------------------
pod_yaml() {  # pod_yaml NAMESPACE NAME IP LABELS [OWNER_KIND OWNER] [PORT] [ANNOTATIONS] (flow YAML maps)
  local ports='[]' owners='[]' annotations='{}'
  [ -z "${8:-}" ] || annotations=$8
  [ -z "${6:-}" ] || owners="[{apiVersion: apps/v1, kind: $5, name: $6, uid: u-$2, controller: true}]"
  [ -z "${7:-}" ] || ports="[{containerPort: $7, protocol: TCP}]"
  cat <<YAML
---
apiVersion: v1
kind: Pod
metadata: {name: $2, namespace: $1, labels: $4, annotations: $annotations, ownerReferences: $owners}
spec: {nodeName: node-a, containers: [{name: main, image: "example/main:1", ports: $ports}]}
status: {phase: Running, podIP: $3, conditions: [{type: Ready, status: "True"}]}
YAML
}
{
  for name in monitoring frontend kube-system payment ledger shop; do
    printf -- '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: %s, labels: {kubernetes.io/metadata.name: %s}}\n' "$name" "$name"
  done
  cat <<'YAML'
---
apiVersion: v1
kind: Node
metadata: {name: node-a, labels: {kubernetes.io/hostname: node-a}}
status: {conditions: [{type: Ready, status: "True"}]}
YAML
  pod_yaml monitoring netprobe-agent-a "$agent_ip" '{app.kubernetes.io/name: netprobe-agent}' DaemonSet netprobe-agent
  pod_yaml monitoring netprobe-controller-0 "$ctl_ip" '{app.kubernetes.io/name: netprobe-controller}' "" "" 9742
  pod_yaml frontend netprobe-sentinel "$sentinel_ip" '{app.kubernetes.io/name: netprobe-sentinel}'
  pod_yaml kube-system coredns-0 "$dns_ip" '{k8s-app: kube-dns}' "" "" 9153
  pod_yaml payment payment-0 "$payment_ip" '{app: payment}' "" "" 8080
  pod_yaml ledger ledger-0 "$ledger_ip" '{app: ledger}' "" "" 8080
  pod_yaml shop web-0 "$web_ip" '{app: web}' "" "" 8080 '{prometheus.io/scrape: "true", prometheus.io/port: "8080"}'
  cat <<YAML
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: $dns_service_ip
  clusterIPs: [$dns_service_ip]
  selector: {k8s-app: kube-dns}
  ports: [{name: dns, port: 53, protocol: UDP, targetPort: 53}, {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: kube-dns-a, namespace: kube-system, labels: {kubernetes.io/service-name: kube-dns}}
addressType: IPv4
endpoints: [{addresses: [$dns_ip], conditions: {ready: true, serving: true, terminating: false}, nodeName: node-a,
             targetRef: {kind: Pod, name: coredns-0, namespace: kube-system}}]
ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53, protocol: TCP}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-egress, namespace: frontend}
spec: {podSelector: {}, policyTypes: [Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-report, namespace: frontend}
spec:
  podSelector: {matchLabels: {app.kubernetes.io/name: netprobe-sentinel}}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}},
                  podSelector: {matchLabels: {app.kubernetes.io/name: netprobe-controller}}}],
            ports: [{port: 9742, protocol: TCP}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: payment-ingress, namespace: payment}
spec:
  podSelector: {matchLabels: {app: paymnet}}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: frontend}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-ingress, namespace: ledger}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: frontend}}}], ports: [{port: 8080}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: agent-egress, namespace: monitoring}
spec:
  podSelector: {matchLabels: {app.kubernetes.io/name: netprobe-agent}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}}]
  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [$metadata_ip/32]}}]
YAML
} > "$TEST_TMP/cluster.yaml"
kube_load "$TEST_TMP/cluster.yaml" >/dev/null

# --- the controller, an agent and a sentinel --------------------------------------------------------------
echo "agent-t0ken" > "$TEST_TMP/agent-token"
echo "api-t0ken" > "$TEST_TMP/api-token"
ctl=http://$ctl_ip:9742
cat > "$TEST_TMP/controller.yaml" <<YAML
stale_after: 5
adhoc: {allow_cidrs: ["127.0.0.0/8"]}
alertmanager: {urls: ["$am"], for: 2s, min_failing_nodes: 1}
discovery: {scrape_agents: 1, interval: 2s, timeout: 500ms, scrape_interval: 30s, derived_interval: 30s, nodelocal_dns: ""}
YAML
"${KUBE_EXEC[@]}" "$bin/netprobe-controller" --listen "$ctl_ip:9742" --config "$TEST_TMP/controller.yaml" \
  --agent-token-file "$TEST_TMP/agent-token" --api-token-file "$TEST_TMP/api-token" \
  --kubeconfig "$KUBECONFIG_FILE" 2>>"$TEST_TMP/controller.log" &
TEST_PIDS+=("$!")
ctl_get() { in_ns ctl curl -fsS "$ctl$1"; }
wait_until 15 ctl_get /readyz >/dev/null || { fail "the controller synced"; cat "$TEST_TMP/controller.log" >&2; finish; exit 1; }

cat > "$TEST_TMP/agent.yaml" <<YAML
interval: 1s
timeout: 500ms
probes:
  - name: metadata
    type: metadata
    address: $metadata_ip:80
    flavor: tcp
  - name: coredns-metrics
    type: tcp
    target: $dns_ip:9153
YAML
printf 'interval: 1s\ntimeout: 500ms\nprobes: []\n' > "$TEST_TMP/sentinel.yaml"
ns_start agent "$TEST_TMP/agent.log" "$bin/netprobe-agent" --listen "$agent_ip:9743" --advertise "$agent_ip:9743" \
  --node node-a --namespace monitoring --token-file "$TEST_TMP/agent-token" --controller "$ctl" --config "$TEST_TMP/agent.yaml"
ns_start sentinel "$TEST_TMP/sentinel.log" "$bin/netprobe-agent" --listen "$sentinel_ip:9743" --advertise "$sentinel_ip:9743" \
  --node node-a --namespace frontend --token-file "$TEST_TMP/agent-token" --controller "$ctl" --config "$TEST_TMP/sentinel.yaml"

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
