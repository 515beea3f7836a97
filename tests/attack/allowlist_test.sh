#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Attack: the ad hoc probe APIs as a port scanner of what the allowlist means
# to keep out. The controller allows 127.0.0.1/32 and .cluster.local; a real
# agent reports to it; listeners on 127.0.0.2:8080 and 127.0.0.9:8080 count
# every connection made to them; dnsmasq on 127.0.0.1:53 is the namespace's
# resolver and answers evil.cluster.local with 127.0.0.9.
#   - targets "[::ffff:127.0.0.2%x.cluster.local]:8080" (an IPv4-mapped literal
#     whose zone id makes it look like a name under an allowed suffix), as a tcp
#     target, a metadata address, an http URL and a DNS server;
#   - evil.cluster.local:8080: allowed by its suffix, resolving outside allow_cidrs;
#   - one-shots straight to an agent (agent token) outside its allowlist: an
#     agent with no allowlist of its own (the controller defaults), one given
#     the controller's, one with `adhoc:` in its config; a one-shot whose
#     timeout is over max_timeout.
# Holding means: nothing ever connects to 127.0.0.2:8080 or 127.0.0.9:8080; a
# '%' zone id is refused by every ad hoc path (400/403: tcp, metadata, http,
# dns, the controller's and the agents');
# a name resolving outside allow_cidrs is not connected to (the result says
# error naming the allowlist, or the request is refused); agents refuse
# one-shots outside their allowlist with 403 target_not_allowed and timeouts
# over max_timeout with 400 naming probe.timeout. Allowed targets still work.
bin=${1:?usage: allowlist_test.sh BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../e2e/netns.sh
source "$(dirname "$0")/../e2e/netns.sh"
# shellcheck source=attack_lib.sh
source "$(dirname "$0")/attack_lib.sh"
attack_setup /usr/sbin/dnsmasq

check "dnsmasq answers in the namespace" start_dnsmasq \
  --address=/evil.cluster.local/127.0.0.9 --address=/good.cluster.local/127.0.0.1
start_listener l1 127.0.0.1 8080 || fail "listener on 127.0.0.1:8080"
start_listener l2 127.0.0.2 8080 || fail "listener on 127.0.0.2:8080"
start_listener l9 127.0.0.9 8080 || fail "listener on 127.0.0.9:8080"
l1=$TEST_TMP/l1.log
l2=$TEST_TMP/l2.log
l9=$TEST_TMP/l9.log

ctl_port=9742
check "controller starts" start_controller controller "$ctl_port" \
  'adhoc: {allow_cidrs: ["127.0.0.1/32"], allow_suffixes: [".cluster.local"], rate_per_minute: 600}'
# An agent that reports, with a probe of its own on loopback.
agent_config="interval: 1s
timeout: 500ms
probes:
  - name: self
    type: tcp
    target: 127.0.0.1:9743"
check "agent n1 starts, reporting to the controller" start_agent n1 9743 "$agent_config" \
  --controller "$ctl" --advertise 127.0.0.1:9743
n1=$agent
n1_pid=$agent_pid
reported() { in_ns "$ATTACK_NS" curl -fsS "$ctl/api/v1/status" | jq -e '[.agents[].node] == ["n1"]'; }
check "n1 has reported" wait_until 10 reported

# adhoc PROBE: POST /api/v1/probes for node n1; $code, the answer in $answer.
adhoc() {
  code=$(api POST "$ctl/api/v1/probes" "$API_TOKEN" '{"probe": '"$1"', "nodes": ["n1"]}')
  answer=$(api_body)
  echo "# ad hoc $1: $code $(jq -c '.error // [.results[] | {outcome, detail}]' <<<"$answer" 2>/dev/null || true)"
}
# one_shot URL PROBE: POST /api/v1/probe to an agent with the agent token.
one_shot() {
  code=$(api POST "$1/api/v1/probe" "$AGENT_TOKEN" '{"probe": '"$2"'}')
  answer=$(api_body)
  echo "# one-shot to $1 $2: $code $(jq -c '.error // [.results[] | {outcome, detail}]' <<<"$answer" 2>/dev/null || true)"
}
refused() { [ "$code" = 400 ] || [ "$code" = 403 ]; }
# probed_ok LISTENER-LOG BEFORE: the answer is ok and the listener saw the connection.
probed_ok() { answer_ok && got_connection_since "$1" "$2"; }
timeout_refused() { [ "$code" = 400 ] && jq_ok "$answer" '.error.message | startswith("probe.timeout")'; }
answer_ok() { [ "$code" = 200 ] && jq_ok "$answer" '.results[0].outcome == "ok"'; }
not_allowed() { [ "$code" = 403 ] && jq_ok "$answer" '.error.code == "target_not_allowed"'; }
# No connection to the listener, and either refused or a failed result naming the allowlist.
resolved_outside_refused() {
  no_connection_since "$l9" "$before" || return 1
  refused && return 0
  [ "$code" = 200 ] && jq_ok "$answer" '.results | length > 0 and all(.success == false and .outcome == "error" and (.detail | test("allow")))'
}

echo "# --- the controller's allowlist ---"
before=$(bg_events "$l1")
adhoc '{"type": "tcp", "target": "127.0.0.1:8080", "timeout": "1s"}'
check "control: an allowed target is probed (ok, the listener saw it)" probed_ok "$l1" "$before"
before=$(bg_events "$l1")
adhoc '{"type": "tcp", "target": "good.cluster.local:8080", "timeout": "1s"}'
check "control: an allowed name resolving inside allow_cidrs is probed (through the namespace's dnsmasq)" \
  probed_ok "$l1" "$before"

zone='[::ffff:127.0.0.2%x.cluster.local]:8080'
for probe in '{"type": "tcp", "target": "'"$zone"'", "timeout": "1s"}' \
  '{"type": "metadata", "flavor": "tcp", "address": "'"$zone"'", "timeout": "1s"}' \
  '{"type": "http", "url": "http://[::ffff:127.0.0.2%25x.cluster.local]:8080/", "timeout": "1s"}' \
  '{"type": "dns", "servers": ["'"$zone"'"], "query": "a.cluster.local.", "transports": ["tcp"], "timeout": "1s"}'; do
  type=$(jq -r .type <<<"$probe")
  before=$(bg_events "$l2")
  adhoc "$probe"
  check "ad hoc $type with a zone id under an allowed suffix: refused ($code)" refused
  check "  and nothing connected to 127.0.0.2:8080" no_connection_since "$l2" "$before"
done

before=$(bg_events "$l9")
adhoc '{"type": "tcp", "target": "evil.cluster.local:8080", "timeout": "1s"}'
check "ad hoc to evil.cluster.local (resolves to 127.0.0.9, outside allow_cidrs): not connected to, refused or error ($code)" \
  resolved_outside_refused

echo "# --- agents' own allowlists ---"
check "agent without an allowlist or a controller starts" start_agent lonely 9744 'probes: []'
lonely=$agent
lonely_pid=$agent_pid
before=$(bg_events "$l2")
one_shot "$lonely" '{"type": "tcp", "target": "127.0.0.2:8080", "timeout": "1s"}'
check "no allowlist (the controller defaults): one-shot to 127.0.0.2:8080 is 403 target_not_allowed ($code)" not_allowed
check "  and nothing connected to 127.0.0.2:8080" no_connection_since "$l2" "$before"
before=$(bg_events "$l2")
one_shot "$lonely" '{"type": "tcp", "target": "[::ffff:127.0.0.2%x]:8080", "timeout": "1s"}'
check "no allowlist: a one-shot to a zone id literal is refused ($code)" refused
check "  and nothing connected to 127.0.0.2:8080" no_connection_since "$l2" "$before"

# n1 was handed the controller's allowlist (127.0.0.1/32, .cluster.local; max_timeout 10s).
before=$(bg_events "$l2")
handed_refuses() { one_shot "$n1" '{"type": "tcp", "target": "127.0.0.2:8080", "timeout": "1s"}' >/dev/null; not_allowed; }
check "the controller's allowlist: one-shot to 127.0.0.2:8080 is 403 target_not_allowed" wait_until 3 handed_refuses
check "  and nothing connected to 127.0.0.2:8080" no_connection_since "$l2" "$before"
before=$(bg_events "$l1")
one_shot "$n1" '{"type": "tcp", "target": "127.0.0.1:8080", "timeout": "1s"}'
check "control: the controller's allowlist lets 127.0.0.1:8080 through" probed_ok "$l1" "$before"
one_shot "$n1" '{"type": "tcp", "target": "127.0.0.1:8080", "interval": "30s", "timeout": "11s"}'
check "the controller's max_timeout: a one-shot with timeout 11s is 400 naming probe.timeout ($code)" timeout_refused

if ! start_agent own 9745 'adhoc:
  allow_cidrs: ["127.0.0.1/32"]
  allow_suffixes: [".cluster.local"]
  max_timeout: 10s
probes: []'; then
  fail "agent with adhoc: in its config starts (its four checks not run)"
else
  pass "agent with adhoc: in its config starts"
  own=$agent
  before=$(bg_events "$l2")
  one_shot "$own" '{"type": "tcp", "target": "127.0.0.2:8080", "timeout": "1s"}'
  check "its own allowlist: one-shot to 127.0.0.2:8080 is 403 target_not_allowed ($code)" not_allowed
  check "  and nothing connected to 127.0.0.2:8080" no_connection_since "$l2" "$before"
  before=$(bg_events "$l1")
  one_shot "$own" '{"type": "tcp", "target": "127.0.0.1:8080", "timeout": "1s"}'
  check "control: its own allowlist lets 127.0.0.1:8080 through" probed_ok "$l1" "$before"
  before=$(bg_events "$l9")
  one_shot "$own" '{"type": "tcp", "target": "evil.cluster.local:8080", "timeout": "1s"}'
  check "its own allowlist: evil.cluster.local (127.0.0.9) not connected to, refused or error ($code)" resolved_outside_refused
  one_shot "$own" '{"type": "tcp", "target": "127.0.0.1:8080", "interval": "30s", "timeout": "11s"}'
  check "its own max_timeout: timeout 11s is 400 naming probe.timeout ($code)" timeout_refused
fi

check "the controller and the agents are alive" all_alive "$ctl_pid" "$n1_pid" "$lonely_pid"

finish
