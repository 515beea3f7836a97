#!/usr/bin/env bash
# The alert rules, judged by promtool (Debian package `prometheus`):
#   - promtool check rules on the plain rules file and on the PrometheusRule's spec;
#   - promtool test rules: manifests/alerts/netprobe.rules.test.yaml;
#   - the PrometheusRule is the plain file's groups, unchanged (generate-prometheusrule.sh --check,
#     and parsed: spec.groups == groups, when yq or python3-yaml is there to parse them);
#   - every alert has severity, summary, description, a runbook_url pointing at its own section of
#     docs/runbooks.md, and in the unit tests a firing case and a case where it does not fire;
#   - the Grafana dashboard is importable as is (its queries: promql_test.sh).
# Without promtool it skips (exit 77), unless run as root, where scripts/packages/test.txt installs it.
bin=${1:?usage: rules_test.sh BUILD_BIN_DIR}  # unused: the rules need no binary; the ctest convention
source "$(dirname "$0")/../lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
rules=$root/manifests/alerts/netprobe.rules.yaml
unit_tests=$root/manifests/alerts/netprobe.rules.test.yaml
prometheusrule=$root/manifests/components/prometheus-operator/prometheusrule.yaml
runbooks=$root/docs/runbooks.md
runbook_base=https://github.com/netprobe/netprobe/blob/main/docs/runbooks.md

if ! command -v promtool >/dev/null; then
  [ "$(id -u)" -ne 0 ] || { echo "FAIL: promtool not installed (package prometheus, scripts/packages/test.txt)" >&2; exit 1; }
  echo "SKIP: promtool not installed (Debian package prometheus)"
  exit 77
fi

# jq_true FILTER [FILE]: the filter's answer is true (jq -e, output dropped).
jq_true() { jq -e "$@" >/dev/null; }

check "promtool check rules $(basename "$rules")" promtool check rules "$rules"
check "promtool test rules $(basename "$unit_tests")" promtool test rules "$unit_tests"
check "the PrometheusRule is generated from the plain file (generate-prometheusrule.sh --check)" \
  "$root/manifests/alerts/generate-prometheusrule.sh" --check
# The PrometheusRule's spec, as a rules file of its own (its lines from `  groups:` on, two spaces less).
awk '/^  groups:/ { on = 1 } on { sub(/^  /, ""); print }' "$prometheusrule" > "$TEST_TMP/prometheusrule-spec.yaml"
check "promtool check rules on the PrometheusRule's spec" promtool check rules "$TEST_TMP/prometheusrule-spec.yaml"

# The dashboard: Grafana JSON whose every query goes to the ${datasource} variable (a prometheus data
# source), so it imports into any Grafana; its queries are checked against Prometheus in promql_test.sh.
dashboard=$root/manifests/dashboard/netprobe.json
check "dashboard: valid JSON, schemaVersion >= 36, a uid and a title" \
  jq_true '(.schemaVersion >= 36) and (.uid | length > 0) and (.title | length > 0)' "$dashboard"
check "dashboard: a datasource variable of type prometheus" \
  jq_true '[.templating.list[] | select(.name == "datasource" and .type == "datasource" and .query == "prometheus")] | length == 1' "$dashboard"
check "dashboard: every panel with queries uses \${datasource}" \
  jq_true '[.. | objects | select(has("targets")) | .datasource.uid, .targets[].datasource.uid] | all(. == "${datasource}")' "$dashboard"
check "dashboard: panel ids are unique" jq_true '[.panels[].id] | length == (unique | length)' "$dashboard"

# yaml_json FILE: the YAML file as JSON (yq from Debian, else python3-yaml); fails without either.
yaml_json() {
  if command -v yq >/dev/null; then
    yq . "$1"
  elif command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null; then
    python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' "$1"
  else
    return 1
  fi
}

if ! yaml_json "$rules" > "$TEST_TMP/rules.json" 2>/dev/null; then
  echo "note: neither yq nor python3-yaml is installed: the parsed comparison and the per-alert checks are left out"
  finish
  exit
fi
yaml_json "$prometheusrule" > "$TEST_TMP/prometheusrule.json"
yaml_json "$unit_tests" > "$TEST_TMP/unit_tests.json"

check "PrometheusRule: apiVersion monitoring.coreos.com/v1, kind PrometheusRule" \
  jq_true '.apiVersion == "monitoring.coreos.com/v1" and .kind == "PrometheusRule" and (.metadata.name | length > 0)' \
  "$TEST_TMP/prometheusrule.json"
check "PrometheusRule spec.groups == the plain file's groups (parsed)" \
  [ "$(jq -S .spec.groups "$TEST_TMP/prometheusrule.json")" = "$(jq -S .groups "$TEST_TMP/rules.json")" ]

alerts=$(jq -r '.groups[].rules[] | .alert // empty' "$TEST_TMP/rules.json")
check "the rules file has alerts" [ -n "$alerts" ]
# The anchors GitHub makes of the runbook's headings: lower case, spaces to dashes, punctuation dropped.
anchors=""
[ ! -f "$runbooks" ] || anchors=$(sed -n 's/^#\{1,6\} \+//p' "$runbooks" | tr 'A-Z ' 'a-z-' | tr -cd 'a-z0-9_\n-')
for alert in $alerts; do
  rule=$(jq -c --arg a "$alert" '.groups[].rules[] | select(.alert == $a)' "$TEST_TMP/rules.json")
  anchor=$(tr 'A-Z' 'a-z' <<< "$alert")
  check "$alert: severity critical, warning or info" \
    jq_true '.labels.severity | IN("critical", "warning", "info")' <<< "$rule"
  check "$alert: summary and description" \
    jq_true '(.annotations.summary | length > 0) and (.annotations.description | length > 0)' <<< "$rule"
  check "$alert: for: is set" jq_true '.for | length > 0' <<< "$rule"
  check "$alert: runbook_url is $runbook_base#$anchor" \
    jq_true --arg url "$runbook_base#$anchor" '.annotations.runbook_url == $url' <<< "$rule"
  check "$alert: docs/runbooks.md has a section #$anchor" grep -qx -- "$anchor" <<< "$anchors"
  check "$alert: a unit test where it fires" jq_true --arg a "$alert" \
    '[.tests[].alert_rule_test[]? | select(.alertname == $a and (.exp_alerts | length > 0))] | length > 0' \
    "$TEST_TMP/unit_tests.json"
  check "$alert: a unit test where it does not fire" jq_true --arg a "$alert" \
    '[.tests[].alert_rule_test[]? | select(.alertname == $a and (.exp_alerts // [] | length == 0))] | length > 0' \
    "$TEST_TMP/unit_tests.json"
done

finish
