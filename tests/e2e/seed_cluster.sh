# shellcheck shell=bash
# The cluster of the weekend's NetworkPolicy rollout (README, "Why is it failing?"), simulated in network
# namespaces: each pod is a namespace whose address is its pod IP in the stand-in Kubernetes API, and the
# "CNI" is nftables rules in the pods' namespaces enforcing what the NetworkPolicies say of them. Shared by
# tests/e2e/attribution_test.sh and the root demo (scripts/demo_cluster), so both show the same cluster.
# Source it after ../lib.sh and netns.sh.
#
#   ctl ns (stand-in API, Alertmanager, controller) ─┐
#   agent ns (monitoring/netprobe-agent-a, node-a) ──┤
#   sentinel ns (frontend/netprobe-sentinel) ────────┤
#   dns ns (kube-system/coredns-0: dnsmasq) ─────────┼── node ns (routes; DNATs the kube-dns ClusterIP
#   payment ns (payment/payment-0: :8080) ───────────┤            to the CoreDNS pod, as kube-proxy)
#   web ns (shop/web-0: :8080, scraped) ─────────────┤
#   metadata ns (169.254.169.254: metadata stand-in) ┘  # netns-only
#
# Healthy as set up: no NetworkPolicy, every path open. The four mistakes are injected by the
# seed_mistake_* functions, each a policy in the API and the rules a CNI would program for it.
#
#   seed_network [EXTRA_POD N]…   namespaces and links (an extra pod NAME is 10.244.N.2)
#   seed_servers                  the pods' servers: CoreDNS (dnsmasq), apps, the metadata endpoint
#   seed_api                      the stand-in API server and Alertmanager in the ctl namespace (SEED_AM)
#   seed_objects                  the cluster's objects, printed as YAML (pods, Services, …; no policy)
#   seed_pod_yaml …               one Pod object (for extra pods)
#   seed_controller CONFIG        netprobe-controller with that config, against the API (SEED_CTL)
#   seed_agents                   the agent (node-a, monitoring) and the sentinel (frontend)
#   seed_mistake_dns | _typo | _scrape | _metadata

# Every address below exists only inside these namespaces.
SEED_CTL_IP=10.244.9.2 SEED_AGENT_IP=10.244.1.2 SEED_SENTINEL_IP=10.244.2.2 SEED_DNS_IP=10.244.3.2  # netns-only
SEED_PAYMENT_IP=10.244.4.2 SEED_WEB_IP=10.244.6.2                                                  # netns-only
SEED_METADATA_IP=169.254.169.254 SEED_DNS_SERVICE_IP=10.96.0.10                                    # netns-only
SEED_CTL=http://$SEED_CTL_IP:9742
SEED_BIN=${SEED_BIN:?set SEED_BIN to the directory of the built binaries}
SEED_DIR=${SEED_DIR:-$TEST_TMP}

seed_link_pod() {  # seed_link_pod NAME N: NAME is 10.244.N.2, behind the node's 10.244.N.1
  ns_link node "10.244.$2.1/24" "$1" "10.244.$2.2/24"  # netns-only
  ns_route "$1" via "10.244.$2.1"                      # netns-only
}

