#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# What `netprobe probe dns` reports over UDP and TCP when a policy blocks DNS,
# against a real DNS server (dnsmasq) in real network namespaces:
#   client ns ──veth── dns ns (dnsmasq on :53; nftables input rules = the
#   ingress side of the policy)
#   - a UDP-only DNS allow (TCP 53 dropped): udp ok, tcp timeout
#   - default deny without any DNS allow (all of 53 dropped): both timeout
#   - a REJECT-style CNI (ICMP port-unreachable): refused, over UDP as well
bin=${1:?usage: dns_policy_test.sh BUILD_BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=netns.sh
source "$(dirname "$0")/netns.sh"
dnsmasq=/usr/sbin/dnsmasq
netns_require "$dnsmasq"

client_ip=10.0.0.1  # netns-only
dns_ip=10.0.0.2     # netns-only
name=kubernetes.default.svc.cluster.local.

ns_create client dns
ns_link client "$client_ip/24" dns "$dns_ip/24"
fw_reset dns

ns_start dns "$TEST_TMP/dnsmasq.log" "$dnsmasq" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
  --pid-file= --user=root --log-facility=- --log-queries --bind-interfaces --listen-address="$dns_ip" --port 53 \
  --address=/kubernetes.default.svc.cluster.local/10.96.0.1  # netns-only
up() { ns_listening dns udp 53 && ns_listening dns tcp 53; }
wait_until 10 up || { fail "dnsmasq came up in the dns namespace"; cat "$TEST_TMP/dnsmasq.log" >&2; finish; exit 1; }

# probe: one DNS probe over udp and tcp from the client namespace; the CLI
# prints one JSON line per transport. Sets $out and $status (exit code).
probe() {
  status=0
  out=$(in_ns client "$bin/netprobe" probe dns --server "$dns_ip:53" --query "$name" \
    --transport udp --transport tcp --timeout 1s --json 2>>"$TEST_TMP/probe.err") || status=$?
  echo "$out"
}
# outcome_is TRANSPORT OUTCOME
outcome_is() { [ "$(jq -r --arg t "$1" 'select(.transport == $t) | .outcome' <<<"$out")" = "$2" ]; }
status_is() { [ "$status" -eq "$1" ]; }

# policy NFT-RULE…: the DNS server's ingress policy is now these rules (one per argument).
policy() {
  local rule
  fw_reset dns
  for rule in "$@"; do
    # shellcheck disable=SC2086 # a rule is several words
    fw_rule dns input $rule
  done
}

echo "# no policy: DNS works over both transports"
policy
probe
check "open: two results, one per transport" [ "$(jq -s length <<<"$out")" -eq 2 ]
check "open: udp ok" outcome_is udp ok
check "open: tcp ok" outcome_is tcp ok
check "open: exit 0" status_is 0

echo "# UDP-only DNS allow: TCP 53 dropped"
policy "tcp dport 53 drop"
probe
check "udp-only allow: udp ok" outcome_is udp ok
check "udp-only allow: tcp timeout" outcome_is tcp timeout
check "udp-only allow: exit 1" status_is 1

echo "# default deny without a DNS allow: all of 53 dropped"
policy "udp dport 53 drop" "tcp dport 53 drop"
probe
check "no dns allow: udp timeout" outcome_is udp timeout
check "no dns allow: tcp timeout" outcome_is tcp timeout
check "no dns allow: exit 1" status_is 1

echo "# REJECT-style CNI: ICMP port-unreachable for 53"
policy "udp dport 53 reject with icmp type port-unreachable" "tcp dport 53 reject with icmp type port-unreachable"
probe
check "icmp port-unreachable: udp refused" outcome_is udp refused
check "icmp port-unreachable: tcp refused" outcome_is tcp refused
check "icmp port-unreachable: exit 1" status_is 1

check "dnsmasq answered the queries it got" grep -q "query\[A\] kubernetes.default.svc.cluster.local" "$TEST_TMP/dnsmasq.log"

finish
