#!/usr/bin/env bash
# The `netprobe` command as people and scripts use it: outputs, --json, exit
# codes (0 success, 1 probe failed, 2 usage error, 4 controller unreachable), `netprobe probe --all-nodes`, and
# `netprobe status` (0 healthy, 1 failing, 3 blind, 4 unreachable)
# against a real controller. Everything on 127.0.0.1.
bin=${1:?usage: cli_test.sh BUILD_BIN_DIR}
source "$(dirname "$0")/../lib.sh"

np="$bin/netprobe"
exit_code() { set +e; "$@" >/dev/null 2>&1; local status=$?; set -e; echo "$status"; }

free_port closed
check "a refused connect exits 1" [ "$(exit_code "$np" probe tcp --target "127.0.0.1:$closed")" = 1 ]
check "--json prints the result object" [ "$("$np" probe tcp --target "127.0.0.1:$closed" --json | jq -r '.outcome + " " + .transport + " " + (.success | tostring)')" = "refused tcp false" ]
check "expect deny on a refused connect exits 0" [ "$(exit_code "$np" probe tcp --target "127.0.0.1:$closed" --expect deny)" = 0 ]
check "the text output names the likely cause" bash -c "'$np' probe tcp --target 127.0.0.1:$closed | grep -q 'likely cause: no listener'"
check "an unknown flag exits 2" [ "$(exit_code "$np" probe tcp --bogus)" = 2 ]
check "no probe type exits 2" [ "$(exit_code "$np" probe)" = 2 ]
check "an unknown command exits 2" [ "$(exit_code "$np" frobnicate)" = 2 ]
check "a bad value names the flag" bash -c "'$np' probe tcp --target 127.0.0.1 2>&1 | grep -q -- '--target: invalid address \"127.0.0.1\" (expected host:port)'"
check "a bad duration names the flag" bash -c "'$np' probe tcp --target 127.0.0.1:1 --timeout 5 2>&1 | grep -q -- '--timeout: invalid duration'"
check "version" bash -c "'$np' version | grep -q '^netprobe [0-9]'"
check "probe --help lists the types and where they run" bash -c "'$np' probe --help | grep -q -- '--all-nodes'"
check "each type has its own --help: dns lists --expect-rcode" bash -c "'$np' probe dns --help | grep -q -- '--expect-rcode'"
check "…and tcp's lists --target, not --url" bash -c "'$np' probe tcp --help | grep -q -- '--target' && ! '$np' probe tcp --help | grep -q -- '--url'"
check "the target may be positional, as with curl" [ "$("$np" probe tcp "127.0.0.1:$closed" --json | jq -r .target)" = "127.0.0.1:$closed" ]
check "a flag of another type is named as such (exit 2)" bash -c \
  "{ '$np' probe tcp 127.0.0.1:$closed --url http://127.0.0.1/ 2>&1 || true; } | grep -q -- '--url is a flag of http probes, not of tcp probes'"
check "a flag no type has is an unknown flag" bash -c "{ '$np' probe tcp --bogus 1 2>&1 || true; } | grep -q 'unknown flag --bogus'"
check "a missing target says how to give it" bash -c "{ '$np' probe tcp 2>&1 || true; } | grep -qF 'which target? (netprobe probe tcp HOST:PORT)'"
check "two targets exit 2" [ "$(exit_code "$np" probe tcp "127.0.0.1:$closed" "127.0.0.1:$closed")" = 2 ]
check "an unknown type exits 2 and lists the types" bash -c "{ '$np' probe dnss 2>&1 || true; } | grep -q 'expected dns, tcp, http, metadata'"
check "a single-valued flag given twice exits 2" [ "$(exit_code "$np" probe tcp --target "127.0.0.1:$closed" --target "127.0.0.1:$closed")" = 2 ]

# dns against a real dnsmasq
free_port dns_port
dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null --user=root --listen-address=127.0.0.1 \
  --bind-interfaces --port="$dns_port" --local=/cluster.local/ --host-record=web.cluster.local,127.0.0.1 2>"$TEST_TMP/dnsmasq.log" &
