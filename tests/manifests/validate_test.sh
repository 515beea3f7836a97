#!/usr/bin/env bash
# The kustomize manifests, judged by the real tools:
#  1. `kubectl kustomize` renders the base, each component (through the overlays under
#     overlays/ and manifests/examples/: the cloud components aws, gcp and azure, for the
#     agents and for a sentinel, among them), a move to another namespace, and Prometheus in
#     a namespace of its own;
#  2. validate.mjs validates every rendered object against the Kubernetes and
#     prometheus-operator OpenAPI schemas (npm kubernetes-models) and asserts the security
#     context, RBAC verbs, token mounts, tolerations, replicas + PDB, NetworkPolicies and
#     the absence of Secrets, the metadata probes (only with a cloud component) and that a
#     component's copy of a config file changes only what it is for; its self-test mutates
#     the objects to prove each check bites, and a sed-broken copy of the rendered base must
#     fail too; the ClusterRole is compared with the resources and verbs the code uses
#     (lib/kube);
#  3. `netprobe lint` finds no error or warning in netprobe's own policies, and --explain
#     confirms the paths they must open and keep closed, in `monitoring` and after an
#     overlay moved everything to another namespace (the peers follow);
#  4. every container is started as its pod would start it (argv, env, mounted config and
#     token files), with the built binaries, in a network namespace with only loopback, and
#     must come up, answer its probes and stop cleanly; a broken config must not.
# Usage: validate_test.sh [BUILD_BIN_DIR]  (without it, or without the binaries, 3 and 4 are
# skipped). Exit 77 (skipped) when kubectl, node or npm is missing, unless run as root (CI): then 1.
# Network: `npm ci` reaches the npm registry once per package-lock.json (cached under
# ~/.cache/netprobe, or $NETPROBE_NPM_PREFIX); nothing else leaves the machine.
bin=${1:-}
source "$(dirname "$0")/../lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$TEST_TMP/rendered"
mkdir -p "$out"

# kubectl (kustomize v5) and Node.js 20 with npm come with the CI machine image, not from
# Debian 12 (its kubectl 1.20 cannot render components; its npm conflicts with that Node.js).
# As root, as in CI, a missing one fails the test rather than skipping the acceptance checks.
for tool in kubectl node npm; do
  if ! command -v "$tool" >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
      echo "FAIL: $tool is not installed (the manifests are rendered with kubectl and validated with node)" >&2
      exit 1
    fi
    echo "SKIP: $tool is not installed (the manifests are rendered with kubectl and validated with node)"
    exit 77
  fi
done

# ---- npm: the schema models, installed once per lock file ---------------------------------------
lock_hash=$(sha256sum "$here/package-lock.json" | cut -c1-16)
modules=${NETPROBE_NPM_PREFIX:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/netprobe/manifest-validation-$lock_hash}
if [ ! -f "$modules/.installed" ]; then
  mkdir -p "$(dirname "$modules")"
  staging=$(mktemp -d "$modules.XXXXXX")
  cp "$here/package.json" "$here/package-lock.json" "$staging/"
  echo "npm ci into $modules"
  # kubernetes-models 5 declares node >= 22 and runs on 20: the engine warning is noise.
  if ! (cd "$staging" && npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error); then
    rm -rf "$staging"
    echo "FAIL: npm ci of tests/manifests/package-lock.json failed" >&2
    exit 1
  fi
  touch "$staging/.installed"
  mv -T "$staging" "$modules" 2>/dev/null || rm -rf "$staging"  # a concurrent run got there first
fi
# Node resolves packages next to the script: run a copy beside a link to the cached modules.
mkdir -p "$TEST_TMP/node"
ln -s "$modules/node_modules" "$TEST_TMP/node/node_modules"
cp "$here/validate.mjs" "$TEST_TMP/node/validate.mjs"
validate() { NETPROBE_SOURCE=$repo node "$TEST_TMP/node/validate.mjs" "$@"; }

