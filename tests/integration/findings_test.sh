#!/usr/bin/env bash
# The controller's live NetworkPolicy analysis (issue 4, deliverable 4): with
# `policy_analysis.paths` it lints the manifests found there every interval, as
# `netprobe lint` does, and serves the findings at GET /api/v1/findings and as
# netprobe_policy_finding series. A fix shows within an interval; a broken
# manifest keeps the last findings and says why; a reload can turn it off.
# Offline: the controller reads files; no agent or DNS server is involved.
bin=${1:?usage: findings_test.sh BUILD_BIN_DIR}
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/loopback_cluster.sh"

data="$(cd "$(dirname "$0")" && pwd)/testdata/lint"
cluster="$TEST_TMP/cluster"  # what a mounted ConfigMap or a sidecar's dump would hold
mkdir -p "$cluster"
cp "$data/workloads.yaml" "$cluster/"
cp "$data/broken/policies.yaml" "$cluster/policies.yaml"

write_controller_config "policy_analysis:
  paths: [\"$cluster\"]
  interval: 1s
  metadata_severity: error"
start_controller

findings() { curl -fsS "$ctl/api/v1/findings"; }
findings_match() { findings | jq -e "$1" >/dev/null; }
finding_series() {  # finding_series CHECK SEVERITY NAMESPACE POLICY
  echo 'netprobe_policy_finding{check="'"$1"'",namespace="'"$3"'",policy="'"$4"'",severity="'"$2"'"}'
}
analysis_successful() { metric_is "$ctl/metrics" netprobe_policy_analysis_successful "$1"; }

# --- the four mistakes, found live ------------------------------------------------
check "the first analysis runs at start" wait_until 5 findings_match '.analysed_at != null'
check "it read the manifests" findings_match '.enabled and .error == null and .policies > 0 and .pods > 0'
check "mistake 1: dns-egress-blocked in frontend" \
  findings_match 'any(.findings[]; .check == "dns-egress-blocked" and .namespace == "frontend")'
check "mistake 2: selector-matches-nothing with the did-you-mean hint" \
  findings_match 'any(.findings[]; .check == "selector-matches-nothing" and .policy == "payment-ingress" and (.hint | contains("app: payment")))'
check "mistake 3: scrape-path-blocked in orders" \
  findings_match 'any(.findings[]; .check == "scrape-path-blocked" and .namespace == "orders")'
check "mistake 4: metadata-blocked, raised to error by metadata_severity" \
  findings_match 'any(.findings[]; .check == "metadata-blocked" and .severity == "error")'
check "findings point at the policy's file:line" \
  findings_match 'any(.findings[]; .policy == "payment-ingress" and (.source | test("cluster/policies.yaml:[0-9]+$")))'
check "the same findings as netprobe lint --json" [ "$(findings | jq -c '[.findings[] | del(.source)]')" = \
  "$("$bin/netprobe" lint -f "$cluster" --metadata-severity error --json | jq -c '[.findings[] | del(.source)]')" ]
exit_code() { set +e; "$@" >/dev/null 2>&1; local code=$?; set -e; echo "$code"; }
check "netprobe status --findings exits 1 on error findings" \
  [ "$(exit_code "$bin/netprobe" status --controller "$ctl" --findings)" = 1 ]
check "netprobe status --findings shows the hint" \
  bash -c "'$bin/netprobe' status --controller '$ctl' --findings | grep -q 'hint: did you mean app: payment?'"
check "netprobe status --findings --json is the controller's JSON" \
  [ "$("$bin/netprobe" status --controller "$ctl" --findings --json | jq '.findings | length')" = 5 ]
check "the status page lists the findings" bash -c "curl -fsS '$ctl/' | grep -q 'did you mean app: payment?'"
check "metric: the selector typo" metric_is "$ctl/metrics" \
  "$(finding_series selector-matches-nothing error payments payment-ingress)" 1
check "metric: the DNS mistake" metric_is "$ctl/metrics" "$(finding_series dns-egress-blocked error frontend default-deny)" 1
check "metric: analysis successful" analysis_successful 1

# --- a manifest is fixed: the findings go within an interval ------------------------
cp "$data/fixed/policies.yaml" "$cluster/policies.yaml"
check "after the fix: no findings" wait_until 5 findings_match '.findings == []'
check "after the fix: netprobe status --findings exits 0" \
  [ "$(exit_code "$bin/netprobe" status --controller "$ctl" --findings)" = 0 ]
check "after the fix: no netprobe_policy_finding series" \
  [ "$(curl -fsS "$ctl/metrics" | grep -c '^netprobe_policy_finding{')" -eq 0 ]

# --- a broken manifest: last findings kept, the error named ------------------------
cp "$data/broken/policies.yaml" "$cluster/policies.yaml"
check "broken again: findings are back" wait_until 5 findings_match '(.findings | length) == 5'
cp "$data/invalid/bad-policy.yaml" "$cluster/zz-bad.yaml"
check "an invalid manifest: the error names file:line" \
  wait_until 5 findings_match '.error != null and (.error | test("zz-bad.yaml:[0-9]+: "))'
check "an invalid manifest: the last findings stay" findings_match '(.findings | length) == 5'
check "an invalid manifest: analysis_successful 0" analysis_successful 0
check "the controller logged it" grep -q '"msg":"policy analysis failed; keeping the last findings"' "$TEST_TMP/controller.log"
rm "$cluster/zz-bad.yaml"
check "fixed: analysis_successful 1 again" wait_until 5 analysis_successful 1

# --- reload without policy_analysis: off, no series ---------------------------------
write_controller_config
kill -HUP "$ctl_pid"
check "after a reload without policy_analysis: disabled" wait_until 5 findings_match '.enabled == false and .findings == []'
check "after the reload: netprobe status --findings says the analysis is off" \
  bash -c "'$bin/netprobe' status --controller '$ctl' --findings | grep -q 'policy analysis is off'"
check "after the reload: no analysis gauge" [ "$(curl -fsS "$ctl/metrics" | grep -c '^netprobe_policy_analysis_successful')" -eq 0 ]

# --- a bad policy_analysis setting is refused at start with file:line: field --------
set +e
"$bin/netprobe-controller" --config <(printf 'policy_analysis:\n  metadata_severity: loud\n') --listen 127.0.0.1:0 \
  >/dev/null 2>"$TEST_TMP/bad-config.log"
status=$?
set -e
check "bad metadata_severity exits 2 ($status)" [ "$status" -eq 2 ]
check "and names the field" grep -qF 'policy_analysis.metadata_severity: unknown severity \"loud\"' "$TEST_TMP/bad-config.log"
finish
