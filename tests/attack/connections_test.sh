#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Attack: holding the daemons' connections so that the kubelet's probes (and
# Prometheus's scrapes) cannot get in.
#   - slowloris: 300 connections spread over 127.0.0.2-127.0.0.20, each sending
#     one header byte a second and never finishing, replaced as the server
#     closes them, while 27 kubelet-style GET /healthz (1 s timeout, a fresh
#     connection each, ~1 a second) come from 127.0.0.1 (the agent; the
#     controller gets 12), and a /metrics scrape;
#   - a connection that never completes its header; one idle after a request;
#   - 40 connections from one address;
#   - the agent with 64 file descriptors (prlimit) and 100 connections held
#     open: accept() fails with EMFILE.
# Holding means: a header must arrive within 5 s (idle keep-alive included),
# so such connections are closed by the server within 7 s; one client address
# holds at most 32 connections (more are closed at once); at the total cap
# (agent 256, controller 1024) the connection that has waited longest for its
# header is closed to admit the new one, so /healthz and /metrics are answered
# through the flood (at least 26 of 27); and on EMFILE the daemon neither spins
# (under 0.5 s of CPU in 5 s) nor floods its log (under 20 lines), and serves
# again once the connections are gone.
bin=${1:?usage: connections_test.sh BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../e2e/netns.sh
source "$(dirname "$0")/../e2e/netns.sh"
# shellcheck source=attack_lib.sh
source "$(dirname "$0")/attack_lib.sh"
attack_setup prlimit

ctl_port=9742
agent_port=9743
check "controller starts" start_controller controller "$ctl_port"
check "agent starts" start_agent agent "$agent_port" 'probes: []'

# --- slow headers, idle keep-alive: closed by the server within 7 s ----------------
# Four connections held in the background (9 s at most) while the next checks run.
for target in agent:$agent_port controller:$ctl_port; do
  name=${target%%:*}
  port=${target##*:}
  attack_bg "$TEST_TMP/trickle-$name.log" hold --port "$port" --partial 'GET /healthz HTTP/1.1\r\nHost: x\r\n' \
    --trickle --seconds 9
  attack_bg "$TEST_TMP/idle-$name.log" hold --port "$port" --request-first --seconds 9
done

# --- 40 connections from one address: at most 32 stay open ------------------------
for target in agent:$agent_port controller:$ctl_port; do
  name=${target%%:*}
  port=${target##*:}
  out=$(attack_py hold --port "$port" --connections 40 --sources 127.0.0.50 --seconds 2)
  echo "# $name, 40 from one address: $out"
  check "$name: 40 connections from one address, $(jq .open_at_end <<<"$out") still open after 2 s (28-32)" \
    jq_ok "$out" '.opened == 40 and .open_at_end <= 32 and .open_at_end >= 28'
done

for name in agent controller; do
  wait_until 12 bash -c "grep -q '\"attack\"' '$TEST_TMP/trickle-$name.log' && grep -q '\"attack\"' '$TEST_TMP/idle-$name.log'" || true
  out=$(bg_summary "$TEST_TMP/trickle-$name.log")
  echo "# $name, header trickled a byte a second: $out"
  check "$name: a header never completed is closed by the server within 7 s ($(jq .max_close_after_seconds <<<"$out") s)" \
    jq_ok "$out" '.closed_by_server == 1 and .max_close_after_seconds <= 7'
  out=$(bg_summary "$TEST_TMP/idle-$name.log")
  echo "# $name, idle keep-alive: $out"
  check "$name: an idle keep-alive connection is closed within 7 s ($(jq .max_close_after_seconds <<<"$out") s)" \
    jq_ok "$out" '.closed_by_server == 1 and .max_close_after_seconds <= 7'
done

# --- slowloris: 300 connections; the kubelet still gets through ---------------------
# slowloris NAME PORT CHECKS: the flood, and during it one /metrics scrape and CHECKS /healthz probes.
slowloris() {
  local name=$1 port=$2 n=$3 code
  rm -f "$TEST_TMP/ready"
  attack_bg "$TEST_TMP/slowloris-$name.log" slowloris --port "$port" --connections 300 --sources 127.0.0.2-127.0.0.20 \
    --reconnect --seconds $((n + 6)) --ready-file "$TEST_TMP/ready"
  wait_until 10 test -e "$TEST_TMP/ready" || fail "$name: slowloris connections opened"
  # A scrape while all 300 are open (well within 5 s of the first byte), then the kubelet.
  code=$(in_ns "$ATTACK_NS" curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/metrics" || true)
  healthz_prober "http://127.0.0.1:$port" "$n"
  bg_stop "$BG_PID"
  out=$(bg_summary "$TEST_TMP/slowloris-$name.log")
  echo "# $name, slowloris: $out"
  check "$name: during slowloris, $HEALTHZ_OK of $n kubelet /healthz checks answered (at least $((n - 1)))" \
    [ "$HEALTHZ_OK" -ge $((n - 1)) ]
  check "$name: during slowloris, /metrics answered ($code)" [ "$code" = 200 ]
  check "$name: the flood did hold 300 connections open at the start" jq_ok "$out" '.opened >= 300'
}
slowloris agent "$agent_port" 27
slowloris controller "$ctl_port" 12
check "both daemons alive after the floods" all_alive "$ctl_pid" "$agent_pid"

# --- EMFILE: 64 file descriptors, 100 connections held ------------------------------
emfile_port=9744
ATTACK_WRAP="prlimit --nofile=64:64" check "agent with 64 file descriptors starts" \
  start_agent emfile "$emfile_port" 'probes: []'
emfile_pid=$agent_pid
emfile_log=$agent_log
check "  its limit is 64 descriptors" grep -q '^Max open files *64 *64' "/proc/$emfile_pid/limits"
rm -f "$TEST_TMP/ready"
attack_bg "$TEST_TMP/emfile-hold.log" hold --port "$emfile_port" --connections 100 --sources 127.0.0.2-127.0.0.11 \
  --seconds 30 --ready-file "$TEST_TMP/ready"
hold_pid=$BG_PID
wait_until 10 test -e "$TEST_TMP/ready" || fail "100 connections opened"
accept_lines() { grep -ci 'accept' "$emfile_log" || true; }
cpu0=$(cpu_ms "$emfile_pid")
lines0=$(accept_lines)
start=$(now_ms)
while [ $(($(now_ms) - start)) -lt 5000 ]; do sleep 0.1; done  # the measurement window itself: 5 s of holding
cpu=$(($(cpu_ms "$emfile_pid") - cpu0))
lines=$(($(accept_lines) - lines0))
check "EMFILE: ${cpu} ms of CPU in 5 s of holding 100 connections (< 500 ms)" [ "$cpu" -lt 500 ]
check "EMFILE: ${lines} log lines about accept in those 5 s (< 20)" [ "$lines" -lt 20 ]
bg_stop "$hold_pid"
out=$(bg_summary "$TEST_TMP/emfile-hold.log")
echo "# EMFILE hold: $out"
check "EMFILE: /healthz answers once the connections are released" wait_until 10 up "http://127.0.0.1:$emfile_port"
rm -f "$emfile_log"  # today's code writes about 100 MB of 'accept failed' lines here

finish