TEST_PIDS+=($!)
check "dnsmasq listens" wait_until 5 listening "$dns_port"
check "dns over udp and tcp: one JSON line per check" [ "$("$np" probe dns --server "127.0.0.1:$dns_port" --query web.cluster.local. --transport udp --transport tcp --json | jq -r .outcome | tr '\n' ' ')" = "ok ok " ]
check "a query without its trailing dot is absolute, as in dig" [ "$("$np" probe dns web.cluster.local --server "127.0.0.1:$dns_port" --json | jq -r '.outcome + " " + .detail' | cut -d' ' -f1-3)" = "ok A web.cluster.local." ]
check "NXDOMAIN exits 1 with outcome nxdomain" [ "$("$np" probe dns --server "127.0.0.1:$dns_port" --query nope.cluster.local. --json | jq -r .outcome)" = nxdomain ]
check "expect-rcode NXDOMAIN turns it into a success" [ "$(exit_code "$np" probe dns --server "127.0.0.1:$dns_port" --query nope.cluster.local. --expect-rcode NXDOMAIN)" = 0 ]
check "a host name is resolved through --resolver" [ "$("$np" probe tcp --target "web.cluster.local:$closed" --resolver "127.0.0.1:$dns_port" --json | jq -r .outcome)" = refused ]
check "an unknown host name is resolve_error" [ "$("$np" probe tcp --target "nope.cluster.local:80" --resolver "127.0.0.1:$dns_port" --json | jq -r .outcome)" = resolve_error ]
check "an AAAA query the name has no AAAA for passes, saying NODATA" \
  bash -c "'$np' probe dns web.cluster.local --server 127.0.0.1:$dns_port --record AAAA --json | jq -e '.outcome == \"ok\" and (.detail | contains(\"NODATA\"))' >/dev/null"
check "…and fails as dns_error with --expect-answers (exit 1)" \
  [ "$(exit_code "$np" probe dns web.cluster.local --server "127.0.0.1:$dns_port" --record AAAA --expect-answers)" = 1 ]
check "  outcome dns_error" [ "$("$np" probe dns web.cluster.local --server "127.0.0.1:$dns_port" --record AAAA --expect-answers --json | jq -r .outcome)" = dns_error ]

