# shellcheck shell=bash
# Network namespace helpers for the e2e tests. Source it after ../lib.sh.
#
# Everything happens inside namespaces this script creates (named np-<pid>-<name>,
# so parallel runs and leftovers never clash): veth pairs are created with
# `ip -n` inside them, addresses and routes are set inside them, nftables rules
# live in them. The host's own interfaces, routes and rules are never touched.
# An EXIT trap kills the processes started in them and deletes every namespace
# created, whatever way the script ends.

NETNS_PREFIX="np-$$"
NETNS_CREATED=()

# netns_require [TOOL…]: skips the test (exit 77, ctest SKIP_RETURN_CODE) when
# it cannot run here: not root, or ip, nft, jq, ss or a TOOL missing.
# shellcheck disable=SC2120 # the extra tools are optional
netns_require() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "skipped: needs root (network namespaces and nftables)"
    exit 77
  fi
  local tool
  for tool in ip nft jq ss "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "skipped: needs $tool"
      exit 77
    fi
  done
}

# ns NAME: the full namespace name for a short one.
ns() { printf '%s-%s' "$NETNS_PREFIX" "$1"; }

# in_ns NAME command…: runs a command inside the namespace.
in_ns() {
  local name
  name=$(ns "$1")
  shift
  ip netns exec "$name" "$@"
}

# ns_create NAME…: new namespaces with loopback up.
ns_create() {
  local short name
  for short in "$@"; do
    name=$(ns "$short")
    ip netns add "$name"
    NETNS_CREATED+=("$name")
    ip -n "$name" link set lo up
  done
}

# ns_link A ADDR_A/LEN B ADDR_B/LEN: a veth pair between namespaces A and B,
# created inside A and moved straight into B (interface "to-B" in A, "to-A" in B).
ns_link() {
  local a b
  a=$(ns "$1")
  b=$(ns "$3")
  ip -n "$a" link add "to-$3" type veth peer name "to-$1" netns "$b"
  ip -n "$a" addr add "$2" dev "to-$3"
  ip -n "$b" addr add "$4" dev "to-$1"
  ip -n "$a" link set "to-$3" up
  ip -n "$b" link set "to-$1" up
}

# ns_route NAME via GATEWAY: the namespace's default route.
ns_route() { ip -n "$(ns "$1")" route add default via "$3"; }

# ns_forwarding NAME: the namespace routes packets between its links (a node).
ns_forwarding() { in_ns "$1" sysctl -qw net.ipv4.ip_forward=1; }

# ns_start NAME LOG command…: starts a server in the namespace, in the
# background; lib.sh's cleanup kills it.
ns_start() {
  local name log=$2
  name=$(ns "$1")
  shift 2
  ip netns exec "$name" "$@" > "$log" 2>&1 &  # $! is the server itself: ip execs it
  TEST_PIDS+=("$!")
}

# ns_stop PID: stops a server started with ns_start before the test ends.
ns_stop() {
  local pid kept=()
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  for pid in "${TEST_PIDS[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  TEST_PIDS=("${kept[@]}")
}

# ns_listening NAME tcp|udp PORT: something listens on PORT in the namespace.
ns_listening() {
  local flags=-Htln
  [ "$2" = udp ] && flags=-Huln
  in_ns "$1" ss "$flags" "sport = :$3" | grep -q .
}

# Firewall ("policy") rules: one `ip` family table per namespace with an input,
# a forward and an output chain, like the chains a CNI programs.
# fw_rule NAME CHAIN RULE…: e.g. fw_rule server input tcp dport 8080 drop
fw_rule() {
  local name=$1 chain=$2
  shift 2
  in_ns "$name" nft add rule ip netprobe_e2e "$chain" "$@"
}

# fw_reset NAME: an empty table, everything allowed.
fw_reset() {
  in_ns "$1" nft -f - <<'NFT'
table ip netprobe_e2e
delete table ip netprobe_e2e
table ip netprobe_e2e {
  chain input { type filter hook input priority filter; policy accept; }
  chain forward { type filter hook forward priority filter; policy accept; }
  chain output { type filter hook output priority filter; policy accept; }
}
NFT
}

# Kills whatever still runs inside our namespaces (only processes this test
# started can be there), then deletes them. Runs from the EXIT trap.
netns_teardown() {
  local name pid
  for name in "${NETNS_CREATED[@]}"; do
    for pid in $(ip netns pids "$name" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  for name in "${NETNS_CREATED[@]}"; do ip netns delete "$name" 2>/dev/null || true; done
  NETNS_CREATED=()
}

netns_exit() {
  local status=$?
  cleanup_test
  netns_teardown
  exit "$status"
}
trap netns_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
