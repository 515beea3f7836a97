#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Attack: request bodies as a way to make the daemons hold memory.
#   - 16 connections (the agent: 64, from four addresses) each streaming 64 MiB
#     of chunked body, reconnecting for 8 s, to GET /healthz and to the token
#     routes with their token; /healthz probed kubelet-style meanwhile;
#   - 40 slow uploads at once, each declaring a large Content-Length (the
#     controller: 8 MiB reports; the agent: 60 KiB one-shots);
#   - bodies just over each route's limit, with a Content-Length and chunked;
#     a GET with a body; a token route without its token.
# Holding means: every route reads at most its limit (reports 8 MiB, ad hoc
# probes and one-shots 64 KiB, every other route 0 bytes) and answers 413
# body_too_large the moment it is passed, chunked or not, then closes; a token
# route answers 401 before any body byte is read; bodies in flight share a
# budget (controller 32 MiB, agent 1 MiB), beyond which a request gets 503
# busy with Retry-After; so the controller's peak RSS stays under its idle RSS
# + the budget + 16 MiB, the agent's under 32 MiB, and /healthz is answered throughout.
bin=${1:?usage: bodies_test.sh BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../e2e/netns.sh
source "$(dirname "$0")/../e2e/netns.sh"
# shellcheck source=attack_lib.sh
source "$(dirname "$0")/attack_lib.sh"
attack_setup

ctl_port=9742
agent_port=9743
MIB_KIB=1024

# req ARGS…: one request through attack.py against $port; the JSON in $out.
req() { out=$(attack_py request --port "$port" "$@"); echo "# request $*: $(jq -c '{status, code, answer_seconds, error}' <<<"$out")"; }
status_is() { jq_ok "$out" ".status == $1${2:+ and .code == \"$2\"}"; }
answered_within() { jq_ok "$out" ".answer_seconds != null and .answer_seconds < $1"; }
at_once() { status_is "$@" && answered_within 1; }  # STATUS [CODE]: answered so within 1 s

# flood_with_prober PORT N-HEALTHZ FLOOD-ARGS…: the flood in the background,
# N kubelet-style /healthz checks meanwhile; the flood's summary in $out.
flood_with_prober() {
  local port=$1 n=$2
  shift 2
  attack_bg "$TEST_TMP/flood.log" flood --port "$port" "$@"
  healthz_prober "http://127.0.0.1:$port" "$n"
  wait_until 20 bash -c "grep -q '\"attack\"' '$TEST_TMP/flood.log'" || true
  bg_stop "$BG_PID"
  out=$(bg_summary "$TEST_TMP/flood.log")
  echo "# flood $*: $out; healthz $HEALTHZ_OK/$n"
}

echo "# --- controller ---"
check "controller starts" start_controller controller "$ctl_port" \
  'adhoc: {allow_cidrs: ["127.0.0.1/32"], rate_per_minute: 600}'
port=$ctl_port
for _ in 1 2 3; do up "$ctl" || true; in_ns "$ATTACK_NS" curl -fsS -o /dev/null "$ctl/metrics" || true; done  # warm
idle=$(rss_kib "$ctl_pid")
echo "# controller idle RSS ${idle} KiB"

req --path /healthz --content-length 1000000 --timeout 2
check "GET /healthz declaring a 1 MB body: 413 body_too_large at once (0-byte limit)" \
  at_once 413 body_too_large
req --path /healthz --content-length 10 --send-body 10
check "GET /healthz with a 10-byte body: 413" status_is 413 body_too_large
req --method POST --path /api/v1/probes --token "$API_TOKEN" --content-length 65537 --send-body 65537
check "ad hoc probe body of 64 KiB + 1 (Content-Length): 413" status_is 413 body_too_large
req --method POST --path /api/v1/probes --token "$API_TOKEN" --chunked --send-body 65537
check "ad hoc probe body of 64 KiB + 1 (chunked): 413" status_is 413 body_too_large
req --method POST --path /api/v1/reports --token "$AGENT_TOKEN" --content-length $((8 * 1024 * 1024 + 1))
check "report declaring 8 MiB + 1: 413 at once" at_once 413 body_too_large
req --method POST --path /api/v1/reports --token wrong --content-length $((8 * 1024 * 1024))
check "report with a wrong token declaring 8 MiB: 401 before any body byte" at_once 401
req --method POST --path /api/v1/probes --chunked --timeout 2
check "ad hoc probe without a token, chunked: 401 before any body byte" at_once 401

peak_reset "$ctl_pid"
flood_with_prober "$ctl_port" 6 --method GET --path /healthz --chunked --connections 16 --reconnect --seconds 8
peak=$(peak_kib "$ctl_pid")
check "16 x 64 MiB chunked to GET /healthz: peak RSS ${peak} KiB < idle ${idle} + 64 MiB" \
  [ "$peak" -lt $((idle + 64 * MIB_KIB)) ]
# Bytes sent before the answer include what the kernel buffers on loopback (a few MiB at most):
# well under the 8 MiB a server reading up to a reports-sized limit takes first.
check "  every answer is 413, each before 4 MiB of body was sent" \
  jq_ok "$out" '(.statuses | keys - ["413", "none"] | length == 0) and .statuses["413"] > 0 and .max_body_sent_before_answer < 4194304'
check "  /healthz answered throughout ($HEALTHZ_OK/6)" [ "$HEALTHZ_OK" -eq 6 ]

peak_reset "$ctl_pid"
flood_with_prober "$ctl_port" 6 --path /api/v1/reports --token "$AGENT_TOKEN" --chunked --connections 16 --reconnect --seconds 8
peak=$(peak_kib "$ctl_pid")
check "16 x 64 MiB chunked reports with the token: peak RSS ${peak} KiB < idle ${idle} + 32 MiB budget + 16 MiB" \
  [ "$peak" -lt $((idle + 48 * MIB_KIB)) ]
check "  answers are 413 or 503 only" jq_ok "$out" '(.statuses | keys - ["413", "503", "none"] | length == 0) and .statuses["413"] > 0'
check "  /healthz answered throughout ($HEALTHZ_OK/6)" [ "$HEALTHZ_OK" -eq 6 ]

peak_reset "$ctl_pid"
out=$(attack_py slow-upload --port "$ctl_port" --path /api/v1/reports --token "$AGENT_TOKEN" --connections 40 \
  --size 8M --rate 1M --sources 127.0.0.2-127.0.0.11 --seconds 12)
peak=$(peak_kib "$ctl_pid")
echo "# slow uploads: $out"
check "40 slow 8 MiB reports at once: peak RSS ${peak} KiB < idle ${idle} + 32 MiB budget + 16 MiB" \
  [ "$peak" -lt $((idle + 48 * MIB_KIB)) ]
check "  those over the 32 MiB budget get 503 busy with Retry-After" \
  jq_ok "$out" '.statuses["503"] > 0 and .codes.busy > 0 and .retry_after_on_503'
check "  the controller still serves" up "$ctl"

echo "# --- agent ---"
check "agent starts" start_agent agent "$agent_port" 'probes: []'
port=$agent_port
req --path /healthz --content-length 1000000 --timeout 2
check "agent: GET /healthz declaring a 1 MB body: 413 at once" at_once 413 body_too_large
req --method POST --path /api/v1/probe --token "$AGENT_TOKEN" --content-length 65537 --send-body 65537
check "agent: one-shot body of 64 KiB + 1 (Content-Length): 413" status_is 413 body_too_large
req --method POST --path /api/v1/probe --token "$AGENT_TOKEN" --chunked --send-body 65537
check "agent: one-shot body of 64 KiB + 1 (chunked): 413" status_is 413 body_too_large
req --method POST --path /api/v1/probe --content-length 65536 --timeout 2
check "agent: one-shot without a token: 401 before any body byte" at_once 401

peak_reset "$agent_pid"
flood_with_prober "$agent_port" 6 --method GET --path /healthz --chunked --connections 64 --sources 127.0.0.2-127.0.0.5 \
  --reconnect --seconds 8
peak=$(peak_kib "$agent_pid")
check "agent: 64 x 64 MiB chunked to GET /healthz: peak RSS ${peak} KiB < 32 MiB" [ "$peak" -lt $((32 * MIB_KIB)) ]
check "  every answer is 413" jq_ok "$out" '(.statuses | keys - ["413", "none"] | length == 0) and .statuses["413"] > 0'
check "  /healthz answered throughout ($HEALTHZ_OK/6)" [ "$HEALTHZ_OK" -eq 6 ]

peak_reset "$agent_pid"
flood_with_prober "$agent_port" 6 --path /api/v1/probe --token "$AGENT_TOKEN" --chunked --connections 64 \
  --sources 127.0.0.2-127.0.0.5 --reconnect --seconds 8
peak=$(peak_kib "$agent_pid")
check "agent: 64 x 64 MiB chunked one-shots with the token: peak RSS ${peak} KiB < 32 MiB" [ "$peak" -lt $((32 * MIB_KIB)) ]
check "  answers are 413 or 503 only" jq_ok "$out" '(.statuses | keys - ["413", "503", "none"] | length == 0) and .statuses["413"] > 0'
check "  /healthz answered throughout ($HEALTHZ_OK/6)" [ "$HEALTHZ_OK" -eq 6 ]

out=$(attack_py slow-upload --port "$agent_port" --path /api/v1/probe --token "$AGENT_TOKEN" --connections 40 \
  --size 60k --rate 10k --sources 127.0.0.2-127.0.0.11 --seconds 9)
echo "# agent slow uploads: $out"
check "agent: 40 slow 60 KiB one-shots at once: those over the 1 MiB budget get 503 busy with Retry-After" \
  jq_ok "$out" '.statuses["503"] > 0 and .codes.busy > 0 and .retry_after_on_503'
check "  the agent still serves" up "$agent"
check "both daemons alive" all_alive "$ctl_pid" "$agent_pid"

finish