# http against an agent's /healthz, and netprobe status against a controller
free_port agent_port
"$bin/netprobe-agent" --listen "127.0.0.1:$agent_port" --node cli-node 2>"$TEST_TMP/agent.log" &
TEST_PIDS+=($!)
check "the agent listens" wait_until 10 listening "$agent_port"
check "http 200 is ok" [ "$(exit_code "$np" probe http --url "http://127.0.0.1:$agent_port/healthz")" = 0 ]
check "http 404 is http_status" [ "$("$np" probe http --url "http://127.0.0.1:$agent_port/nope" --json | jq -r .outcome)" = http_status ]

# https behind a private CA: a server certificate for web.internal only (no IP SAN), on loopback.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=netprobe test CA" \
  -keyout "$TEST_TMP/ca.key" -out "$TEST_TMP/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=web.internal" -keyout "$TEST_TMP/web.key" -out "$TEST_TMP/web.csr" 2>/dev/null
printf 'subjectAltName=DNS:web.internal\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$TEST_TMP/web.ext"
openssl x509 -req -in "$TEST_TMP/web.csr" -CA "$TEST_TMP/ca.pem" -CAkey "$TEST_TMP/ca.key" -CAcreateserial -days 1 \
  -extfile "$TEST_TMP/web.ext" -out "$TEST_TMP/web.pem" 2>/dev/null
free_port tls_port
openssl s_server -quiet -www -accept "127.0.0.1:$tls_port" -cert "$TEST_TMP/web.pem" -key "$TEST_TMP/web.key" \
  </dev/null >"$TEST_TMP/s_server.log" 2>&1 &
TEST_PIDS+=($!)
check "openssl s_server listens" wait_until 5 listening "$tls_port"
https_outcome() { "$np" probe http "https://127.0.0.1:$tls_port/" --json "$@" | jq -r .outcome; }
check "https to a private CA's server, untrusted: tls_error" [ "$(https_outcome)" = tls_error ]
check "--insecure: ok (the handshake, no certificate check)" [ "$(https_outcome --insecure)" = ok ]
check "--ca-file alone: tls_error (the certificate names web.internal, not 127.0.0.1)" \
  [ "$(https_outcome --ca-file "$TEST_TMP/ca.pem")" = tls_error ]
check "--ca-file with --server-name web.internal: ok" \
  [ "$(https_outcome --ca-file "$TEST_TMP/ca.pem" --server-name web.internal)" = ok ]
check "--server-name on an http:// URL names the flags (exit 2)" bash -c \
  "{ '$np' probe http http://127.0.0.1:1/ --server-name x 2>&1 || true; } | grep -qF -- '--server-name or --insecure: only for https:// URLs'"

free_port controller_port
echo t0ken > "$TEST_TMP/agent-token"
echo api-t0ken > "$TEST_TMP/api-token"
cat > "$TEST_TMP/controller.yaml" <<YAML
adhoc:
  allow_cidrs: ["127.0.0.0/8"]
  rate_per_minute: 8  # per client address: the CLI's calls come from 127.0.0.1, the rate test's from 127.0.0.2
probes:  # assigned to every agent in the reply to its reports
  - {name: assigned, type: tcp, target: "127.0.0.1:$closed", interval: 1s, timeout: 500ms, expect: deny}
YAML
"$bin/netprobe-controller" --listen "127.0.0.1:$controller_port" --config "$TEST_TMP/controller.yaml" \
  --agent-token-file "$TEST_TMP/agent-token" --api-token-file "$TEST_TMP/api-token" 2>"$TEST_TMP/controller.log" &
TEST_PIDS+=($!)
check "the controller listens" wait_until 10 listening "$controller_port"
ctl=http://127.0.0.1:$controller_port
check "status with no agent reporting exits 3 (blind, not green)" [ "$(exit_code "$np" status --controller "$ctl")" = 3 ]
check "…and says nothing is being checked" bash -c "'$np' status --controller $ctl | grep -q 'no agent is reporting: nothing is being checked'"
# report NODE OUTCOME [PROBE] [INTERVAL_SECONDS]: one result, as an agent posts it.
report() {
  curl -fsS -X POST -H 'Authorization: Bearer t0ken' "$ctl/api/v1/reports" -d '{
    "node": "'"$1"'", "namespace": "monitoring", "interval_seconds": '"${4:-10}"', "results": [{"probe": "'"${3:-kube-dns}"'",
    "type": "dns", "target": "127.0.0.1:53", "transport": "udp", "expect": "allow", "outcome": "'"$2"'",
    "success": '"$([ "$2" = ok ] && echo true || echo false)"', "duration_seconds": 2, "detail": "no response",
    "time": "2026-11-26T10:00:00Z"}]}' >/dev/null
}
report node-ok ok other
check "status with agents reporting and nothing failing exits 0" [ "$(exit_code "$np" status --controller "$ctl")" = 0 ]
check "\$NETPROBE_CONTROLLER names the controller" [ "$(NETPROBE_CONTROLLER=$ctl exit_code "$np" status)" = 0 ]
report node-a timeout
check "status with a failing target exits 1" [ "$(exit_code "$np" status --controller "$ctl")" = 1 ]
check "status names the failing node and outcome" bash -c "'$np' status --controller $ctl | grep -q 'node-a (timeout)'"
check "status --json is the controller's JSON" [ "$("$np" status --controller "$ctl" --json | jq -r '.targets[0].failing_nodes')" = 1 ]
check "--probe other: only that probe's targets, and they pass (exit 0)" [ "$(exit_code "$np" status --controller "$ctl" --probe other)" = 0 ]
check "--probe other prints no kube-dns line" bash -c "! '$np' status --controller $ctl --probe other | grep -q '^kube-dns'"
check "--failing prints only the failing target" bash -c "'$np' status --controller $ctl --failing | grep -q '^kube-dns' && ! '$np' status --controller $ctl --failing | grep -q '^other'"
check "--node node-ok: as that node sees it, passing (exit 0)" [ "$(exit_code "$np" status --controller "$ctl" --node node-ok)" = 0 ]
check "--node node-a: failing (exit 1)" [ "$(exit_code "$np" status --controller "$ctl" --node node-a)" = 1 ]
check "--node nobody: no agent there (exit 3)" [ "$(exit_code "$np" status --controller "$ctl" --node nobody)" = 3 ]
check "--node with a name that needs encoding is sent encoded" [ "$(exit_code "$np" status --controller "$ctl" --node 'a b&c')" = 3 ]
for i in $(seq 1 14); do report "node-$i" refused; done
status_text() { "$np" status --controller "$ctl" "$@" || true; }  # its exit status is checked apart
line=$(status_text | grep '^kube-dns')
check "a long node list is cut, in natural order: $(cut -c 80- <<<"$line")" \
  grep -q 'node-1 (refused), node-2 (refused), .*node-10 (refused) and 5 more' <<<"$line"
report node-stale ok other 0.1  # a 0.1 s interval: stale within a second
wait_stale() { status_text | grep -q '1 stale: node-stale'; }
check "a stale agent is shown" wait_until 5 wait_stale
check "--findings with --node is a usage error (exit 2)" [ "$(exit_code "$np" status --controller "$ctl" --findings --node a)" = 2 ]
check "a controller URL without its scheme: exit 2, and what to add" bash -c \
  "'$np' status --controller 127.0.0.1:$controller_port 2>&1 | grep -q 'add http:// (http://127.0.0.1:$controller_port)'"
# An agent reporting to the controller runs the probe the controller assigns.
free_port reporting_port
"$bin/netprobe-agent" --listen "127.0.0.1:$reporting_port" --node node-r --token-file "$TEST_TMP/agent-token" \
  --controller "http://127.0.0.1:$controller_port" 2>"$TEST_TMP/reporting-agent.log" &
TEST_PIDS+=($!)
check "an agent runs the probes its controller assigns" wait_until 10 metric_is "http://127.0.0.1:$reporting_port/metrics" \
  'netprobe_probe_success{expect="deny",probe="assigned",target="127.0.0.1:'"$closed"'",transport="tcp",type="tcp"}' 1

# netprobe probe … --all-nodes / --nodes: the ad hoc API from the command line.
fleet() { "$np" probe tcp "127.0.0.1:$closed" --controller "$ctl" --token-file "$TEST_TMP/api-token" "$@"; }
fleet_text() { fleet "$@" || true; }
check "--nodes node-r: that agent's result, one line with its node" bash -c \
  "'$np' probe tcp 127.0.0.1:$closed --controller $ctl --token-file '$TEST_TMP/api-token' --nodes node-r --expect deny | grep -q '^node-r  *PASS  refused  127.0.0.1:$closed'"
all_nodes=$(fleet_text --all-nodes)
check "--all-nodes: a line per reporting agent and a summary: $(tail -1 <<<"$all_nodes")" \
  grep -qE '^17 nodes: 0 passed, 17 failed \(agent_unreachable 16, refused 1\)$' <<<"$all_nodes"
check "…in the natural order of the nodes" \
  [ "$(grep -oE '^node-[0-9]+ ' <<<"$all_nodes" | head -3 | tr -d ' ' | tr '\n' ' ')" = "node-1 node-2 node-3 " ]
check "a failed result exits 1, from \$NETPROBE_CONTROLLER and \$NETPROBE_API_TOKEN_FILE" \
  [ "$(NETPROBE_CONTROLLER=$ctl NETPROBE_API_TOKEN_FILE=$TEST_TMP/api-token exit_code "$np" probe tcp "127.0.0.1:$closed" --nodes node-r)" = 1 ]
check "without a token file: exit 2 and what to pass" bash -c \
  "{ '$np' probe tcp 127.0.0.1:$closed --all-nodes --controller $ctl 2>&1 || true; } | grep -q 'pass --token-file FILE or set \$NETPROBE_API_TOKEN_FILE'"
check "the agent token is not enough: 401, exit 2" \
  [ "$(exit_code "$np" probe tcp "127.0.0.1:$closed" --all-nodes --controller "$ctl" --token-file "$TEST_TMP/agent-token")" = 2 ]
check "an unknown node: the controller's 404 unknown_node, exit 2" bash -c \
  "{ '$np' probe tcp 127.0.0.1:$closed --nodes nobody --controller $ctl --token-file '$TEST_TMP/api-token' 2>&1 || true; } | grep -q 'answered 404 unknown_node'"
check "--all-nodes with --nodes is a usage error" [ "$(exit_code fleet --all-nodes --nodes node-r)" = 2 ]
check "--controller without nodes is a usage error" [ "$(exit_code "$np" probe tcp "127.0.0.1:$closed" --controller "$ctl")" = 2 ]
check "a controller that is not there: exit 4" [ "$(exit_code "$np" probe tcp "127.0.0.1:$closed" --all-nodes --controller "http://127.0.0.1:$closed" --token-file "$TEST_TMP/api-token")" = 4 ]

adhoc() {
  curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 -X POST -H 'Authorization: Bearer api-t0ken' \
    "http://127.0.0.1:$controller_port/api/v1/probes" -d '{"probe": {"type": "tcp", "target": "127.0.0.1:'"$closed"'"}, "nodes": ["node-r"]}'
}
codes=""
for _ in $(seq 8); do codes+="$(adhoc) "; done
check "ad hoc probes within the rate are answered" [ "$codes" = "200 200 200 200 200 200 200 200 " ]
check "beyond rate_per_minute they get 429" [ "$(adhoc)" = 429 ]
check "status against nothing exits 4 (unreachable)" [ "$(exit_code "$np" status --controller "http://127.0.0.1:$closed" --timeout 1s)" = 4 ]

finish
