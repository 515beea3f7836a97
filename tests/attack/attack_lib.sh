# shellcheck shell=bash
# shellcheck disable=SC2034 # BG_PID, ctl_pid, agent_pid…: set here, read by the tests
# shellcheck disable=SC2154 # $bin: set by the test sourcing this
# Helpers for the attack tests (label attack). Source it after ../lib.sh and
# ../e2e/netns.sh; $bin is the directory of the binaries under test.
#
# Everything runs in one network namespace per test, created here ("attack";
# only `lo`, so every address of 127.0.0.0/8 is local and nothing can leave).
# Processes in it see their own /etc/resolv.conf ("nameserver 127.0.0.1") and
# /etc/hosts: `ip netns exec` bind-mounts /etc/netns/<namespace>/* over /etc,
# so no name lookup by a daemon ever reaches the host's resolver. That folder
# is removed at exit, after every process in the namespace is dead.
#
# All attack traffic comes from attack.py (one JSON line per run); the daemons
# are started here with a temporary config and token files.

ATTACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ATTACK_PY=/usr/bin/python3
ATTACK_NS=attack
AGENT_TOKEN="agent-t0ken"
API_TOKEN="api-t0ken"
printf '%s\n' "$AGENT_TOKEN" > "$TEST_TMP/agent-token"
printf '%s\n' "$API_TOKEN" > "$TEST_TMP/api-token"
ATTACK_ETC=""
ATTACK_ETC_PARENT_MADE=""
CLK_TCK=$(getconf CLK_TCK)

attack_exit() {
  local status=$?
  cleanup_test
  netns_teardown
  [ -z "$ATTACK_ETC" ] || rm -rf "$ATTACK_ETC"
  [ -z "$ATTACK_ETC_PARENT_MADE" ] || rmdir /etc/netns 2>/dev/null || true
  exit "$status"
}
trap attack_exit EXIT

# attack_setup [TOOL…]: skips (exit 77) unless root with ip, nft, jq, ss, curl,
# python3 and the TOOLs; creates the namespace with its own resolv.conf and
# hosts (set $ATTACK_HOSTS first for extra "ADDR NAME" lines).
# shellcheck disable=SC2120 # the extra tools are optional
attack_setup() {
  netns_require curl "$ATTACK_PY" "$@"
  ns_create "$ATTACK_NS"
  ATTACK_ETC=/etc/netns/$(ns "$ATTACK_NS")
  [ -d /etc/netns ] || ATTACK_ETC_PARENT_MADE=1
  mkdir -p "$ATTACK_ETC"
  echo "nameserver 127.0.0.1" > "$ATTACK_ETC/resolv.conf"
  printf '127.0.0.1 localhost\n::1 localhost\n' > "$ATTACK_ETC/hosts"
  local line
  for line in "${ATTACK_HOSTS[@]}"; do echo "$line" >> "$ATTACK_ETC/hosts"; done
}
ATTACK_HOSTS=()

# attack_py ARGS…: attack.py in the namespace, in the foreground (bounded by its own deadline).
attack_py() { in_ns "$ATTACK_NS" "$ATTACK_PY" "$ATTACK_DIR/attack.py" "$@"; }

# attack_bg LOG ARGS…: attack.py in the background; its pid in $BG_PID (killed at exit).
attack_bg() {
  local log=$1
  shift
  ns_start "$ATTACK_NS" "$log" "$ATTACK_PY" "$ATTACK_DIR/attack.py" "$@"
  BG_PID=$!
}

# bg_summary LOG: the summary line a background attack.py printed last.
bg_summary() { grep '"attack"' "$1" | tail -n 1 || true; }

# bg_events LOG: how many event lines a stand-in printed so far.
bg_events() { grep -c '"event"' "$1" || true; }

# bg_stop PID: SIGTERM (attack.py prints its summary on it) and waits for it to
# exit. Not in a command substitution: only this shell can wait for its children.
bg_stop() { ns_stop "$1"; }

# jq_ok JSON FILTER: the filter is true of the JSON (never of an empty string).
jq_ok() { [ -n "$1" ] && jq -e "$2" <<<"$1" >/dev/null 2>&1; }

# up URL: GET URL/healthz answers 200 within 1 s (from inside the namespace).
up() { in_ns "$ATTACK_NS" curl -fsS --max-time 1 -o /dev/null "$1/healthz"; }

# start_controller NAME PORT [YAML-LINE…]: a controller on 127.0.0.1:PORT with a
# config of the given lines; $ctl_pid, $ctl (URL), $ctl_log. Fails when it does
# not answer /healthz within 5 s (a config it refuses, for instance).
start_controller() {
  local name=$1 port=$2 line
  shift 2
  : > "$TEST_TMP/$name.yaml"
  for line in "$@"; do echo "$line" >> "$TEST_TMP/$name.yaml"; done
  ctl_log=$TEST_TMP/$name.log
  ctl=http://127.0.0.1:$port
  # shellcheck disable=SC2086 # ATTACK_WRAP is a command and its arguments
  ns_start "$ATTACK_NS" "$ctl_log" ${ATTACK_WRAP:-} "$bin/netprobe-controller" --config "$TEST_TMP/$name.yaml" \
    --listen "127.0.0.1:$port" --agent-token-file "$TEST_TMP/agent-token" --api-token-file "$TEST_TMP/api-token"
  ctl_pid=$!
  if ! wait_until 5 up "$ctl"; then
    echo "controller $name did not come up:" >&2
    tail -n 5 "$ctl_log" >&2
    return 1
  fi
}

