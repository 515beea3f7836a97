#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# What `netprobe probe tcp` reports for each way a NetworkPolicy can deny a
# connection, with the rules CNIs program, in real network namespaces:
#   client ns ──veth── server ns (a TCP listener; nftables input rules = the
#   ingress policy on the server pod)
#   drop → timeout, reject with tcp reset → refused, ICMP port-unreachable →
#   refused, ICMP admin-prohibited → unreachable; and an `expect: deny` probe
#   that passes while the port is blocked and fails while it is open.
bin=${1:?usage: tcp_policy_test.sh BUILD_BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=netns.sh
source "$(dirname "$0")/netns.sh"
netns_require

client_ip=10.0.0.1  # netns-only
server_ip=10.0.0.2  # netns-only
port=8080
target=$server_ip:$port

ns_create client server
ns_link client "$client_ip/24" server "$server_ip/24"
fw_reset server

# Any TCP listener will do; the metadata stand-in is one.
ns_start server "$TEST_TMP/server.log" "$bin/metadata-standin" --listen "$target"
wait_until 10 ns_listening server tcp "$port" || { fail "the listener in the server namespace came up"; finish; exit 1; }

# probe ARGS…: `netprobe probe tcp --target $target ARGS… --json` from the
# client namespace; sets $out (the JSON line) and $status (the exit code).
probe() {
  status=0
  out=$(in_ns client "$bin/netprobe" probe tcp --target "$target" --timeout 1s --json "$@" 2>>"$TEST_TMP/probe.err") \
    || status=$?
  echo "  $out"
}
outcome_is() { [ "$(jq -r .outcome <<<"$out")" = "$1" ]; }
success_is() { [ "$(jq -r .success <<<"$out")" = "$1" ]; }
status_is() { [ "$status" -eq "$1" ]; }

# policy NFT-RULE…: the server's ingress policy is now this one rule.
policy() {
  fw_reset server
  [ $# -eq 0 ] || fw_rule server input tcp dport "$port" "$@"
}

echo "# no policy: the path is open"
policy
probe
check "open path: outcome ok" outcome_is ok
check "open path: exit 0" status_is 0

echo "# drop (Calico, Cilium, most CNIs)"
policy drop
probe
check "drop: outcome timeout" outcome_is timeout
check "drop: success false" success_is false
check "drop: exit 1" status_is 1

echo "# reject with tcp reset"
policy reject with tcp reset
probe
check "tcp reset: outcome refused" outcome_is refused
check "tcp reset: exit 1" status_is 1

echo "# reject with ICMP port-unreachable (kube-router, k3s)"
policy reject with icmp type port-unreachable
probe
check "icmp port-unreachable: outcome refused" outcome_is refused
check "icmp port-unreachable: exit 1" status_is 1

echo "# reject with ICMP admin-prohibited"
policy reject with icmp type admin-prohibited
probe
check "icmp admin-prohibited: outcome unreachable" outcome_is unreachable
check "icmp admin-prohibited: exit 1" status_is 1

echo "# expect: deny while the port is dropped (the policy is enforced)"
policy drop
probe --expect deny
check "expect deny, dropped: outcome timeout" outcome_is timeout
check "expect deny, dropped: success true" success_is true
check "expect deny, dropped: exit 0" status_is 0

echo "# expect: deny while the port is open (a policy that selects nothing)"
policy
probe --expect deny
check "expect deny, open: outcome ok" outcome_is ok
check "expect deny, open: success false" success_is false
check "expect deny, open: exit 1" status_is 1

finish
