#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Attack: the status page (GET /), which anyone who reaches the controller may open, and which
# shows what agents sent.
#   - query strings a browser would never send: unknown parameters, values past the bound, a page
#     number past any fleet, malformed percent escapes, a NUL byte, half a target's key, a URL of
#     64 KiB;
#   - markup in what an agent reports (its probe's detail, its target) and in a query value that the
#     page echoes (q=, node=), meant to run in the browser of whoever opens the page.
# Holding means: each hostile query is a 400 that names the parameter, the URL past the header
# limit a 431; nothing an agent or a query sent reaches the page as markup (it is escaped, and the
# Content-Security-Policy allows no inline script even if it did); the controller stays up.
bin=${1:?usage: status_page_test.sh BIN_DIR}
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../e2e/netns.sh
source "$(dirname "$0")/../e2e/netns.sh"
# shellcheck source=attack_lib.sh
source "$(dirname "$0")/attack_lib.sh"
attack_setup

check "controller starts" start_controller controller 9742
markup='<script>alert(1)</script><img src=x onerror=alert(2)>'
result=$(jq -cn --arg detail "$markup" --arg node node-1 '{probe: "evil", type: "tcp", target: "127.0.0.1:9",
  transport: "tcp", expect: "allow", node: $node, namespace: "attack", outcome: "timeout", success: false,
  duration_seconds: 0.5, detail: $detail, time: (now | todate)}')
report=$(jq -cn --argjson result "$result" '{node: "node-1", namespace: "attack", address: "", version: "0.1.0",
  interval_seconds: 10, full: true, results: [$result]}')
code=$(api POST "$ctl/api/v1/reports" "$AGENT_TOKEN" "$report")
check "an agent's report whose detail is markup is taken ($code)" [ "$code" = 200 ]

# page QUERY: the status page's status code, its body in $TEST_TMP/page.html, headers in page.headers.
page() {
  in_ns "$ATTACK_NS" curl -sS --max-time 5 -o "$TEST_TMP/page.html" -D "$TEST_TMP/page.headers" \
    -w '%{http_code}' --path-as-is "$ctl/$1" || true
}
says() { grep -qF -- "$1" "$TEST_TMP/page.html"; }
answered() { [ "$1" = "$2" ] && says "$3"; }  # CODE EXPECTED TEXT
no_markup() { ! grep -qiE '<script>alert|<img src=x' "$TEST_TMP/page.html"; }

code=$(page "")
check "the overview opens (200, $code)" [ "$code" = 200 ]
check "  showing the failing probe" says "evil"
check "  the detail's markup escaped, never as tags" no_markup
check "  with a Content-Security-Policy that runs no inline script" \
  bash -c "grep -i '^content-security-policy:' '$TEST_TMP/page.headers' | grep -q \"script-src 'self'\" &&
           ! grep -i '^content-security-policy:' '$TEST_TMP/page.headers' | grep -q unsafe-inline"

code=$(page "?node=node-1")
check "node-1's page ($code) shows the detail escaped" answered "$code" 200 '&lt;script&gt;'

check "  and no markup" no_markup

encoded=%3Cscript%3Ealert%281%29%3C%2Fscript%3E
for query in "?q=$encoded" "?node=$encoded"; do
  code=$(page "$query")
  check "a query echoing markup ($query, $code): escaped" no_markup
done

long=$(head -c 513 /dev/zero | tr '\0' a)
# hostile QUERY STATUS TEXT: the page answers QUERY with STATUS and a body saying TEXT.
hostile() {
  local code
  code=$(page "$1")
  check "${1:0:60}: $2 saying what is wrong ($code: $(head -c 120 "$TEST_TMP/page.html" | tr '\n' ' '))" \
    answered "$code" "$2" "$3"
}
hostile "?nodes=a" 400 'unknown query parameter "nodes"'
hostile "?q=$long" 400 "q: at most 512 bytes"
hostile "?page=99999999999999999999999" 400 "page: a whole number"
hostile "?page=0" 400 "page: a whole number"
hostile "?page=-1" 400 "page: a whole number"
hostile "?tpage=1e3" 400 "tpage: a whole number"
hostile "?refresh=0" 400 "refresh: seconds"
hostile "?failing=yes" 400 "failing: 1 or 0"
hostile "?probe=evil&target=127.0.0.1:9" 400 "a target's page needs all three"
hostile "?node=node-1&probe=evil&target=127.0.0.1:9&transport=tcp" 400 "not both"
hostile "?node=%zz" 400 "not valid percent-encoding"
hostile "?node=%" 400 "not valid percent-encoding"
hostile "?node=a%00b" 400 "node: no control characters"
hostile "?q=%1b%5b31m" 400 "q: no control characters"
no_control() { [ "$(tr -cd '\000-\010\016-\037' < "$TEST_TMP/page.html" | wc -c)" = 0 ]; }
check "  and no control byte on the page" no_control

huge=$(head -c 65536 /dev/zero | tr '\0' a)
code=$(page "?q=$huge")
check "a URL of 64 KiB: 431, the header limit ($code)" [ "$code" = 431 ]

code=$(page "?node=no-such-node")
check "a node nobody reported: 404 saying so ($code)" answered "$code" 404 no-such-node
check "the controller is alive and answers /healthz" alive_and_up "$ctl_pid" "$ctl"
finish