# start_agent NAME PORT YAML [FLAG…]: an agent listening on 127.0.0.1:PORT, node
# NAME, the agent token, config YAML (a string); $agent_pid, $agent (URL), $agent_log.
# $ATTACK_WRAP, when set, is put before the binary (e.g. "prlimit --nofile=64:64").
start_agent() {
  local name=$1 port=$2
  printf '%s\n' "$3" > "$TEST_TMP/$name.yaml"
  shift 3
  agent_log=$TEST_TMP/$name.log
  agent=http://127.0.0.1:$port
  # shellcheck disable=SC2086 # ATTACK_WRAP is a command and its arguments
  ns_start "$ATTACK_NS" "$agent_log" ${ATTACK_WRAP:-} "$bin/netprobe-agent" --config "$TEST_TMP/$name.yaml" \
    --listen "127.0.0.1:$port" --node "$name" --namespace attack --token-file "$TEST_TMP/agent-token" "$@"
  agent_pid=$!
  if ! wait_until 5 up "$agent"; then
    echo "agent $name did not come up:" >&2
    tail -n 5 "$agent_log" >&2
    return 1
  fi
}

# The daemon's memory, from its own /proc/PID/status (ns_start's $! is the daemon).
# A process that is gone reads as 99999999, which no bound accepts.
proc_status_kib() { awk -v key="$2:" '$1 == key { print $2; found = 1 } END { if (!found) print 99999999 }' \
  "/proc/$1/status" 2>/dev/null || echo 99999999; }
rss_kib() { proc_status_kib "$1" VmRSS; }
peak_kib() { proc_status_kib "$1" VmHWM; }
peak_reset() { echo 5 2>/dev/null > "/proc/$1/clear_refs" || true; }  # VmHWM := VmRSS
alive() { kill -0 "$1" 2>/dev/null; }
all_alive() {  # PID…: every one of them is running
  local pid
  for pid in "$@"; do alive "$pid" || return 1; done
}
alive_and_up() { alive "$1" && up "$2"; }  # PID URL

# cpu_ms PID: user + system CPU time the process has used, in milliseconds.
cpu_ms() { awk -v tck="$CLK_TCK" '{ printf "%d", ($14 + $15) * 1000 / tck }' "/proc/$1/stat" 2>/dev/null || echo 99999999; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# healthz_prober URL N: N kubelet-style checks, ~1 a second: GET URL/healthz from
# 127.0.0.1 in the namespace, a fresh connection each, 1 s timeout. Sets
# $HEALTHZ_OK to how many answered 200.
healthz_prober() {
  local url=$1 n=$2 i start next code
  HEALTHZ_OK=0
  start=$(now_ms)
  for ((i = 0; i < n; i++)); do
    next=$((start + i * 1000))
    while [ "$(now_ms)" -lt "$next" ]; do sleep 0.05; done  # pacing: one check a second, as a kubelet does
    code=$(in_ns "$ATTACK_NS" curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url/healthz" || true)
    [ "$code" = 200 ] && HEALTHZ_OK=$((HEALTHZ_OK + 1))
  done
  return 0
}

# metric_value URL 'name{labels}': the sample's value, empty when absent.
metric_value() {
  in_ns "$ATTACK_NS" curl -fsS --max-time 2 "$1/metrics" 2>/dev/null |
    awk -v series="$2" '$1 == series { print $2; exit }' || true
}

# metric_ge URL SERIES MIN: the series exists and is at least MIN.
metric_ge() {
  local value
  value=$(metric_value "$1" "$2")
  [ -n "$value" ] && awk -v v="$value" -v min="$3" 'BEGIN { exit !(v + 0 >= min + 0) }'
}

# api METHOD URL TOKEN BODY: prints the HTTP status (000: no answer); api_body the answer.
api() {
  rm -f "$TEST_TMP/api.out"
  in_ns "$ATTACK_NS" curl -sS --max-time 10 -o "$TEST_TMP/api.out" -w '%{http_code}' -X "$1" \
    ${3:+-H "Authorization: Bearer $3"} -H 'Content-Type: application/json' -H 'Expect:' --data-binary "$4" "$2" || true
}
api_body() { cat "$TEST_TMP/api.out" 2>/dev/null || true; }

# Listeners (attack.py listen) print one event line per connection, within
# 0.1 s of it. no_connection_since LOG BEFORE: still BEFORE connections after
# a 600 ms grace; got_connection_since LOG BEFORE: more than BEFORE within 2 s.
no_connection_since() {
  local deadline=$(($(now_ms) + 600))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    [ "$(bg_events "$1")" -eq "$2" ] || return 1
    sleep 0.05  # polling with a deadline
  done
  [ "$(bg_events "$1")" -eq "$2" ]
}
more_connections() { [ "$(bg_events "$1")" -gt "$2" ]; }
got_connection_since() { wait_until 2 more_connections "$1" "$2"; }

# start_listener NAME ADDR PORT [--fake-agent]: attack.py listen in the background; its log is $TEST_TMP/NAME.log.
start_listener() {
  attack_bg "$TEST_TMP/$1.log" listen --host "$2" --port "$3" --seconds 600 --ready-file "$TEST_TMP/$1.ready" "${@:4}"
  wait_until 5 test -e "$TEST_TMP/$1.ready"
}

# start_dnsmasq ARG…: dnsmasq on 127.0.0.1:53 in the namespace (the resolver
# every process there uses), answering from its arguments only.
start_dnsmasq() {
  ns_start "$ATTACK_NS" "$TEST_TMP/dnsmasq.log" /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null \
    --no-resolv --no-hosts --pid-file= --user=root --log-facility=- --bind-interfaces --listen-address=127.0.0.1 \
    --port 53 "$@"
  wait_until 5 dns_listening
}
dns_listening() { ns_listening "$ATTACK_NS" udp 53 && ns_listening "$ATTACK_NS" tcp 53; }
