#!/usr/bin/env bash
# `netprobe lint` on the fixtures of testdata/lint: the four mistakes of
# README.md ("NetworkPolicy lint") are each found with the right check id and a useful hint, the
# corrected policy set is clean, --json has the documented shape, --explain
# answers with exit 0/1, and an invalid manifest exits 2 naming file:line.
# Offline: nothing here touches the network.
bin=${1:?usage: lint_test.sh BUILD_BIN_DIR}
source "$(dirname "$0")/../lib.sh"

np="$bin/netprobe"
data="$(cd "$(dirname "$0")" && pwd)/testdata/lint"
jqe() { jq -e "$@" >/dev/null; }
exit_code() { set +e; "$@" >/dev/null 2>&1; local status=$?; set -e; echo "$status"; }
# has_finding JSON_FILE CHECK NAMESPACE POLICY HINT_SUBSTRING
has_finding() {
  jq -e --arg c "$2" --arg n "$3" --arg p "$4" --arg h "$5" \
    'any(.findings[]; .check == $c and .namespace == $n and .policy == $p and (.hint | contains($h)))' "$1" >/dev/null
}

broken=(-f "$data/workloads.yaml" -f "$data/broken/policies.yaml")
fixed=(-f "$data/workloads.yaml" -f "$data/fixed")

# -f - reads standard input (kubectl get … -o json | netprobe lint -f -).
set +e; { cat "$data/workloads.yaml"; echo ---; cat "$data/broken/policies.yaml"; } | "$np" lint -f - --json >"$TEST_TMP/stdin.json"; set -e
check "-f - reads the manifests from standard input" \
  jqe 'any(.findings[]; .check == "selector-matches-nothing" and (.source | test("^<stdin>:[0-9]+$")))' "$TEST_TMP/stdin.json"

# A label value with a byte that is not UTF-8: the finding quotes it, --json still prints valid JSON.
sed 's/app: paymnet/app: paym\xe9nt/' "$data/broken/policies.yaml" >"$TEST_TMP/latin1.yaml"
set +e; "$np" lint -f "$data/workloads.yaml" -f "$TEST_TMP/latin1.yaml" --json >"$TEST_TMP/latin1.json"; status=$?; set -e
check "a non-UTF-8 label value: exit 1 ($status), not a crash" [ "$status" -eq 1 ]
check "a non-UTF-8 label value: valid JSON with the byte replaced" \
  jqe 'any(.findings[]; .policy == "payment-ingress" and (.message | contains("paym\ufffdnt")))' "$TEST_TMP/latin1.json"

# The broken set: exit 1, each mistake found.
check "the broken set exits 1 (errors found)" [ "$(exit_code "$np" lint "${broken[@]}")" = 1 ]
set +e; "$np" lint "${broken[@]}" --json >"$TEST_TMP/broken.json"; set -e
check "--json: findings with check, severity, namespace, policy, message, hint (and source: file:line)" \
  jqe '(.findings | length) > 0 and all(.findings[]; (keys - ["source"]) == ["check", "hint", "message", "namespace", "policy", "severity"])' "$TEST_TMP/broken.json"
check "--json: a policy's finding points at its file and line" \
  jqe 'any(.findings[]; .policy == "payment-ingress" and (.source | test("broken/policies.yaml:[0-9]+$")))' "$TEST_TMP/broken.json"
check "mistake 1: dns-egress-blocked in frontend, hint adds UDP and TCP 53" \
  has_finding "$TEST_TMP/broken.json" dns-egress-blocked frontend default-deny "{port: 53, protocol: TCP}"
check "mistake 1 is an error" jqe 'any(.findings[]; .check == "dns-egress-blocked" and .severity == "error")' "$TEST_TMP/broken.json"
check "mistake 2: selector-matches-nothing names payment-ingress and suggests app: payment" \
  has_finding "$TEST_TMP/broken.json" selector-matches-nothing payments payment-ingress "did you mean app: payment?"
check "mistake 2 leaves the payment service open: unprotected-workload (info)" \
  jqe 'any(.findings[]; .check == "unprotected-workload" and .namespace == "payments" and .severity == "info" and (.message | contains("payment")))' "$TEST_TMP/broken.json"
