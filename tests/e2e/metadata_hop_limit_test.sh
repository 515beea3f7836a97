#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The AWS IMDSv2 hop limit, reproduced with real routing: the metadata server
# sends its token reply with IP TTL 1, so a client one router away (a pod
# behind its node) connects fine but never gets the token, and netprobe says
# `token_timeout` rather than blaming a policy. A policy that really blocks
# the metadata address (egress 0.0.0.0/0 with an except for it, enforced on
# the node) is a `timeout` on connect instead.
#   client ns ──veth── node ns (ip_forward=1) ──veth── metadata ns (metadata-standin)
# All addresses below exist only inside these namespaces.
bin=${1:?usage: metadata_hop_limit_test.sh BUILD_BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=netns.sh
source "$(dirname "$0")/netns.sh"
netns_require

client_ip=10.0.1.2         # netns-only
node_client_ip=10.0.1.1    # netns-only
node_metadata_ip=169.254.169.1  # netns-only
metadata_ip=169.254.169.254     # netns-only
address=$metadata_ip:80

ns_create client node metadata
ns_link client "$client_ip/24" node "$node_client_ip/24"
ns_link node "$node_metadata_ip/24" metadata "$metadata_ip/24"
ns_route client via "$node_client_ip"
ns_route metadata via "$node_metadata_ip"
ns_forwarding node
fw_reset node

standin=""
# standin OPTIONS…: (re)starts the metadata stand-in with these options.
standin() {
  [ -z "$standin" ] || ns_stop "$standin"
  ns_start metadata "$TEST_TMP/standin.log" "$bin/metadata-standin" --listen "$address" "$@"
  standin=$!
  wait_until 10 ns_listening metadata tcp 80 || { fail "metadata-standin came up ($*)"; finish; exit 1; }
}

# probe FLAVOR: a metadata probe from the client namespace; sets $out and $status.
probe() {
  status=0
  out=$(in_ns client "$bin/netprobe" probe metadata --address "$address" --flavor "$1" --timeout 2s --json \
    2>>"$TEST_TMP/probe.err") || status=$?
  echo "  $out"
}
outcome_is() { [ "$(jq -r .outcome <<<"$out")" = "$1" ]; }
status_is() { [ "$status" -eq "$1" ]; }

echo "# a normal metadata server, one hop away"
standin
probe tcp
check "no hop limit: flavor tcp ok" outcome_is ok
probe aws
check "no hop limit: flavor aws ok" outcome_is ok
check "no hop limit: exit 0" status_is 0

echo "# IMDSv2 hop limit 1: the token reply dies at the node"
standin --token-reply-ttl 1
probe tcp
check "hop limit 1: flavor tcp (connect only) ok" outcome_is ok
check "hop limit 1: flavor tcp exit 0" status_is 0
probe aws
check "hop limit 1: flavor aws token_timeout" outcome_is token_timeout
check "hop limit 1: flavor aws exit 1" status_is 1
check "the stand-in did receive the token PUT" grep -q 'api/token' "$TEST_TMP/standin.log"

echo "# egress policy blocking the metadata address, enforced on the node"
fw_rule node forward ip daddr "$metadata_ip" drop
probe tcp
check "policy drop: flavor tcp timeout" outcome_is timeout
probe aws
check "policy drop: flavor aws timeout (not token_timeout)" outcome_is timeout
check "policy drop: exit 1" status_is 1

finish
