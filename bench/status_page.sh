#!/usr/bin/env bash
# The status page at fleet size (issue 14's goal: at 5,000 agents × 30 results the page is
# ≤ 1 MB and rendered in ≤ 1 s). A controller on loopback takes controller-load's 5,000 agents ×
# 30 results every 10 s (about 2 % of (agent, check) pairs failing, 1 % more each round), and
# while the load goes on the overview (GET /), its second page of matrix rows, a node's page and
# a target's page are fetched five times each: bytes and server time (curl's time to the last
# byte on loopback), against the peer the page is rendered from, GET /api/v1/status (the same
# picture as JSON) fetched in the same moments. The overview is then loaded in headless chromium
# (chromedriver, tests/support/webdriver.py): the time from navigation to the load event, the
# page's script run. Loopback only; nothing is probed. Stops by itself (about 2 minutes).
#   bench/status_page.sh [--agents N] [--keep]
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

agents=5000 keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --agents) need_value "$@"; agents=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ $agents =~ ^[0-9]+$ ]] && [ "$agents" -ge 10 ] && [ "$agents" -le 20000 ] || die "--agents: 10 to 20000"
ensure_packages test
bin=$NETPROBE_BUILD/bin
for b in netprobe-controller controller-load; do
  [ -x "$bin/$b" ] || die "no $bin/$b: build first (scripts/test, or NETPROBE_BUILD=…)"
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

bench_workdir netprobe-status-page
source "$NETPROBE_ROOT/scripts/wait_until.sh"
bench_tokens
cat > "$work/controller.yaml" <<'YAML'
stale_after: 3
max_failing_series: 500
adhoc: {allow_cidrs: ["127.0.0.0/8"], allow_suffixes: []}
limits: {max_connections_per_client: 100000}
YAML
free_port port
ctl=http://127.0.0.1:$port
"$bin/netprobe-controller" --config "$work/controller.yaml" --listen "127.0.0.1:$port" --log-level warn \
  --agent-token-file "$work/agent-token" --api-token-file "$work/api-token" 2>>"$work/controller.log" &
pids+=("$!")
wait_http "$ctl/readyz" "$!" || die "the controller did not start ($(tail -2 "$work/controller.log"))"

log "$agents agents × 30 results every 10 s for 100 s"
"$bin/controller-load" --controller "127.0.0.1:$port" --controller-pid "${pids[0]}" \
  --agent-token-file "$work/agent-token" --api-token-file "$work/api-token" --agents "$agents" \
  --duration 100s --listening-agents 0 --no-fanout-all --scrape-interval 0s --metrics-gets 1 \
  > "$work/load.txt" 2>"$work/load.err" &
load_pid=$!
pids+=("$load_pid")
reporting() { [ "$(curl -fsS "$ctl/api/v1/status" | jq '[.agents[] | select(.state == "reporting")] | length')" -ge "$agents" ]; }
wait_until 60 reporting || die "not every agent reported within 60 s ($(tail -2 "$work/load.err"))"
# Failing entries grow by 1 % a round: wait for 3 % of every (agent, check), a fleet that has run a while.
failing_enough() {
  [ "$(curl -fsS "$ctl/api/v1/status" | jq '[.targets[].failing_nodes] | add // 0')" -ge $((agents * 30 * 3 / 100)) ]
}
wait_until 60 failing_enough || die "failing entries did not reach 3 % within 60 s"