seed_network() {
  local extra=() pod
  while [ $# -ge 2 ]; do extra+=("$1:$2"); shift 2; done
  ns_create node ctl agent sentinel dns payment web metadata
  for pod in "${extra[@]}"; do ns_create "${pod%%:*}"; done
  seed_link_pod ctl 9
  seed_link_pod agent 1
  seed_link_pod sentinel 2
  seed_link_pod dns 3
  seed_link_pod payment 4
  seed_link_pod web 6
  for pod in "${extra[@]}"; do seed_link_pod "${pod%%:*}" "${pod##*:}"; done
  ns_link node 169.254.169.1/24 metadata "$SEED_METADATA_IP/24"  # netns-only
  ns_route metadata via 169.254.169.1                            # netns-only
  ns_forwarding node
  for pod in node agent sentinel dns payment web "${extra[@]%%:*}"; do fw_reset "$pod"; done
  # kube-proxy's part: the DNS Service's ClusterIP is the CoreDNS pod.
  in_ns node nft -f - <<NFT
table ip netprobe_e2e_nat {
  chain prerouting { type nat hook prerouting priority dstnat; policy accept;
    ip daddr $SEED_DNS_SERVICE_IP udp dport 53 dnat to $SEED_DNS_IP
    ip daddr $SEED_DNS_SERVICE_IP tcp dport 53 dnat to $SEED_DNS_IP
  }
}
NFT
}

seed_servers() {
  ns_start dns "$SEED_DIR/dnsmasq.log" /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
    --no-hosts --pid-file= --user=root --log-facility=- --bind-interfaces --listen-address="$SEED_DNS_IP" --port 53 \
    --address=/kubernetes.default.svc.cluster.local/10.96.0.1  # netns-only: answer data
  # Any TCP listener will do for the apps; the metadata stand-in is one.
  ns_start payment "$SEED_DIR/payment.log" "$SEED_BIN/metadata-standin" --listen "$SEED_PAYMENT_IP:8080"
  ns_start web "$SEED_DIR/web.log" "$SEED_BIN/metadata-standin" --listen "$SEED_WEB_IP:8080"
  ns_start dns "$SEED_DIR/dns-metrics.log" "$SEED_BIN/metadata-standin" --listen "$SEED_DNS_IP:9153"  # CoreDNS's metrics port
  ns_start metadata "$SEED_DIR/metadata.log" "$SEED_BIN/metadata-standin" --listen "$SEED_METADATA_IP:80"
  wait_until 10 seed_servers_up
}
seed_servers_up() {
  ns_listening dns udp 53 && ns_listening dns tcp 9153 && ns_listening payment tcp 8080 &&
    ns_listening web tcp 8080 && ns_listening metadata tcp 80
}

# The stand-in API server and Alertmanager on the controller pod's loopback. Sets SEED_AM.
seed_api() {
  local alertmanager
  alertmanager=$(command -v prometheus-alertmanager || command -v alertmanager)
  KUBE_EXEC=(ip netns exec "$(ns ctl)")
  # shellcheck source=tests/kube_lib.sh
  source "$(dirname "${BASH_SOURCE[0]}")/../kube_lib.sh"
  # shellcheck disable=SC2119 # no server flags
  kube_start
  free_port SEED_AM_PORT
  cat > "$SEED_DIR/alertmanager.yml" <<'YAML'
route: {receiver: nowhere, group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
receivers: [{name: nowhere}]
YAML
  SEED_AM=http://127.0.0.1:$SEED_AM_PORT
  "${KUBE_EXEC[@]}" "$alertmanager" --config.file="$SEED_DIR/alertmanager.yml" --storage.path="$SEED_DIR/am" \
    --web.listen-address="127.0.0.1:$SEED_AM_PORT" --cluster.listen-address= 2>"$SEED_DIR/alertmanager.log" &
  TEST_PIDS+=("$!")
  wait_until 15 in_ns ctl curl -fsS "$SEED_AM/-/ready" >/dev/null
}

# seed_pod_yaml NAMESPACE NAME IP LABELS [OWNER_KIND OWNER] [PORT] [ANNOTATIONS] (flow YAML maps)
seed_pod_yaml() {
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

seed_namespace_yaml() {
  printf -- '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: %s, labels: {kubernetes.io/metadata.name: %s}}\n' "$1" "$1"
}

seed_objects() {
  local name
  for name in monitoring frontend kube-system payment shop; do seed_namespace_yaml "$name"; done
  cat <<'YAML'
---
apiVersion: v1
kind: Node
metadata: {name: node-a, labels: {kubernetes.io/hostname: node-a}}
status: {conditions: [{type: Ready, status: "True"}]}
YAML
  seed_pod_yaml monitoring netprobe-agent-a "$SEED_AGENT_IP" '{app.kubernetes.io/name: netprobe-agent}' DaemonSet netprobe-agent
  seed_pod_yaml monitoring netprobe-controller-0 "$SEED_CTL_IP" '{app.kubernetes.io/name: netprobe-controller}' "" "" 9742
  seed_pod_yaml frontend netprobe-sentinel "$SEED_SENTINEL_IP" '{app.kubernetes.io/name: netprobe-sentinel}'
  seed_pod_yaml kube-system coredns-0 "$SEED_DNS_IP" '{k8s-app: kube-dns}' "" "" 9153
  seed_pod_yaml payment payment-0 "$SEED_PAYMENT_IP" '{app: payment}' "" "" 8080
  seed_pod_yaml shop web-0 "$SEED_WEB_IP" '{app: web}' "" "" 8080 '{prometheus.io/scrape: "true", prometheus.io/port: "8080"}'
  cat <<YAML
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: $SEED_DNS_SERVICE_IP
  clusterIPs: [$SEED_DNS_SERVICE_IP]
  selector: {k8s-app: kube-dns}
  ports: [{name: dns, port: 53, protocol: UDP, targetPort: 53}, {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: kube-dns-a, namespace: kube-system, labels: {kubernetes.io/service-name: kube-dns}}
addressType: IPv4
endpoints: [{addresses: [$SEED_DNS_IP], conditions: {ready: true, serving: true, terminating: false}, nodeName: node-a,
             targetRef: {kind: Pod, name: coredns-0, namespace: kube-system}}]
ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53, protocol: TCP}]
YAML
}

# seed_controller CONFIG_FILE: the controller in the ctl namespace, with the agent and API tokens
# (SEED_DIR/agent-token, api-token), against the stand-in API; waits until it is ready.
seed_controller() {
  echo "agent-t0ken" > "$SEED_DIR/agent-token"
  echo "api-t0ken" > "$SEED_DIR/api-token"
  "${KUBE_EXEC[@]}" "$SEED_BIN/netprobe-controller" --listen "$SEED_CTL_IP:9742" --config "$1" \
    --agent-token-file "$SEED_DIR/agent-token" --api-token-file "$SEED_DIR/api-token" \
    --kubeconfig "$KUBECONFIG_FILE" 2>>"$SEED_DIR/controller.log" &
  TEST_PIDS+=("$!")
  wait_until 15 seed_ctl_get /readyz >/dev/null
}
seed_ctl_get() { in_ns ctl curl -fsS "$SEED_CTL$1"; }

# The agent probes the metadata endpoint and CoreDNS's metrics port itself; the rest (DNS, scrape
# paths, derived deny probes) the controller assigns from what it finds in the cluster.
seed_agents() {
  cat > "$SEED_DIR/agent.yaml" <<YAML
interval: 1s
timeout: 500ms
probes:
  - name: metadata
    type: metadata
    address: $SEED_METADATA_IP:80
    flavor: tcp
  - name: coredns-metrics
    type: tcp
    target: $SEED_DNS_IP:9153
YAML
  printf 'interval: 1s\ntimeout: 500ms\nprobes: []\n' > "$SEED_DIR/sentinel.yaml"
  ns_start agent "$SEED_DIR/agent.log" "$SEED_BIN/netprobe-agent" --listen "$SEED_AGENT_IP:9743" \
    --advertise "$SEED_AGENT_IP:9743" --node node-a --namespace monitoring --token-file "$SEED_DIR/agent-token" \
    --controller "$SEED_CTL" --config "$SEED_DIR/agent.yaml"
  ns_start sentinel "$SEED_DIR/sentinel.log" "$SEED_BIN/netprobe-agent" --listen "$SEED_SENTINEL_IP:9743" \
    --advertise "$SEED_SENTINEL_IP:9743" --node node-a --namespace frontend --token-file "$SEED_DIR/agent-token" \
    --controller "$SEED_CTL" --config "$SEED_DIR/sentinel.yaml"
}

# --- the four mistakes: each a policy in the API and what the CNI programs for it --------------------------

# seed_apply NAME < YAML: the objects into the API (kept as SEED_DIR/NAME.yaml).
seed_apply() {
  cat > "$SEED_DIR/$1.yaml"
  kube_load "$SEED_DIR/$1.yaml" >/dev/null
}

# 1. frontend's default-deny forgot DNS: only the report path to the controller is allowed out.
seed_mistake_dns() {
  seed_apply "${FUNCNAME[0]}" <<'YAML'
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
YAML
  # On the node, as most CNIs enforce egress: a drop in the pod's own output chain would fail a UDP
  # send at once (EPERM, read as refused), where a pod's packets dropped outside it just go unanswered.
  fw_rule node forward ip saddr "$SEED_SENTINEL_IP" ct state established,related accept
  fw_rule node forward ip saddr "$SEED_SENTINEL_IP" ip daddr "$SEED_CTL_IP" tcp dport 9742 accept
  fw_rule node forward ip saddr "$SEED_SENTINEL_IP" drop
}

# 2. payment-ingress meant to isolate payment, but its selector says app: paymnet: it selects nothing,
# so the CNI enforces nothing and payment stays open.
seed_mistake_typo() {
  seed_apply "${FUNCNAME[0]}" <<'YAML'
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: payment-ingress, namespace: payment}
spec:
  podSelector: {matchLabels: {app: paymnet}}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: frontend}}}]}]
