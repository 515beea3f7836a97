#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Attack: a hostile or broken Kubernetes API server. The controller is its client
# (--kubeconfig), so everything that server sends is outside input. The stand-in
# (tests/support/kube_apiserver.py) answers the next list or watch of networkpolicies
# in one of its hostile modes (POST /hostile, kube_hostile in tests/kube_lib.sh):
#   huge_event       a watch event line of 5 MiB (the client's limit is 4 MiB), then valid events
#   garbage          200 lines of random non-JSON bytes in a watch, then valid events
#   deep_json        an event, and a list, nested 100,000 levels
#   wrong_types      valid JSON, wrong types (metadata.name and resourceVersion numbers, labels
#                    holding objects, items an object, a Status whose code is a string)
#   stall_headers    a watch, and a list, never answered (the server gives up after 6 s); then a
#                    watch unanswered for 40 s (the controller gives up after 15 s)
#   trickle          a watch body of one byte a second, never a newline (8 s), then the connection cut
#   bad_chunking     a watch, and a list, whose chunked encoding breaks; then five watches in a row
#   expired          three lists in a row answered 410 Expired (after a watch's ERROR 410)
#   chunk_ext_flood  a watch whose first chunk header never ends, a list whose trailer never ends
#                    (128 MiB of it; the client's read buffer holds 1 MiB)
#   huge_list        two 80 MiB lists in a row (the client's limit is 16 MiB), streamed
# Holding means, for each: the controller keeps running (its pid alive, /healthz 200 and
# answered within 1 s all along), its RSS peak (VmHWM) stays under 200 MiB, the failure is
# counted (netprobe_kubernetes_objects_skipped_total, ..._request_errors_total, ..._relists_total)
# and logged (a JSON line on stderr), and once the hostile answers are used up a change made
# through the control API (the fixtures' `app: paymnet` typo fixed, or made again) shows in
# /api/v1/findings within seconds; failures are retried with a backoff, not in a tight loop (at
# most 20 requests for the policies per mode, and where failures follow one another, the waits
# between them measured: 1 s doubling, each stretched by up to 50 %).
#
# The backoff (lib/kube/backoff.hpp) is reset by a list that completes or a watch that ends
# normally, and nothing else: a watch that streams for minutes keeps the backoff of the failures
# before it. So that each mode starts from the first step (and the waits stay short), a mode
# begins once a watch of the policies has run 1.5 s and ends that watch cleanly (the stand-in's
# /watches/drop "end", a final chunk): the controller resets its backoff and watches again at
# once, and that next watch (or the list its ERROR 410 leads to) gets the hostile answer.
# Every wait has a deadline; no hostile answer lasts more than 55 s (most last a few); the whole
# test takes about three minutes. Everything (the stand-in, the controller, every curl) runs in
# the loopback-only namespace.
#
# The defects this test found (a dropped huge event, a huge list costing ~600 MiB, an unbounded
# read buffer, broken watches and 410s retried with no backoff, lost parse reasons) were fixed in
# 160b101, and the cap on a flood of warnings now holds per request, not per socket read; the
# checks below assert the behaviour that replaced them.
bin=${1:?usage: kube_api_test.sh BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../e2e/netns.sh
source "$(dirname "$0")/../e2e/netns.sh"
# shellcheck source=attack_lib.sh
source "$(dirname "$0")/attack_lib.sh"
# shellcheck source=../kube_lib.sh
source "$(dirname "$0")/../kube_lib.sh"
attack_setup yq openssl
data="$(cd "$(dirname "$0")/../integration/testdata/kube" && pwd)"
test_start=$SECONDS

# --- the stand-in and the controller, both in the namespace -------------------------------------
KUBE_EXEC=(ip netns exec "$(ns "$ATTACK_NS")")
# shellcheck disable=SC2119 # no server flags
kube_start
kube_load "$data" >/dev/null
ctl_port=9742
ctl=http://127.0.0.1:$ctl_port
ctl_log=$TEST_TMP/controller.log
printf '%s\n' 'policy_analysis:' '  metadata_severity: error' > "$TEST_TMP/controller.yaml"
ns_start "$ATTACK_NS" "$ctl_log" "$bin/netprobe-controller" --config "$TEST_TMP/controller.yaml" \
  --listen "127.0.0.1:$ctl_port" --agent-token-file "$TEST_TMP/agent-token" \
  --api-token-file "$TEST_TMP/api-token" --kubeconfig "$KUBECONFIG_FILE"
ctl_pid=$!

get() { in_ns "$ATTACK_NS" curl -fsS --max-time 2 "$ctl$1"; }
ready() { [ "$(in_ns "$ATTACK_NS" curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ctl/readyz")" = 200 ]; }
finding_is() {  # CHECK NAMESPACE true|false: whether the live findings hold one of that check there
  local out
  out=$(get /api/v1/findings) || return 1
  [ "$(jq --arg c "$1" --arg ns "$2" 'any(.findings[]; .check == $c and .namespace == $ns)' <<<"$out")" = "$3" ]
}
watching_np() { kube_watching networkpolicies.networking.k8s.io; }
watch_settled() {  # a watch of the policies has been open 1.5 s or more (ending it now resets the backoff)
  kube_control GET /watches | jq -e '[.watches[] | select(.resource == "networkpolicies.networking.k8s.io"
    and now - .started >= 1.5)] | length > 0' >/dev/null
}