status=$(curl -fsS "$ctl/api/v1/status")
node=$(jq -r '[.targets[] | select(.failing_nodes > 0)][0].failing[0].node' <<<"$status")
target_query=$(jq -r '[.targets[] | select(.failing_nodes > 0)] | max_by(.failing_nodes) |
  "probe=\(.probe | @uri)&target=\(.target | @uri)&transport=\(.transport | @uri)"' <<<"$status")
declare -A paths=([overview]="/" [rows-page-2]="/?page=2" [node]="/?node=$node" [target]="/?$target_query"
                  [status-json]="/api/v1/status")
order=(overview rows-page-2 node target status-json)

# fetch NAME: five GETs; prints "bytes median_ms max_ms".
fetch() {
  local url=$ctl${paths[$1]} times=() i out bytes=0
  for i in 1 2 3 4 5; do
    out=$(curl -fsS -o /dev/null -w '%{size_download} %{time_total}' "$url") || die "GET ${paths[$1]} failed"
    bytes=${out% *}
    times+=("$(awk -v t="${out#* }" 'BEGIN { printf "%.2f", t * 1000 }')")
  done
  printf '%s %s %s\n' "$bytes" "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)" \
    "$(printf '%s\n' "${times[@]}" | sort -n | tail -1)"
}
declare -A bytes median slowest
for name in "${order[@]}"; do
  read -r bytes[$name] median[$name] slowest[$name] < <(fetch "$name")
done

# The overview in a real browser, while the load goes on.
browser_ms=null
if command -v chromedriver >/dev/null && command -v chromium >/dev/null; then
  free_port driver_port
  chromedriver --port="$driver_port" --allowed-ips=127.0.0.1 --log-path="$work/chromedriver.log" >/dev/null 2>&1 &
  pids+=("$!")
  wait_until 10 curl -fsS -o /dev/null "http://127.0.0.1:$driver_port/status" || die "chromedriver did not start"
  browser_ms=$(PYTHONPATH="$NETPROBE_ROOT/tests/support" python3 -c '
import sys, webdriver
browser = webdriver.Session(sys.argv[2], ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                          "--user-data-dir=" + sys.argv[3]])
try:
    browser.set_window(1280, 1000)
    times = []
    for _ in range(3):
        browser.get(sys.argv[1] + "/")
        times.append(browser.wait_for("const n = performance.getEntriesByType(\"navigation\")[0];"
                                      " return n && n.loadEventEnd > 0 && n.loadEventEnd - n.startTime", 30))
    print("%.1f" % sorted(times)[1])
finally:
    browser.close()
' "$ctl" "http://127.0.0.1:$driver_port" "$work/profile")
  pkill -KILL -f -- "--user-data-dir=$work/profile" 2>/dev/null || true
fi
wait "$load_pid" 2>/dev/null || true

printf '\nstatus_page: %s agents × 30 results / 10 s, ~2 %% failing (+1 %% per round)\n' "$agents"
printf '  %-14s %10s %12s %12s %16s\n' page bytes "median ms" "slowest ms" "ms vs JSON"
for name in "${order[@]}"; do
  printf '  %-14s %10s %12s %12s %16s\n' "$name" "${bytes[$name]}" "${median[$name]}" "${slowest[$name]}" \
    "$(awk -v a="${median[$name]}" -v b="${median[status-json]}" 'BEGIN { printf "%.2f", a / b }')"
done
printf '  %-14s %s ms, navigation to load event, median of 3\n' "in chromium" "$browser_ms"
size_met=$(( bytes[overview] <= 1048576 ))
render_met=$(awk -v b="$browser_ms" 'BEGIN { print (b != "null" && b <= 1000) ? 1 : 0 }')
printf '  goals: overview ≤ 1 MB: %s; rendered ≤ 1 s: %s\n' "$([ "$size_met" = 1 ] && echo met || echo 'NOT met')" \
  "$([ "$render_met" = 1 ] && echo met || echo 'NOT met')"
jq -cn --argjson agents "$agents" --argjson browser "$browser_ms" \
  --argjson overview "[${bytes[overview]}, ${median[overview]}]" --argjson page2 "[${bytes[rows-page-2]}, ${median[rows-page-2]}]" \
  --argjson node "[${bytes[node]}, ${median[node]}]" --argjson target "[${bytes[target]}, ${median[target]}]" \
  --argjson json "[${bytes[status-json]}, ${median[status-json]}]" \
  '{bench: "status_page", agents: $agents, bytes_and_median_ms: {overview: $overview, rows_page_2: $page2, node: $node,
    target: $target, status_json: $json}, browser_load_ms: $browser,
    goal_met: ($overview[0] <= 1048576 and $browser != null and $browser <= 1000)}'
