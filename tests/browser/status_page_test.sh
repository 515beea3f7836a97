#!/usr/bin/env bash
# The status page in a real browser: a controller and three agents on loopback (a real DNS
# server, a port nothing listens on), the page loaded in headless Debian chromium through
# chromedriver, its rendered DOM checked (tests/browser/status_page.py): the matrix, a failing
# row, the relative time, refreshes that keep the reader's place, a node's and a target's page.
# Screenshots are kept in the build's test-artifacts/ directory.
bin=${1:?usage: status_page_test.sh BUILD_BIN_DIR}
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../integration/loopback_cluster.sh"

require dnsmasq chromium chromedriver python3

start_dns
write_controller_config
start_controller
# Every agent probes DNS (passes) and a port nothing listens on (refused: the failing row);
# node-3 runs one check more, so the matrix has two rows: node-1 and node-2 alike, node-3 apart.
cat >> "$TEST_TMP/agent.yaml" <<YAML
  - name: scrape
    type: tcp
    target: 127.0.0.1:$closed_port
YAML
start_agent 1
start_agent 2
cat >> "$TEST_TMP/agent.yaml" <<YAML
  - name: controller
    type: tcp
    target: 127.0.0.1:$ctl_port
YAML
start_agent 3
check "three agents report the failing check" wait_until 10 status_is \
  '[.targets[] | select(.probe == "scrape") | .failing_nodes]' '[3]'

artifacts=$(realpath -m "$bin/../test-artifacts/status_page")
rm -rf "$artifacts" && mkdir -p "$artifacts"
free_port driver_port
# Its own output closed: chromium inherits it and would hold the test's pipe open.
chromedriver --port="$driver_port" --allowed-ips=127.0.0.1 --log-path="$TEST_TMP/chromedriver.log" >/dev/null 2>&1 &
TEST_PIDS+=("$!")
wait_until 10 curl -fsS "http://127.0.0.1:$driver_port/status" >/dev/null ||
  { echo "chromedriver did not start:" >&2; cat "$TEST_TMP/chromedriver.log" >&2; exit 1; }

browser_status=0
python3 "$(dirname "$0")/status_page.py" "$ctl" "http://127.0.0.1:$driver_port" "$artifacts" || browser_status=$?
check "the browser checks pass" [ "$browser_status" -eq 0 ]
# The session's end quits chromium; nothing of it may outlive the test.
browser_gone() { ! pgrep -f -- "--user-data-dir=$artifacts/profile" >/dev/null; }
check "chromium has quit" wait_until 10 browser_gone
pkill -KILL -f -- "--user-data-dir=$artifacts/profile" 2>/dev/null || true
check "screenshots kept in $artifacts" [ -s "$artifacts/status-page.png" ] && [ -s "$artifacts/status-page-node.png" ]
rm -rf "$artifacts/profile"
finish