# ---- 1. render ----------------------------------------------------------------------------------
declare -A sources=(
  [base]=manifests/base
  [prometheus-operator]=tests/manifests/overlays/prometheus-operator
  [alertmanager-push]=tests/manifests/overlays/alertmanager-push
  [other-namespace]=tests/manifests/overlays/other-namespace
  [prometheus-elsewhere]=tests/manifests/overlays/prometheus-elsewhere
  [aws]=tests/manifests/overlays/aws
  [gcp]=tests/manifests/overlays/gcp
  [azure]=tests/manifests/overlays/azure
  [sentinel]=manifests/examples/sentinel
  [sentinel-report-egress]=tests/manifests/overlays/sentinel-report-egress
  [sentinel-other-namespace]=tests/manifests/overlays/sentinel-other-namespace
  [sentinel-aws]=tests/manifests/overlays/sentinel-aws
  [sentinel-gcp]=tests/manifests/overlays/sentinel-gcp
  [sentinel-azure]=tests/manifests/overlays/sentinel-azure
)
variants=(base prometheus-operator alertmanager-push other-namespace prometheus-elsewhere aws gcp azure
  sentinel sentinel-report-egress sentinel-other-namespace sentinel-aws sentinel-gcp sentinel-azure)
clouds=(aws gcp azure)
rendered=()
for variant in "${variants[@]}"; do
  if kubectl kustomize "$repo/${sources[$variant]}" >"$out/$variant.yaml" 2>"$out/$variant.err"; then
    pass "kubectl kustomize ${sources[$variant]} renders ($(grep -c '^kind:' "$out/$variant.yaml") objects)"
    rendered+=("$variant=$out/$variant.yaml")
  else
    fail "kubectl kustomize ${sources[$variant]}: $(cat "$out/$variant.err")"
  fi
done
[ "${#rendered[@]}" = "${#variants[@]}" ] || { finish; exit 1; }
# The settings a sentinel's build reads are never output (config.kubernetes.io/local-config).
check "no variant outputs netprobe-sentinel-settings (build-time settings only)" \
  bash -c "! grep -l 'name: netprobe-sentinel-settings' '$out'/*.yaml"

# ---- 2. schema and invariants -------------------------------------------------------------------
if validate check "${rendered[@]}" >"$out/check.txt" 2>&1; then
  pass "every object validates against its OpenAPI schema; security, RBAC, tokens, policies hold"
else
  fail "validate.mjs check:"; sed 's/^/    /' "$out/check.txt" >&2
fi
sed -n 's/^\([a-z-]*: [0-9]* objects\)/    \1/p' "$out/check.txt"

if validate selftest "$out/base.yaml" "$out/sentinel.yaml" >"$out/selftest.txt" 2>&1; then
  pass "self-test: all $(grep -c '^ok: mutation caught' "$out/selftest.txt") mutations of the rendered objects are caught"
else
  fail "validate.mjs selftest:"; grep -v '^ok:' "$out/selftest.txt" | sed 's/^/    /' >&2
fi

# The same through the files: a copy of the rendered base without readOnlyRootFilesystem,
# and one whose controller may be deleted, must fail the check.
sed '/readOnlyRootFilesystem: true/d' "$out/base.yaml" >"$TEST_TMP/no-readonly.yaml"
set +e; validate check "base=$TEST_TMP/no-readonly.yaml" >"$TEST_TMP/no-readonly.txt" 2>&1; status=$?; set -e
check "a rendered base without readOnlyRootFilesystem fails the check (exit $status)" \
  bash -c "[ $status = 1 ] && grep -q 'readOnlyRootFilesystem is not true' '$TEST_TMP/no-readonly.txt'"
