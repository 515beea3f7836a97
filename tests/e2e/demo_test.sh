#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The root demo (scripts/demo, as root) as a user runs it, with --keep: the four NetworkPolicy mistakes of
# the story each detected (the failing entry with its policy verdict) and paged (the alert in
# Alertmanager), the seconds from fault to page printed; then the status page opened through the URL it
# prints, and everything gone after Ctrl-C (SIGINT): no process, no network namespace, no port.
bin=${1:?usage: demo_test.sh BUILD_BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=netns.sh
source "$(dirname "$0")/netns.sh"
netns_require /usr/sbin/dnsmasq curl python3 openssl yq socat
command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null ||
  { echo "skipped: needs prometheus-alertmanager"; exit 77; }
root=$(cd "$(dirname "$0")/../.." && pwd)

summary=$TEST_TMP/summary.jsonl
# Job control: the demo gets its own process group, signalled as a whole like a terminal's Ctrl-C, and
# SIGINT is not ignored in it (bash ignores it in background commands of a script without job control).
set -m
NETPROBE_BUILD=$(dirname "$bin") "$root/scripts/demo" --keep --summary "$summary" >"$TEST_TMP/demo.out" 2>&1 &
demo=$!
set +m
TEST_PIDS+=("$demo")
page_url() { grep -oE 'The status page: http://127\.0\.0\.1:[0-9]+/' "$TEST_TMP/demo.out" | grep -oE 'http://.*'; }
if ! wait_until 280 page_url >/dev/null; then
  fail "the demo printed the status page's URL (--keep)"
  cat "$TEST_TMP/demo.out" >&2
  finish
  exit 1
fi
cat "$TEST_TMP/demo.out"
url=$(page_url)
demo_ns=$(grep -oE 'network namespaces \(np-[0-9]+-\*\)' "$TEST_TMP/demo.out" | grep -oE 'np-[0-9]+')

mistake() { jq -c --argjson n "$1" 'select(.n == $n)' "$summary"; }
is() { mistake "$1" | jq -e "$2" >/dev/null; }
check "four mistakes in the summary" [ "$(wc -l < "$summary")" = 4 ]
for n in 1 2 3 4; do
  check "mistake $n detected and paged, the page after the detection: $(mistake "$n" | jq -c '[.probe, .outcome, .detected_seconds, .paged_seconds]')" \
    is "$n" '.detected_seconds != null and .paged_seconds != null and .paged_seconds >= .detected_seconds'
done
check "1. the sentinel's DNS: timeout, denied (egress) by frontend/default-deny-egress" is 1 \
  '.probe == "kube-dns-service" and .outcome == "timeout" and .policy.verdict == "denied" and .policy.direction == "egress" and
   (.policy.policies | index("frontend/default-deny-egress")) != null'
check "2. the typo: the derived deny probe connects, told as the typo" is 2 \
  '.probe == "derived-deny" and .outcome == "ok" and .policy.policies == ["payment/payment-ingress"] and
   (.policy.reason | contains("app: paymnet matches nothing; app: payment would"))'
check "3. the scrape path: timeout, denied (ingress) by shop/web-ingress" is 3 \
  '.probe == "scrape" and .outcome == "timeout" and .policy.verdict == "denied" and .policy.direction == "ingress" and
   .policy.policies == ["shop/web-ingress"]'
check "4. the metadata endpoint: denied (egress) by monitoring/agent-egress" is 4 \
  '.probe == "metadata" and .policy.verdict == "denied" and .policy.direction == "egress" and .policy.policies == ["monitoring/agent-egress"]'
check "the demo tells the seconds from fault to page" [ "$(grep -c 'detected .* s after the fault, paged .* s after it' "$TEST_TMP/demo.out")" = 4 ]

check "the status page opens at the URL printed ($url)" bash -c "curl -fsS '$url' | grep -q 'kube-dns-service'"
check "…showing the derived deny probe's failure" bash -c "curl -fsS '$url' | grep -q 'derived-deny'"

kill -INT -- "-$demo"
check "Ctrl-C ends the demo" wait_until 20 bash -c "! kill -0 $demo 2>/dev/null"
port=${url#http://127.0.0.1:}
port=${port%/}
check "its status page port is closed" bash -c "! ss -Htln 'sport = :$port' | grep -q ."
check "its network namespaces are gone" bash -c "! ip netns list | grep -q '^$demo_ns-'"
# A function, not bash -c: pgrep would find that shell's own command line.
no_process_in_namespaces() { ! pgrep -f -- "$demo_ns-" >/dev/null; }
check "none of its processes is left" no_process_in_namespaces
finish
