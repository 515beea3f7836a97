#!/usr/bin/env bash
# The controller against a cluster at Kubernetes' own scalability limits, served by the stand-in
# API server (tests/support/kube_apiserver.py): 5,000 nodes, 150,000 pods, 2,000 namespaces and
# 10,000 NetworkPolicies by default. Prints the initial sync time (start → /readyz 200), the first
# analysis (→ findings analysed), the controller's peak RSS, and the latency from one policy
# change to the findings that follow it, against the goals of issue 12:
#   RSS ≤ 512 MiB, one change → findings ≤ 2 s, sync + first analysis ≤ 60 s.
# Loopback only; no agent runs, so nothing is probed. Stops by itself.
#   bench/kube_scale.sh [--nodes N] [--pods N] [--namespaces N] [--policies N] [--changes N] [--keep]
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

nodes=5000 pods=150000 namespaces=2000 policies=10000 changes=5 keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --nodes) need_value "$@"; nodes=$2; shift 2 ;;
    --pods) need_value "$@"; pods=$2; shift 2 ;;
    --namespaces) need_value "$@"; namespaces=$2; shift 2 ;;
    --policies) need_value "$@"; policies=$2; shift 2 ;;
    --changes) need_value "$@"; changes=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
ensure_packages test
bin=$NETPROBE_BUILD/bin
[ -x "$bin/netprobe-controller" ] || die "no $bin/netprobe-controller: build first (scripts/test, or NETPROBE_BUILD=…)"

bench_workdir netprobe-kube-scale
# tests/kube_lib.sh keeps its files under $TEST_TMP and its processes in TEST_PIDS, and polls
# with wait_until (tests/lib.sh is not sourced: it would take over the exit trap).
TEST_TMP=$work TEST_PIDS=()
source "$NETPROBE_ROOT/scripts/wait_until.sh"
source "$NETPROBE_ROOT/tests/kube_lib.sh"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

kube_start >/dev/null
pids+=("${TEST_PIDS[@]}")
log "generating ${nodes} nodes, ${pods} pods, ${namespaces} namespaces, ${policies} policies"
generated=$(kube_generate "{\"nodes\": $nodes, \"pods\": $pods, \"namespaces\": $namespaces, \"networkpolicies\": $policies}")
log "stand-in ready ($(jq -r .seconds <<<"$generated") s to generate)"

free_port ctl_port
ctl=http://127.0.0.1:$ctl_port
printf 'listen: "127.0.0.1:%s"\n' "$ctl_port" > "$work/controller.yaml"
start=$(now_ms)
"$bin/netprobe-controller" --config "$work/controller.yaml" --kubeconfig "$KUBECONFIG_FILE" 2>"$work/controller.log" &
ctl_pid=$!
pids+=("$ctl_pid")
wait_http "$ctl/healthz" "$ctl_pid" || die "the controller did not start: $(tail -3 "$work/controller.log")"

# until SECONDS COMMAND…: polls every 50 ms; fails when time is up or the controller died.
until_true() {
  local deadline=$(( $(now_ms) + $1 * 1000 ))
  shift
  until "$@" >/dev/null 2>&1; do
    kill -0 "$ctl_pid" 2>/dev/null || die "the controller exited: $(tail -3 "$work/controller.log")"
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 0.05  # polling with a deadline
  done
}
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$ctl/readyz")" = 200 ]; }
# One namespace's findings (?namespace=): the whole list of this cluster is tens of megabytes, and
# rendering it every 50 ms would measure the poll, not the controller.
analysed() { curl -fsS "$ctl/api/v1/findings?namespace=ns-0000" | jq -e ".analysed_at != null and .pods == $pods" >/dev/null; }
rss_mib() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$ctl_pid/status"; }

until_true 300 ready || die "not synced within 300 s"
synced_ms=$(( $(now_ms) - start ))
until_true 300 analysed || die "no analysis within 300 s"
analysed_ms=$(( $(now_ms) - start ))
log "synced in ${synced_ms} ms, first analysis at ${analysed_ms} ms"

# One change at a time: a policy's selector gets a typo (a new selector-matches-nothing finding),
# then is fixed (the finding goes). Each is timed from the change to the findings showing it.
policy=$(kube_curl "/apis/networking.k8s.io/v1/namespaces/ns-0000/networkpolicies/policy-00000" -f)
finding_is() {  # finding_is true|false
  curl -fsS "$ctl/api/v1/findings?namespace=ns-0000" |
    jq -e "any(.findings[]; .check == \"selector-matches-nothing\" and .policy == \"policy-00000\") == $1" >/dev/null
}
latencies=()
for i in $(seq "$changes"); do
  for state in typo fixed; do
    if [ "$state" = typo ]; then edited=$(jq -c '.spec.podSelector.matchLabels.app = "app-typo"' <<<"$policy"); want=true
    else edited=$policy; want=false; fi
    t=$(now_ms)
    kube_apply_json "$edited" >/dev/null
    until_true 30 finding_is "$want" || die "change $i ($state) not seen within 30 s"
    latencies+=($(( $(now_ms) - t )))
  done
done
sorted=$(printf '%s\n' "${latencies[@]}" | sort -n)
median=$(sed -n "$(( (${#latencies[@]} + 1) / 2 ))p" <<<"$sorted")
slowest=$(tail -n1 <<<"$sorted")
peak=$(rss_mib)

verdict() { if [ "$1" = 1 ]; then echo "met"; else echo "NOT met"; fi; }
printf '\n%s\n' "kube_scale: ${nodes} nodes, ${pods} pods, ${namespaces} namespaces, ${policies} NetworkPolicies"
printf '  %-38s %8s ms\n' "initial sync (start → /readyz 200)" "$synced_ms"
printf '  %-38s %8s ms   goal ≤ 60,000 ms: %s\n' "sync + first analysis" "$analysed_ms" "$(verdict $(( analysed_ms <= 60000 )))"
printf '  %-38s %8s MiB  goal ≤ 512 MiB: %s\n' "controller peak RSS" "$peak" "$(verdict "$(awk -v r="$peak" 'BEGIN { print (r <= 512) }')")"
printf '  %-38s %8s ms   (median of %d)\n' "one policy change → findings" "$median" "${#latencies[@]}"
printf '  %-38s %8s ms   goal ≤ 2,000 ms: %s\n' "  slowest" "$slowest" "$(verdict $(( slowest <= 2000 )))"
