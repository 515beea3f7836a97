#!/usr/bin/env bash
# Writes manifests/components/prometheus-operator/prometheusrule.yaml from the plain rules file
# manifests/alerts/netprobe.rules.yaml, the one source of truth: the PrometheusRule's spec is the
# plain file's `groups:` and everything after it, indented under `spec:` (an indentation shift keeps
# YAML's meaning, block scalars included). No YAML tool is needed to generate it.
#   generate-prometheusrule.sh           rewrite the PrometheusRule
#   generate-prometheusrule.sh --check   exit 1, with a diff, when the committed file is out of date
#   generate-prometheusrule.sh --stdout  print it
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rules=$here/netprobe.rules.yaml
out=$here/../components/prometheus-operator/prometheusrule.yaml

render() {
  cat <<'YAML'
# GENERATED from manifests/alerts/netprobe.rules.yaml by manifests/alerts/generate-prometheusrule.sh:
# edit the plain rules file, then run the script (tests/alerts/rules_test.sh fails when they differ).
# The `for:` arithmetic and the label conventions are explained at the top of the plain file.
# prometheus-operator selects PrometheusRules by the Prometheus' ruleSelector: kube-prometheus-stack,
# for one, wants `release: <its release name>`; add that label with kustomize `labels:`.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: netprobe
  labels:
    app.kubernetes.io/name: netprobe
    app.kubernetes.io/component: alerts
spec:
YAML
  # From the `groups:` line on, two more spaces; empty lines stay empty.
  awk '/^groups:/ { on = 1 } on { print ($0 == "" ? "" : "  " $0) }' "$rules"
}

grep -q '^groups:' "$rules" || { echo "$rules: no top-level groups: line" >&2; exit 1; }
case "${1:-}" in
  --check)
    if ! diff -u "$out" <(render); then
      echo "$out is out of date: run $0" >&2
      exit 1
    fi
    ;;
  --stdout) render ;;
  "")
    mkdir -p "$(dirname "$out")"
    render > "$out"
    echo "wrote $out"
    ;;
  *) echo "usage: $0 [--check|--stdout]" >&2; exit 2 ;;
esac