check "mistake 3: scrape-path-blocked for orders' metrics port" \
  has_finding "$TEST_TMP/broken.json" scrape-path-blocked orders default-deny "kubernetes.io/metadata.name: monitoring"
check "mistake 3 names the port" jqe 'any(.findings[]; .check == "scrape-path-blocked" and (.message | contains("orders on metrics port 9090/TCP")))' "$TEST_TMP/broken.json"
check "mistake 4: metadata-blocked for the IAM-annotated orders workload" \
  has_finding "$TEST_TMP/broken.json" metadata-blocked orders orders-egress "except list"
check "mistake 4 names the service account annotation" \
  jqe 'any(.findings[]; .check == "metadata-blocked" and .severity == "warning" and (.message | contains("eks.amazonaws.com/role-arn")))' "$TEST_TMP/broken.json"
check "no other findings than the four mistakes and their consequence" \
  [ "$(jq -r '[.findings[].check] | sort | join(" ")' "$TEST_TMP/broken.json")" = "dns-egress-blocked metadata-blocked scrape-path-blocked selector-matches-nothing unprotected-workload" ]

set +e; "$np" lint "${broken[@]}" >"$TEST_TMP/broken.txt"; set -e
check "text output is grouped by namespace" grep -q '^namespace payments$' "$TEST_TMP/broken.txt"
check "text output points at the policy's file:line" grep -q 'selector-matches-nothing payments/payment-ingress (.*broken/policies.yaml:[0-9][0-9]*)' "$TEST_TMP/broken.txt"
check "text output carries the hint" grep -q 'hint: did you mean app: payment?' "$TEST_TMP/broken.txt"
check "text output ends with a summary" grep -q '^3 error(s), 1 warning(s), 1 info$' "$TEST_TMP/broken.txt"

# The policies alone, as CI lints them from Git: no selector error for want of pods, one note per skipped kind.
"$np" lint -f "$data/fixed" --json > "$TEST_TMP/alone.json" 2> "$TEST_TMP/alone.err" || true
check "policies alone: no selector-matches-nothing without pods or namespaces to match" \
  jq -e '[.findings[] | select(.check == "selector-matches-nothing")] | length == 0' "$TEST_TMP/alone.json"
check "policies alone: a note says podSelectors were not checked" \
  grep -q '^netprobe lint: note: no pods or workloads in the manifests: podSelectors are not checked' "$TEST_TMP/alone.err"
check "policies alone: a note says namespaceSelectors were not checked" \
  grep -q '^netprobe lint: note: no Namespace objects in the manifests: namespaceSelectors are not checked' "$TEST_TMP/alone.err"
check "with the workloads, no such note" bash -c "! '$np' lint -f '$data/workloads.yaml' -f '$data/fixed' 2>&1 >/dev/null | grep -q 'are not checked'"

# The corrected set (a directory, with a kustomization.yaml that is skipped).
check "the corrected set exits 0" [ "$(exit_code "$np" lint "${fixed[@]}")" = 0 ]
check "the corrected set has no finding at all" [ "$("$np" lint "${fixed[@]}" --json)" = '{"findings":[]}' ]
check "the corrected set says so" bash -c "'$np' lint -f '$data/workloads.yaml' -f '$data/fixed' | grep -q '^no findings$'"
check "the corrected set has at least 10 policies" [ "$(grep -c '^kind: NetworkPolicy' "$data/fixed/policies.yaml")" -ge 10 ]
check "--monitoring-namespace moves the scrapers" \
  bash -c "'$np' lint -f '$data/workloads.yaml' -f '$data/fixed' --monitoring-namespace observability --json | jq -e 'any(.findings[]; .check == \"scrape-path-blocked\")' >/dev/null"

# --explain
explain() { "$np" lint "${fixed[@]}" --explain "$@" --json; }
sentence() { "$np" lint "${fixed[@]}" --explain "$@" || true; }
check "explain says it in a sentence by default: allowed, by which policies" \
  [ "$(sentence frontend/web payments/payment:8080/TCP)" = "allowed: no NetworkPolicy blocks frontend/web → payments/payment on 8080/TCP (egress admitted by frontend/web-egress, ingress admitted by payments/payment-ingress)" ]