# RBAC from the code: the rendered ClusterRole against the resources lib/kube watches and the
# requests it builds (list, watch), read from the sources rather than from a list kept here.
if validate rbac "$out/base.yaml" >"$out/rbac.txt" 2>&1; then
  pass "the ClusterRole grants exactly the resources the controller lists and watches (lib/kube/resources.hpp, discovery_store.hpp)"
else
  fail "validate.mjs rbac:"; sed 's/^/    /' "$out/rbac.txt" >&2
fi
sed 's/- watch$/- watch\n  - delete/' "$out/base.yaml" >"$TEST_TMP/delete-verb.yaml"
set +e; validate check "base=$TEST_TMP/delete-verb.yaml" >"$TEST_TMP/delete-verb.txt" 2>&1; status=$?; set -e
check "a rendered base whose ClusterRole may delete fails the check (exit $status)" \
  bash -c "[ $status = 1 ] && grep -q 'verb \"delete\"' '$TEST_TMP/delete-verb.txt'"

# The containers run /usr/local/bin/netprobe-*: that is where the image puts them.
if [ -f "$repo/Dockerfile" ]; then
  check "the Dockerfile installs the programs in /usr/local/bin, where the manifests run them" \
    grep -q '/usr/local/bin' "$repo/Dockerfile"
fi

# ---- 3. netprobe lint on netprobe's own policies ------------------------------------------------
np="$bin/netprobe"
if [ -z "$bin" ] || [ ! -x "$np" ]; then
  echo "SKIP (lint): no netprobe binary in '${bin:-<no BUILD_BIN_DIR given>}'"
