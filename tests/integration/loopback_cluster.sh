# A small cluster on loopback for the controller tests: a real DNS server
# (dnsmasq) serving cluster.local, a netprobe-controller and netprobe-agents
# that probe the DNS server and report to the controller. Source it after
# tests/lib.sh with $bin set to the build's bin directory. Everything listens
# on 127.0.0.1 and every process goes into TEST_PIDS, so it dies with the test.
# (Not a *_test.sh: ctest does not run it on its own.)

# require PROGRAM…: each must be installed (a|b: either name). When one is not,
# the test skips (exit 77), or fails as root, where scripts/packages/test.txt installs it.
require() {
  local wanted name found missing=()
  for wanted in "$@"; do
    found=""
    for name in ${wanted//|/ }; do command -v "$name" >/dev/null && { found=1; break; }; done
    [ -n "$found" ] || missing+=("${wanted%%|*}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "FAIL: not installed: ${missing[*]} (as root, scripts/packages/test.txt should have installed it)" >&2
    exit 1
  fi
  echo "SKIP: not installed: ${missing[*]} (Debian packages, see scripts/packages/test.txt)"
  exit 77
}

CTL_INTERVAL_MS=1000  # the agents' report interval (agent.yaml below)
echo "agent-t0ken" > "$TEST_TMP/agent-token"
echo "api-t0ken" > "$TEST_TMP/api-token"
AGENT_AUTH="Authorization: Bearer agent-t0ken"
API_AUTH="Authorization: Bearer api-t0ken"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Stops a process this test started: the signal, a bounded wait, and it leaves TEST_PIDS.
# stop_pid PID [SIGNAL]; the exit status is left in $STOPPED_STATUS.
stop_pid() {
  local pid=$1 signal=${2:-TERM} kept=() p
  kill "-$signal" "$pid" 2>/dev/null || true
  set +e
  wait "$pid" 2>/dev/null
  STOPPED_STATUS=$?
  set -e
  for p in "${TEST_PIDS[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  TEST_PIDS=("${kept[@]}")
}

free_port dns_port
free_port closed_port  # nothing listens here: the target of an expect-deny tcp probe
free_port ctl_port
ctl=http://127.0.0.1:$ctl_port

# The zone's addresses are answer data only; nothing connects to them.
start_dns() {
  dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null --user="$(id -un)" --pid-file= \
    --listen-address=127.0.0.1 --bind-interfaces --port="$dns_port" --local=/cluster.local/ \
    --host-record=kubernetes.default.svc.cluster.local,10.96.0.1 2>>"$TEST_TMP/dnsmasq.log" &  # not-a-destination: answer data
  dns_pid=$!
  TEST_PIDS+=("$dns_pid")
  wait_until 5 listening "$dns_port" || { echo "dnsmasq did not start:" >&2; cat "$TEST_TMP/dnsmasq.log" >&2; exit 1; }
}
stop_dns() { stop_pid "$dns_pid"; }

# write_controller_config [extra YAML lines]
write_controller_config() {
  cat > "$TEST_TMP/controller.yaml" <<YAML
stale_after: 3
adhoc:
  allow_cidrs: ["127.0.0.0/8"]
  allow_suffixes: [".cluster.local"]
  rate_per_minute: 600
limits:
  max_results_per_agent: 10000  # the 10,000-result report of controller_test
  max_checks: 20000
${1:-}
YAML
}

start_controller() {
  "$bin/netprobe-controller" --listen "127.0.0.1:$ctl_port" --config "$TEST_TMP/controller.yaml" \
    --agent-token-file "$TEST_TMP/agent-token" --api-token-file "$TEST_TMP/api-token" "$@" 2>>"$TEST_TMP/controller.log" &
  ctl_pid=$!
  TEST_PIDS+=("$ctl_pid")
  wait_until 5 curl -fsS "$ctl/readyz" || { echo "the controller did not start:" >&2; cat "$TEST_TMP/controller.log" >&2; exit 1; }
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
  - name: payment-denied
    type: tcp
    target: 127.0.0.1:$closed_port
    expect: deny
YAML
CHECKS_PER_AGENT=3  # kube-dns over udp and tcp, payment-denied

declare -A agent_pid agent_port
# start_agent N: netprobe-agent for node-N, reporting to the controller.
start_agent() {
  local n=$1
  [ -n "${agent_port[$n]:-}" ] || free_port "agent_port[$n]"
  "$bin/netprobe-agent" --listen "127.0.0.1:${agent_port[$n]}" --node "node-$n" --namespace monitoring \
    --token-file "$TEST_TMP/agent-token" --controller "$ctl" --config "$TEST_TMP/agent.yaml" \
    2>>"$TEST_TMP/agent-$n.log" &
  agent_pid[$n]=$!
  TEST_PIDS+=("${agent_pid[$n]}")
  wait_until 5 listening "${agent_port[$n]}" || { echo "agent node-$n did not start" >&2; cat "$TEST_TMP/agent-$n.log" >&2; exit 1; }
}

# Series of the controller's /metrics.
dns_failing() {  # dns_failing udp|tcp
  echo 'netprobe_target_failing_nodes{expect="allow",probe="kube-dns",target="127.0.0.1:'"$dns_port"'",transport="'"$1"'",type="dns"}'
}
dns_failing_is() { metric_is "$ctl/metrics" "$(dns_failing udp)" "$1" && metric_is "$ctl/metrics" "$(dns_failing tcp)" "$1"; }
agents_series() { echo 'netprobe_agents{state="'"$1"'"}'; }

status() { curl -fsS "$ctl/api/v1/status"; }
# status_is JQ_FILTER EXPECTED: the filter applied to /api/v1/status prints EXPECTED.
status_is() { [ "$(status | jq -c "$1")" = "$2" ]; }