# /healthz, four times a second all along: "ms code seconds" lines.
sample_healthz() {
  while :; do
    echo "$(now_ms) $(in_ns "$ATTACK_NS" curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 2 \
      "$ctl/healthz" || true)" >> "$TEST_TMP/healthz.samples"
    sleep 0.25  # pacing
  done
}
sample_healthz &
TEST_PIDS+=("$!")

# np_sum FAMILY [LABEL]: the sum of a family's networkpolicies series (0 when there are none);
# with LABEL (e.g. code="0"), of the series holding it only.
np_sum() {
  get /metrics | awk -v family="$1{" -v label="${2:-}" 'index($1, family) == 1 && $1 ~ /resource="networkpolicies"/ &&
    (label == "" || index($1, label) > 0) { sum += $2 } END { printf "%d", sum }'
}
skipped() { np_sum netprobe_kubernetes_objects_skipped_total; }
errors() { np_sum netprobe_kubernetes_request_errors_total; }
broken() { np_sum netprobe_kubernetes_request_errors_total 'code="0"'; }  # no HTTP status: the connection failed
relists() { np_sum netprobe_kubernetes_relists_total "reason=\"$1\""; }  # REASON

# recovers SECONDS: a change through the control API reaches the findings in time: the typo
# of payment-ingress fixed while it is there, made again when it is not.
policy() {
  yq -c 'select(. != null and .metadata.name == "payment-ingress")' "$data/networkpolicies.yaml" |
    jq -c --arg app "$1" '.spec.podSelector.matchLabels.app = $app'
}
typo=true
recovers() {
  if [ "$typo" = true ]; then typo=false; kube_apply_json "$(policy payment)" >/dev/null
  else typo=true; kube_apply_json "$(policy paymnet)" >/dev/null; fi
  wait_until "$1" finding_is selector-matches-nothing payment "$typo"
}

# The hostile answers, on the policies. rule_id: the rule's id, for kube_hostile_done/sent. The open
# watch is ended cleanly: the controller resets its backoff and watches again at once.
hostile_watch() {  # MODE [COUNT [OPTIONS_JSON]]: the next watch(es) answer so
  local options=${3:-'{}'}
  rule_id=$(kube_hostile networkpolicies "$1" "${2:-1}" "$(jq -c '. + {on: "watch"}' <<<"$options")" | jq .id)
  kube_drop_watches end >/dev/null
}
hostile_list() {  # MODE [COUNT [OPTIONS_JSON]]: the next list(s); a watch's ERROR 410 makes it list
  local options=${3:-'{}'}
  rule_id=$(kube_hostile networkpolicies "$1" "${2:-1}" "$(jq -c '. + {on: "list"}' <<<"$options")" | jq .id)
  kube_hostile networkpolicies expired 1 '{"on":"watch"}' >/dev/null
  kube_drop_watches end >/dev/null
}