check "explain: a denial names each side's isolating policies and what no rule admits" \
  [ "$(sentence frontend/web payments/ledger:5432)" = "denied: egress of frontend/web is isolated by frontend/default-deny, frontend/allow-dns, frontend/web-egress; no egress rule admits payments/ledger on 5432/TCP; and ingress of payments/ledger is isolated by payments/ledger-ingress; no ingress rule admits frontend/web on 5432/TCP" ]
check "explain: web may reach payment on 8080 (exit 0)" [ "$(exit_code explain frontend/web payments/payment:8080/TCP)" = 0 ]
check "explain: allowed, with the deciding policies" \
  [ "$(explain frontend/web payments/payment:8080/TCP | jq -c '[.allowed, .egress.isolated, .egress.allowed_by, .ingress.isolated, .ingress.allowed_by]')" = '[true,true,["frontend/web-egress"],true,["payments/payment-ingress"]]' ]
check "explain: web may not reach ledger (exit 1)" [ "$(exit_code explain frontend/web payments/ledger:5432)" = 1 ]
set +e; explain frontend/web payments/ledger:5432 >"$TEST_TMP/denied.json"; set -e
check "explain: denied on both sides, nothing allows it" \
  [ "$(jq -c '[.allowed, .egress.isolated, .egress.allowed_by, .ingress.isolated, .ingress.allowed_by]' "$TEST_TMP/denied.json")" = '[false,true,[],true,[]]' ]
check "explain: DNS over UDP from orders" [ "$(exit_code explain orders/orders kube-system/coredns:53/UDP)" = 0 ]
check "explain: a destination IP (the metadata endpoint) from orders" [ "$(exit_code explain orders/orders 169.254.169.254:80/TCP)" = 0 ] # not-a-destination
check "explain: the broken set blocks it" \
  [ "$(exit_code "$np" lint "${broken[@]}" --explain orders/orders 169.254.169.254:80/TCP)" = 1 ] # not-a-destination
check "explain: an unknown pod exits 2" [ "$(exit_code explain frontend/nope payments/payment:8080)" = 2 ]
check "explain: a bad port exits 2" [ "$(exit_code explain frontend/web payments/payment:http)" = 2 ]

# `kubectl get -o json` output: a List, pods with IPs, a peer selector typo
json_dir="$data/json"
set +e; "$np" lint -f "$json_dir" --json >"$TEST_TMP/json.json"; set -e
check "a kind: List in JSON is read; the peer typo is found" \
  has_finding "$TEST_TMP/json.json" selector-matches-nothing shop api-ingress "did you mean app: client?"
check "explain: a destination IP resolves to the pod that has it (denied: the peer matches nothing)" \
  [ "$(exit_code "$np" lint -f "$json_dir" --explain shop/client 192.0.2.20:8080)" = 1 ]
check "explain: the policy isolating the pod with that IP is named" \
  [ "$("$np" lint -f "$json_dir" --explain shop/client 192.0.2.20:8080 --json | jq -c '.ingress.isolated_by')" = '["shop/api-ingress"]' ]
check "explain: the sentence names the pod that has the IP" \
  bash -c "{ '$np' lint -f '$json_dir' --explain shop/client 192.0.2.20:8080 || true; } | grep -qF 'denied: ingress of shop/api-7d9f (192.0.2.20) is isolated by shop/api-ingress'"

# Usage and invalid manifests
check "no -f exits 2" [ "$(exit_code "$np" lint)" = 2 ]
check "a missing file exits 2" [ "$(exit_code "$np" lint -f "$data/nope.yaml")" = 2 ]
check "an invalid manifest exits 2" [ "$(exit_code "$np" lint -f "$data/invalid/bad-policy.yaml")" = 2 ]
check "the error names file, line and field" bash -c "'$np' lint -f '$data/invalid/bad-policy.yaml' 2>&1 | grep -q 'invalid/bad-policy.yaml:16: .*protocol: unknown protocol \"TPC\"'"
printf 'kind: NetworkPolicy\nmetadata: [unclosed\n' >"$TEST_TMP/syntax.yaml"
check "broken YAML exits 2 with file:line" bash -c "'$np' lint -f '$TEST_TMP/syntax.yaml' 2>&1 | grep -q 'syntax.yaml:[0-9]*: invalid YAML'"
check "lint --help" bash -c "'$np' lint --help | grep -q -- '--explain'"

finish