else
  lint_clean() {  # no error or warning findings
    local json
    json=$("$np" lint "$@" --json) || { echo "$json"; return 1; }
    jq -e '[.findings[] | select(.severity == "error" or .severity == "warning")] | length == 0' <<<"$json" >/dev/null ||
      { echo "$json" | jq -c '.findings[]' >&2; return 1; }
  }
  for variant in base prometheus-operator alertmanager-push "${clouds[@]}"; do
    check "netprobe lint: no error or warning in $variant" lint_clean -f "$out/$variant.yaml"
  done
  # Moved, Prometheus is where the overlay says: lint's scrape-path check asks from there.
  check "netprobe lint: no error or warning in other-namespace (Prometheus in netprobe-test)" \
    lint_clean -f "$out/other-namespace.yaml" --monitoring-namespace netprobe-test
  check "netprobe lint: no error or warning in prometheus-elsewhere (Prometheus in observability)" \
    lint_clean -f "$out/prometheus-elsewhere.yaml" --monitoring-namespace observability
  # A sentinel's policies name the controller: lint it with the base.
  check "netprobe lint: no error or warning in base and a sentinel" lint_clean -f "$out/base.yaml" -f "$out/sentinel.yaml"
  deny_egress="$here/testdata/payments-deny-egress.yaml"
  check "netprobe lint: no error or warning in base and a report-egress sentinel in a default-deny namespace" \
    lint_clean -f "$out/base.yaml" -f "$out/sentinel-report-egress.yaml" -f "$deny_egress"
  check "netprobe lint: no error or warning in other-namespace and its report-egress sentinel in a default-deny namespace" \
    lint_clean -f "$out/other-namespace.yaml" -f "$out/sentinel-other-namespace.yaml" -f "$deny_egress" --monitoring-namespace netprobe-test

  world=(-f "$out/base.yaml" -f "$out/sentinel.yaml" -f "$here/testdata/cluster.yaml")
  explain() {  # explain allowed|denied SRC DST:PORT/PROTO (the verdict object of --json)
    local want=$1 got
    shift
    got=$("$np" lint "${world[@]}" --explain "$@" --json | jq -r 'if .allowed then "allowed" else "denied" end')
    [ "$got" = "$want" ] || { echo "$* is $got, expected $want" >&2; return 1; }
  }
  check "explain: agent -> controller:9742 (reports)" explain allowed monitoring/netprobe-agent monitoring/netprobe-controller:9742/TCP
  check "explain: sentinel -> controller:9742 (reports across namespaces)" explain allowed payments/netprobe-sentinel monitoring/netprobe-controller:9742/TCP
  check "explain: controller -> agent:9743 (ad hoc fan-out)" explain allowed monitoring/netprobe-controller monitoring/netprobe-agent:9743/TCP
  check "explain: controller -> sentinel:9743 (ad hoc fan-out)" explain allowed monitoring/netprobe-controller payments/netprobe-sentinel:9743/TCP
  check "explain: Prometheus -> controller:9742" explain allowed monitoring/prometheus monitoring/netprobe-controller:9742/TCP
  check "explain: Prometheus -> agent:9743" explain allowed monitoring/prometheus monitoring/netprobe-agent:9743/TCP
  check "explain: Prometheus -> sentinel:9743" explain allowed monitoring/prometheus payments/netprobe-sentinel:9743/TCP
  check "explain: controller -> kube-dns:53/UDP" explain allowed monitoring/netprobe-controller kube-system/coredns:53/UDP
  check "explain: controller -> kube-dns:53/TCP" explain allowed monitoring/netprobe-controller kube-system/coredns:53/TCP
  check "explain: controller -> API server endpoint :6443" explain allowed monitoring/netprobe-controller 192.0.2.10:6443/TCP  # not-a-destination
  check "explain: agent egress is open (probing is its job)" explain allowed monitoring/netprobe-agent default/stranger:8080/TCP
  check "explain: a stranger cannot reach the controller" explain denied default/stranger monitoring/netprobe-controller:9742/TCP
  check "explain: a stranger cannot reach an agent" explain denied default/stranger monitoring/netprobe-agent:9743/TCP
  check "explain: a stranger cannot reach a sentinel" explain denied default/stranger payments/netprobe-sentinel:9743/TCP
  check "explain: the controller cannot reach anything else" explain denied monitoring/netprobe-controller default/stranger:8080/TCP
  check "explain: the controller cannot reach port 80 outside" explain denied monitoring/netprobe-controller 192.0.2.10:80/TCP  # not-a-destination
  check "explain: the expect-deny canary admits nobody" explain denied monitoring/netprobe-agent monitoring/netprobe-canary:9743/TCP
  world=(-f "$out/base.yaml" -f "$out/sentinel.yaml" -f "$deny_egress")
  check "explain: in a default-deny namespace a plain sentinel cannot report" explain denied payments/netprobe-sentinel monitoring/netprobe-controller:9742/TCP
  world=(-f "$out/base.yaml" -f "$out/sentinel-report-egress.yaml" -f "$deny_egress" -f "$here/testdata/cluster.yaml")
  check "explain: …with report-egress it can" explain allowed payments/netprobe-sentinel monitoring/netprobe-controller:9742/TCP
  check "explain: …and report-egress opens nothing else" explain denied payments/netprobe-sentinel default/stranger:8080/TCP
  check "explain: the base's controller has no egress to Alertmanager (only alertmanager-push opens it)" \
    explain denied monitoring/netprobe-controller monitoring/alertmanager:9093/TCP
  world=(-f "$out/alertmanager-push.yaml" -f "$here/testdata/cluster.yaml")
  check "explain: with alertmanager-push, controller -> Alertmanager:9093" explain allowed monitoring/netprobe-controller monitoring/alertmanager:9093/TCP
  check "explain: …and nothing else on 9093" explain denied monitoring/netprobe-controller default/stranger:9093/TCP

  # Moved to netprobe-test by an overlay's `namespace:` (overlays/other-namespace, with both
  # controller-side components), a sentinel in a default-deny payments pointed there by its
  # settings (overlays/sentinel-other-namespace): the paths follow, nothing stays in monitoring.
  moved=(-f "$out/other-namespace.yaml" -f "$out/sentinel-other-namespace.yaml" -f "$deny_egress" -f "$here/testdata/cluster-moved.yaml")
  world=("${moved[@]}")
  check "moved: agent -> controller:9742 (reports)" explain allowed netprobe-test/netprobe-agent netprobe-test/netprobe-controller:9742/TCP
  check "moved: sentinel -> controller:9742 (reports, through report-egress)" explain allowed payments/netprobe-sentinel netprobe-test/netprobe-controller:9742/TCP
  check "moved: controller -> agent:9743 (ad hoc fan-out)" explain allowed netprobe-test/netprobe-controller netprobe-test/netprobe-agent:9743/TCP
  check "moved: controller -> sentinel:9743 (ad hoc fan-out)" explain allowed netprobe-test/netprobe-controller payments/netprobe-sentinel:9743/TCP
  check "moved: Prometheus -> controller:9742" explain allowed netprobe-test/prometheus netprobe-test/netprobe-controller:9742/TCP
  check "moved: Prometheus -> agent:9743" explain allowed netprobe-test/prometheus netprobe-test/netprobe-agent:9743/TCP
  check "moved: Prometheus -> sentinel:9743" explain allowed netprobe-test/prometheus payments/netprobe-sentinel:9743/TCP
  check "moved: controller -> Alertmanager:9093" explain allowed netprobe-test/netprobe-controller netprobe-test/alertmanager:9093/TCP
  check "moved: controller -> kube-dns:53/UDP" explain allowed netprobe-test/netprobe-controller kube-system/coredns:53/UDP
  check "moved: controller -> kube-dns:53/TCP" explain allowed netprobe-test/netprobe-controller kube-system/coredns:53/TCP
  check "moved: a Prometheus left in monitoring cannot reach the controller" explain denied monitoring/prometheus netprobe-test/netprobe-controller:9742/TCP
  check "moved: a Prometheus left in monitoring cannot reach an agent" explain denied monitoring/prometheus netprobe-test/netprobe-agent:9743/TCP
  check "moved: a Prometheus left in monitoring cannot reach the sentinel" explain denied monitoring/prometheus payments/netprobe-sentinel:9743/TCP
  check "moved: the controller cannot reach an Alertmanager left in monitoring" explain denied netprobe-test/netprobe-controller monitoring/alertmanager:9093/TCP
  check "moved: report-egress opens nothing in monitoring any more" explain denied payments/netprobe-sentinel monitoring/alertmanager:9093/TCP
  check "moved: a stranger cannot reach the controller" explain denied default/stranger netprobe-test/netprobe-controller:9742/TCP

  # Prometheus and Alertmanager in a namespace of their own, set as docs/install.md says
  # (overlays/prometheus-elsewhere): they get in, netprobe's own namespace no longer does.
  world=(-f "$out/prometheus-elsewhere.yaml" -f "$here/testdata/cluster-moved.yaml")
  check "elsewhere: Prometheus in observability -> controller:9742" explain allowed observability/prometheus netprobe-test/netprobe-controller:9742/TCP
  check "elsewhere: Prometheus in observability -> agent:9743" explain allowed observability/prometheus netprobe-test/netprobe-agent:9743/TCP
  check "elsewhere: controller -> Alertmanager in observability:9093" explain allowed netprobe-test/netprobe-controller observability/alertmanager:9093/TCP
  check "elsewhere: agent -> controller:9742" explain allowed netprobe-test/netprobe-agent netprobe-test/netprobe-controller:9742/TCP
  check "elsewhere: controller -> agent:9743" explain allowed netprobe-test/netprobe-controller netprobe-test/netprobe-agent:9743/TCP
  check "elsewhere: another pod of netprobe-test cannot reach the controller" explain denied netprobe-test/prometheus netprobe-test/netprobe-controller:9742/TCP
  check "elsewhere: the controller cannot reach an Alertmanager in netprobe-test" explain denied netprobe-test/netprobe-controller netprobe-test/alertmanager:9093/TCP

  # Lint bites on our own policies too.
  sed 's/k8s-app: kube-dns/k8s-app: kube-dnz/' "$out/base.yaml" >"$TEST_TMP/dns-typo.yaml"
  set +e; "$np" lint -f "$TEST_TMP/dns-typo.yaml" --json >"$TEST_TMP/dns-typo.json"; status=$?; set -e
  check "lint: a kube-dns selector typo in the controller's policy is an error (exit $status)" \
    bash -c "[ $status = 1 ] && jq -e 'any(.findings[]; .check == \"dns-egress-blocked\" and .policy == \"netprobe-controller\")' '$TEST_TMP/dns-typo.json' >/dev/null"
  sed '/- port: 53$/{N;/protocol: TCP/d}' "$out/base.yaml" >"$TEST_TMP/udp-only.yaml"
  check "lint: dropping TCP 53 from the controller's policy is found (dns-tcp-blocked)" \
    bash -c "'$np' lint -f '$TEST_TMP/udp-only.yaml' --json | jq -e 'any(.findings[]; .check == \"dns-tcp-blocked\" and .policy == \"netprobe-controller\")' >/dev/null"