# mode_begin NAME: a watch that has run (so that ending it resets the backoff), a new RSS peak,
# and the log, the counters and the stand-in's request log as they stand.
PEAKS=()
mode_begin() {
  MODE=$1
  echo "# --- $MODE ---"
  check "$MODE: (before) a watch of the policies runs" wait_until 40 watch_settled
  peak_reset "$ctl_pid"
  log_mark=$(wc -l < "$ctl_log")
  skipped_before=$(skipped)
  errors_before=$(errors)
  broken_before=$(broken)
  lost_before=$(relists lost_event)
  expired_before=$(relists expired)
  seq_before=$(kube_control GET /requests | jq '[.requests[].seq] | max // 0')
  mode_start_ms=$(now_ms)
}
new_log() { tail -n +"$((log_mark + 1))" "$ctl_log"; }
# (grep reads all of its input, without -q: under pipefail, tail killed by SIGPIPE would fail it.)
logged() {  # PATTERN…: each (an extended regexp) is in a line logged since mode_begin
  local pattern
  for pattern in "$@"; do new_log | grep -E -- "$pattern" >/dev/null || return 1; done
}
logged_count() { new_log | grep -cE -- "$1" || true; }  # PATTERN: how many lines since mode_begin
logged_times() { [ "$(logged_count "$1")" -ge "$2" ]; }  # PATTERN N: at least N such lines
skipped_grew() { [ $(($(skipped) - skipped_before)) -ge "$1" ]; }
errors_grew() { [ $(($(errors) - errors_before)) -ge "$1" ]; }
broken_grew() { [ $(($(broken) - broken_before)) -ge "$1" ]; }
lost_grew() { [ $(($(relists lost_event) - lost_before)) -ge "$1" ]; }
expired_grew() { [ $(($(relists expired) - expired_before)) -ge "$1" ]; }
healthz_since_mode() {  # "samples non-200 slowest-seconds" since mode_begin
  awk -v t0="$mode_start_ms" '$1 >= t0 { n++; if ($2 != 200) bad++; if ($3 > max) max = $3 }
    END { printf "%d %d %.2f", n, bad, max }' "$TEST_TMP/healthz.samples"
}
healthz_prompt() {
  local n bad slowest
  read -r n bad slowest <<<"$(healthz_since_mode)"
  [ "$n" -gt 0 ] && [ "$bad" -eq 0 ] && awk -v s="$slowest" 'BEGIN { exit !(s < 1.0) }'
}
np_requests() {  # the requests for the policies the stand-in saw since mode_begin
  kube_control GET "/requests?since=$seq_before" | jq '[.requests[] | select(.path | test("/networkpolicies"))] | length'
}
# survives: alive, /healthz 200 now and promptly all along, RSS peak under 200 MiB, no tight loop.
survives() {
  local peak requests
  peak=$(($(peak_kib "$ctl_pid") / 1024))
  requests=$(np_requests)
  PEAKS+=("$MODE: ${peak} MiB")
  check "$MODE: the controller runs, /healthz 200" alive_and_up "$ctl_pid" "$ctl"
  check "$MODE: its RSS peak (${peak} MiB) is under 200 MiB" [ "$peak" -lt 200 ]
  check "$MODE: /healthz answered within 1 s all along (samples, non-200, slowest s: $(healthz_since_mode))" \
    healthz_prompt
  check "$MODE: $requests requests for the policies in all (at most 20: no tight loop)" [ "$requests" -le 20 ]
}
# answer_gaps ID: the milliseconds from each answer of rule ID to the next, space-separated.
answer_gaps() {
  kube_control GET /hostile | jq -r --argjson id "$1" '[.served[] | select(.rule == $id) | .started] | sort |
    [range(1; length) as $i | (.[$i] - .[$i - 1]) * 1000 | floor | tostring] | join(" ")'
}
# doubling FIRST_MS GAP…: the gaps are a backoff's waits: the i-th (from 0) FIRST·2^i, stretched by
# up to 50 %, plus at most 1.5 s for the failed exchange and the next connection.
doubling() {
  local base=$1 gap
  shift
  [ $# -gt 0 ] || return 1
  for gap in "$@"; do
    [ "$gap" -ge $((base * 95 / 100)) ] && [ "$gap" -le $((base * 3 / 2 + 1500)) ] || return 1
    base=$((base * 2))
  done
}
# answer_bytes ID: what each answer of rule ID wrote, space-separated.
answer_bytes() {
  kube_control GET /hostile | jq -r --argjson id "$1" '[.served[] | select(.rule == $id) | .bytes | tostring] | join(" ")'
}
all_below() {  # LIMIT N…: every N is below LIMIT (and there is one at least)
  local limit=$1 n
  shift
  [ $# -gt 0 ] || return 1
  for n in "$@"; do [ "$n" -lt "$limit" ] || return 1; done
}
mib() { echo $(($1 >> 20)); }
mibs() { local n out=(); for n in "$@"; do out+=("$(mib "$n")"); done; echo "${out[*]}"; }

# --- synced, and nothing hostile yet ---------------------------------------------------------------
check "the controller answers /healthz" wait_until 10 up "$ctl"
check "ready once every resource is listed" wait_until 10 ready
check "the fixtures' typo is found: selector-matches-nothing in payment" \
  wait_until 5 finding_is selector-matches-nothing payment true
check "the policies are watched" wait_until 5 watching_np
check "no object skipped, no request failed yet" [ "$(skipped)-$(errors)" = "0-0" ]

# --- huge_event ----------------------------------------------------------------------------------------
# The event over the 4 MiB line limit is dropped unread, so the object it carried is unknown: the
# controller counts it and lists again (after the backoff's first wait, 1 to 1.5 s).
mode_begin huge_event
hostile_watch huge_event
check "huge_event: the 5 MiB event line was sent" wait_until 10 kube_hostile_sent "$rule_id"
check "huge_event: the dropped event is counted (objects_skipped +1)" wait_until 5 skipped_grew 1
check "huge_event: and listed again (relists{reason=\"lost_event\"} +1)" wait_until 5 lost_grew 1
check "huge_event: logged: listing again (lost_event)" logged '"level":"info".*listing again \(lost_event\)'
check "huge_event: listed and watched again, a change shows within 8 s" recovers 8
survives

# --- garbage -------------------------------------------------------------------------------------------
mode_begin garbage
hostile_watch garbage 1 '{"lines":200}'
check "garbage: 200 random lines were sent" wait_until 10 kube_hostile_sent "$rule_id"
check "garbage: each one counted (objects_skipped +200)" wait_until 5 skipped_grew 200
check "garbage: and logged" logged 'a malformed watch event skipped: not valid JSON'
# Capped per request (Reflector::kMaxNotices), however the client reads the stream: ten warnings
# and, once the watch ends, one line counting the rest.
warnings=$(logged_count 'a malformed watch event skipped')
check "garbage: capped: at most 10 warnings for 200 bad lines in one reply (got $warnings)" \
  [ "$warnings" -le 10 ]
check "garbage: the events after them are applied (a change shows within 5 s)" recovers 5
survives

# --- deep_json -----------------------------------------------------------------------------------------
mode_begin "deep_json (watch)"
hostile_watch deep_json
check "deep_json (watch): an event nested 100,000 levels was sent" wait_until 10 kube_hostile_sent "$rule_id"
check "deep_json (watch): counted (objects_skipped +1)" wait_until 5 skipped_grew 1
check "deep_json (watch): logged as too deep" logged 'a malformed watch event skipped: nested deeper than 32 levels'
check "deep_json (watch): the events after it are applied (a change shows within 5 s)" recovers 5
survives

mode_begin "deep_json (list)"
hostile_list deep_json
check "deep_json (list): a list nested 100,000 levels was sent" wait_until 10 kube_hostile_done "$rule_id"
check "deep_json (list): counted (objects_skipped +1)" wait_until 5 skipped_grew 1
check "deep_json (list): logged, with the parser's reason" \
  logged 'a list reply that cannot be read: nested deeper than 32 levels'
check "deep_json (list): listed again after a backoff, a change shows within 10 s" recovers 10
survives

# --- wrong_types ---------------------------------------------------------------------------------------
mode_begin "wrong_types (watch)"
hostile_watch wrong_types
check "wrong_types (watch): the events were sent" wait_until 10 kube_hostile_done "$rule_id"
check "wrong_types (watch): six wrong-typed events counted (objects_skipped +6)" wait_until 5 skipped_grew 6
check "wrong_types (watch): the ERROR whose code is a string counted as a failed request" wait_until 5 errors_grew 1
check "wrong_types (watch): each logged, saying which field" logged 'metadata.name is not a string' \
  'metadata.resourceVersion is not a string' 'metadata.labels.app: expected a string, found a mapping' \
  'event.type is not a string' 'a watch event has no object'
check "wrong_types (watch): the ERROR logged with its message" \
  logged '"level":"warn".*the watch sent an error: a Status whose code is a string'
check "wrong_types (watch): and not taken for a 410 (relists{reason=\"expired\"} +0)" \
  [ "$(relists expired)" -eq "$expired_before" ]
check "wrong_types (watch): watched again, a change shows within 8 s" recovers 8
survives

# Three lists in turn: items an object, then resourceVersion a number (each refused whole, each
# retried after a longer wait), then the real items mixed with seven bad ones (those skipped).
mode_begin "wrong_types (list)"
hostile_list wrong_types 3
check "wrong_types (list): three lists were sent" wait_until 20 kube_hostile_done "$rule_id" 3
check "wrong_types (list): two lists and seven items counted (objects_skipped +9)" wait_until 5 skipped_grew 9
check "wrong_types (list): logged" logged 'a malformed list reply: items is not a list' \
  'a malformed list reply: metadata.resourceVersion is not a string' 'expected a string, found a mapping'
check "wrong_types (list): the bad items logged as skipped" logged_times 'a list item skipped: ' 4
check "wrong_types (list): the good items of the third list are kept, a change shows within 8 s" recovers 8
check "wrong_types (list): the other findings stay (dns-egress-blocked in frontend)" \
  finding_is dns-egress-blocked frontend true
survives

# --- stall_headers -------------------------------------------------------------------------------------
# First the server gives up (6 s), then the controller does: a watch's headers must come within
# 15 s (the watch itself may then run its timeoutSeconds). A list's bound, 60 s, is longer than a
# test should hold a thread, so the list is only stalled for 6 s.
mode_begin "stall_headers (watch)"
hostile_watch stall_headers 1 '{"seconds":6}'
check "stall_headers (watch): 6 s without a response, then the connection cut" \
  wait_until 15 kube_hostile_done "$rule_id"
check "stall_headers (watch): counted (request_errors{code=\"0\"} +1)" wait_until 5 broken_grew 1
check "stall_headers (watch): logged" logged '"level":"warn".*watch failed: connection closed'
check "stall_headers (watch): watched again, a change shows within 8 s" recovers 8
survives

mode_begin "stall_headers (watch, 40 s)"
hostile_watch stall_headers 1 '{"seconds":40}'
stall_start=$(date +%s)
check "stall_headers (watch, 40 s): the controller gives up at 15 s, logged" \
  wait_until 25 logged '"level":"warn".*watch failed: no response within 15s'
check "stall_headers (watch, 40 s): not before 14 s" test $(( $(date +%s) - stall_start )) -ge 14
check "stall_headers (watch, 40 s): counted (request_errors{code=\"0\"} +1)" wait_until 5 broken_grew 1
check "stall_headers (watch, 40 s): watched again, a change shows within 8 s" recovers 8
survives

mode_begin "stall_headers (list)"
hostile_list stall_headers 1 '{"seconds":6}'
check "stall_headers (list): 6 s without a response, then the connection cut" \
  wait_until 15 kube_hostile_done "$rule_id"
check "stall_headers (list): counted (request_errors +2, with the 410 that led there)" wait_until 5 errors_grew 2
check "stall_headers (list): logged" logged '"level":"warn".*list failed: connection closed'
check "stall_headers (list): listed again, a change shows within 8 s" recovers 8
survives

# --- trickle -------------------------------------------------------------------------------------------
# A watch cut in the middle of an event is a broken watch: a failed request, logged, backed off.
mode_begin trickle
hostile_watch trickle 1 '{"seconds":8}'
check "trickle: 8 s of one byte a second, then the connection cut" wait_until 15 kube_hostile_done "$rule_id"
check "trickle: counted as a failed request (request_errors{code=\"0\"} +1)" wait_until 5 broken_grew 1
check "trickle: logged: the watch broke" logged '"level":"warn".*the watch broke: '
check "trickle: watched again, a change shows within 8 s" recovers 8
survives

# --- bad_chunking --------------------------------------------------------------------------------------
mode_begin "bad_chunking (watch)"
hostile_watch bad_chunking
check "bad_chunking (watch): a BOOKMARK, then a chunk size that is not hex" wait_until 10 kube_hostile_done "$rule_id"
check "bad_chunking (watch): counted as a failed request (request_errors{code=\"0\"} +1)" wait_until 5 broken_grew 1
check "bad_chunking (watch): logged: the watch broke (bad chunk)" logged '"level":"warn".*the watch broke: bad chunk'
check "bad_chunking (watch): watched again, a change shows within 5 s" recovers 5
survives

# Five in a row, each after a BOOKMARK (an event, which made a broken watch look useful before):
# waited for 1, 2, 4 and 8 s (each stretched by up to 50 %), and the sixth after 16 to 24 s.
mode_begin "bad_chunking ×5 (watch)"
hostile_watch bad_chunking 5 '{"variant":"overrun"}'
check "bad_chunking ×5 (watch): five broken watches were answered" wait_until 40 kube_hostile_done "$rule_id" 5
read -r -a gaps <<<"$(answer_gaps "$rule_id")"
check "bad_chunking ×5 (watch): retried after 1, 2, 4, 8 s (×1 to ×1.5; ms between them: ${gaps[*]})" \
  doubling 1000 "${gaps[@]}"
check "bad_chunking ×5 (watch): the five spanned ≥ 15 s ($(( ${gaps[0]:-0} + ${gaps[1]:-0} + ${gaps[2]:-0} + ${gaps[3]:-0} )) ms)" \
  [ $(( ${gaps[0]:-0} + ${gaps[1]:-0} + ${gaps[2]:-0} + ${gaps[3]:-0} )) -ge 15000 ]
check "bad_chunking ×5 (watch): counted (request_errors{code=\"0\"} +5)" wait_until 5 broken_grew 5
check "bad_chunking ×5 (watch): each logged ($(logged_count 'the watch broke: ') of 5)" \
  logged_times '"level":"warn".*the watch broke: ' 5
check "bad_chunking ×5 (watch): watched again after the fifth wait, a change shows within 35 s" recovers 35
survives

mode_begin "bad_chunking (list)"
hostile_list bad_chunking
check "bad_chunking (list): the list's chunked encoding broke" wait_until 10 kube_hostile_done "$rule_id"
check "bad_chunking (list): counted (request_errors +2, with the 410 that led there)" wait_until 5 errors_grew 2
check "bad_chunking (list): counted as no reply (request_errors{code=\"0\"} +1)" broken_grew 1
check "bad_chunking (list): logged" logged '"level":"warn".*list failed: bad chunk'
check "bad_chunking (list): listed again, a change shows within 8 s" recovers 8
survives

# --- expired, again and again ------------------------------------------------------------------------
# A watch's ERROR 410, then three lists answered 410: each relist waits longer than the one before
# (1, 2, 4 s, stretched by up to 50 %), and the fourth list, after 8 to 12 s, is served.
mode_begin "expired ×3 (list)"
hostile_list expired 3
check "expired ×3 (list): three lists answered 410" wait_until 25 kube_hostile_done "$rule_id" 3
read -r -a gaps <<<"$(answer_gaps "$rule_id")"
check "expired ×3 (list): relisted after 2 s, then 4 s (×1 to ×1.5; ms between them: ${gaps[*]})" \
  doubling 2000 "${gaps[@]}"
check "expired ×3 (list): counted (request_errors +4, with the watch's)" wait_until 5 errors_grew 4
check "expired ×3 (list): listed again four times (relists{reason=\"expired\"} +4)" expired_grew 4
check "expired ×3 (list): logged" logged_times 'listing again \(expired\)' 4
check "expired ×3 (list): listed again after the fourth wait, a change shows within 20 s" recovers 20
survives

# --- chunk_ext_flood ------------------------------------------------------------------------------------
# Beast keeps a chunk header or a trailer in the read buffer until it ends; the buffer holds 1 MiB,
# so the exchange fails there instead of growing with every byte (~270 MiB of RSS for 128 MiB).
mode_begin "chunk_ext_flood (watch)"
hostile_watch chunk_ext_flood 1 '{"bytes":134217728}'
check "chunk_ext_flood (watch): one chunk header that never ends was answered" wait_until 40 kube_hostile_done "$rule_id"
read -r -a sent <<<"$(answer_bytes "$rule_id")"
check "chunk_ext_flood (watch): the controller hung up long before 128 MiB ($(mib "${sent[0]:-0}") MiB written)" \
  all_below $((32 << 20)) "${sent[@]}"
check "chunk_ext_flood (watch): counted as a failed request (request_errors{code=\"0\"} +1)" wait_until 5 broken_grew 1
check "chunk_ext_flood (watch): logged: the watch broke" logged '"level":"warn".*the watch broke: '
check "chunk_ext_flood (watch): watched again, a change shows within 8 s" recovers 8
survives

mode_begin "chunk_ext_flood trailer (list)"
hostile_list chunk_ext_flood 1 '{"bytes":134217728,"variant":"trailer"}'
check "chunk_ext_flood trailer (list): a trailer that never ends was answered" wait_until 40 kube_hostile_done "$rule_id"
read -r -a sent <<<"$(answer_bytes "$rule_id")"
check "chunk_ext_flood trailer (list): the controller hung up long before 128 MiB ($(mib "${sent[0]:-0}") MiB written)" \
  all_below $((32 << 20)) "${sent[@]}"
check "chunk_ext_flood trailer (list): counted as no reply (request_errors{code=\"0\"} +1)" wait_until 5 broken_grew 1
check "chunk_ext_flood trailer (list): logged" logged '"level":"warn".*list failed: '
check "chunk_ext_flood trailer (list): listed again, a change shows within 10 s" recovers 10
survives

# --- huge_list (last: the page size it leaves is smaller) -------------------------------------------------
# A list over the 16 MiB body limit is refused unparsed, counted, and the same page asked for again,
# half as large: 500, then 250, then 125 objects.
mode_begin "huge_list ×2"
hostile_list huge_list 2 '{"bytes":83886080}'
check "huge_list ×2: two 80 MiB lists were answered" wait_until 40 kube_hostile_done "$rule_id" 2
read -r -a sent <<<"$(answer_bytes "$rule_id")"
check "huge_list ×2: the controller stopped reading each near its 16 MiB limit (MiB written: $(mibs "${sent[@]}"))" all_below $((40 << 20)) "${sent[@]}"
check "huge_list ×2: each counted (objects_skipped +2)" wait_until 10 skipped_grew 2
check "huge_list ×2: logged, with the page size that follows" \
  logged 'a list page over the size limit; asking for 250 objects a page from now on' \
  'a list page over the size limit; asking for 125 objects a page from now on'
check "huge_list ×2: listed again with smaller pages, a change shows within 15 s" recovers 15
limits=$(kube_control GET "/requests?since=$seq_before" | jq -r '[.requests[] | select(.path |
  test("/networkpolicies\\?limit=")) | .path | capture("limit=(?<n>[0-9]+)").n] | join(" ")')
check "huge_list ×2: the lists asked for 500, 250, then 125 objects (limit=: $limits)" [ "$limits" = "500 250 125" ]
survives

# --- the end ---------------------------------------------------------------------------------------
valid_json_lines() { jq -e . "$ctl_log" >/dev/null; }
check "every line the controller logged is JSON" valid_json_lines
exited() { [ ! -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }  # gone, or a zombie
kill -TERM "$ctl_pid" 2>/dev/null || true
wait_until 15 exited "$ctl_pid" || kill -KILL "$ctl_pid" 2>/dev/null || true
set +e
wait "$ctl_pid"
status=$?
set -e
aborted_line=$(grep -m1 -vE '^\{' "$ctl_log" || true)
check "SIGTERM stops it within 15 s with status 0 (got $status${aborted_line:+: $aborted_line})" \
  [ "$status" -eq 0 ]
echo "# RSS peaks (VmHWM) per mode:"
printf '#   %s\n' "${PEAKS[@]}"
echo "# the stand-in's log: $(grep -c 'api hostile' "$KUBE_LOG") hostile lines; the test took $((SECONDS - test_start)) s"
finish