YAML
}

# 3. shop's web-ingress admits only frontend: Prometheus' (and the agent's) scrape path from monitoring is cut.
seed_mistake_scrape() {
  seed_apply "${FUNCNAME[0]}" <<'YAML'
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: frontend}}}], ports: [{port: 8080}]}]
YAML
  fw_rule web input ip saddr "$SEED_SENTINEL_IP" tcp dport 8080 accept
  fw_rule web input tcp dport 8080 drop
}

# 4. monitoring's egress allows everything but the metadata endpoint (an ipBlock except).
seed_mistake_metadata() {
  seed_apply "${FUNCNAME[0]}" <<YAML
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: agent-egress, namespace: monitoring}
spec:
  podSelector: {matchLabels: {app.kubernetes.io/name: netprobe-agent}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}}]
  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [$SEED_METADATA_IP/32]}}]
YAML
  fw_rule agent output ip daddr "$SEED_METADATA_IP" drop
}

# --- what the controller and Alertmanager say --------------------------------------------------------------

# seed_entry PROBE TARGET TRANSPORT NAMESPACE: the failing entry of that target from that namespace
# (outcome, policy, …) in GET /api/v1/status, or null.
seed_entry() {
  seed_ctl_get /api/v1/status | jq -c --arg p "$1" --arg t "$2" --arg tr "$3" --arg ns "$4" \
    '[.targets[] | select(.probe == $p and .target == $t and .transport == $tr) | .failing[] | select(.namespace == $ns)] | first'
}

# seed_alert PROBE TARGET TRANSPORT: that NetprobeTargetFailing alert as Alertmanager holds it, or null.
seed_alert() {
  in_ns ctl curl -fsS "$SEED_AM/api/v2/alerts" | jq -c --arg p "$1" --arg t "$2" --arg tr "$3" \
    '[.[] | select(.labels.alertname == "NetprobeTargetFailing" and .labels.probe == $p and .labels.target == $t and .labels.transport == $tr)] | first'
}