fi

# ---- 4. the containers start as their pods would -------------------------------------------------
netns=()
if [ "$(id -u)" = 0 ]; then netns=(unshare -n); else netns=(unshare -rn); fi
if [ -z "$bin" ] || [ ! -x "$bin/netprobe-agent" ] || [ ! -x "$bin/netprobe-controller" ]; then
  echo "SKIP (start-up): no netprobe-agent and netprobe-controller in '${bin:-<no BUILD_BIN_DIR given>}'"
elif ! command -v ip >/dev/null || ! "${netns[@]}" ip link set lo up 2>/dev/null; then
  echo "SKIP (start-up): cannot create a network namespace (${netns[*]}; needs iproute2): the default probes would reach real addresses"
else
  # The cloud variants differ in their agent's (and sentinel's) config: each runs once more.
  cloud_sets=()
  for cloud in "${clouds[@]}"; do cloud_sets+=("$cloud=$out/$cloud.yaml" "sentinel-$cloud=$out/sentinel-$cloud.yaml"); done
  validate plan "$TEST_TMP/plan" "base=$out/base.yaml" "alertmanager-push=$out/alertmanager-push.yaml" \
    "sentinel=$out/sentinel.yaml" "${cloud_sets[@]}" >"$TEST_TMP/plan.txt"
  check "every workload is planned (agent, controller twice, canary, sentinel; agent and sentinel per cloud)" \
    [ "$(wc -l <"$TEST_TMP/plan.txt")" = $((5 + 2 * ${#clouds[@]})) ]
  while read -r dir; do
    name=$(basename "$dir")
    check "starts, answers its probes, stops cleanly: ${name//--/ }" \
      "${netns[@]}" bash "$here/run_workload.sh" "$dir" "$bin"
  done <"$TEST_TMP/plan.txt"

  # …and a broken config in the ConfigMap does not.
  sed 's/^\(  *\)type: dns$/\1type: dnss/' "$out/base.yaml" >"$TEST_TMP/bad-config.yaml"
  validate plan "$TEST_TMP/bad-plan" "base=$TEST_TMP/bad-config.yaml" >"$TEST_TMP/bad-plan.txt"
  bad=$(grep -- '--netprobe-agent--agent$' "$TEST_TMP/bad-plan.txt")
  set +e; "${netns[@]}" bash "$here/run_workload.sh" "$bad" "$bin" >"$TEST_TMP/bad-run.txt" 2>&1; status=$?; set -e
  check "an agent.yaml with an unknown probe type keeps the agent from starting" \
    bash -c "[ $status = 1 ] && grep -q 'unknown probe type' '$TEST_TMP/bad-run.txt'"
fi

finish
