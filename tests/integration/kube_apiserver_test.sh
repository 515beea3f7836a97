#!/usr/bin/env bash
# The stand-in Kubernetes API server (tests/support/kube_apiserver.py) is faithful where
# clients depend on it: the real kubectl lists, pages, prints tables, watches, retries a 429,
# refuses a stale token and discovers a CRD against it exactly as against a kube-apiserver, and
# curl shows the wire details a client of our own must cope with (continue tokens expiring,
# BOOKMARKs, the end of a watch, 410 on a compacted resourceVersion, events split across chunks).
# Loopback only; the server and every kubectl or curl started here die with the test.
# shellcheck disable=SC2034  # bin: not used, the stand-in needs no build
bin=${1:?usage: kube_apiserver_test.sh BUILD_BIN_DIR}
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../kube_lib.sh"

# As loopback_cluster.sh's require(): a missing tool skips the test (exit 77), or fails it as root,
# where scripts/test installs them (kubectl through ensure_kubectl, the rest from packages/test.txt).
missing=()
for tool in kubectl curl jq yq openssl python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "FAIL: not installed: ${missing[*]} (as root, scripts/test should have installed it)" >&2
    exit 1
  fi
  echo "SKIP: not installed: ${missing[*]} (kubectl: ensure_kubectl in scripts/common.sh; the rest: scripts/packages/test.txt)"
  exit 77
fi

data="$(cd "$(dirname "$0")" && pwd)/testdata/kube"
t0=$SECONDS
kube_start --split-every 3
kube_load "$data/namespaces.yaml" "$data/nodes.yaml" "$data/pods.yaml" "$data/services.yaml" \
  "$data/endpointslices.yaml" "$data/workloads.yaml" "$data/networkpolicies.yaml" "$data/servicemonitors.yaml" >/dev/null

# Predicates for check (they run in this shell, so kube_lib's functions work in them).
same() { [ "$1" = "$2" ] || { printf 'expected: %s\n     got: %s\n' "$1" "$2" >&2; return 1; }; }
json_is() { jq -e "$2" >/dev/null <<<"$1"; }           # json_is JSON FILTER
output_has() {  # output_has TEXT COMMAND…: its stdout or stderr holds TEXT, whatever its exit code
  local text=$1 out
  shift
  out=$("$@" 2>&1) || true
  grep -qF -- "$text" <<<"$out" || { printf 'not in the output: %s\n%s\n' "$text" "$out" >&2; return 1; }
}
http_code() { kube_curl "$1" -o /dev/null -w '%{http_code}' "${@:2}"; }
requests_are() { same "$2" "$(kube_requests "$1")"; }   # requests_are JQ_FILTER EXPECTED
# "namespace/name" of a fixture file's objects, and of a kubectl -o json list, sorted.
fixture_names() { yq -r 'select(. != null) | "\(.metadata.namespace)/\(.metadata.name)"' "$data/$1" | sort; }
list_names() { jq -r '.items[] | "\(.metadata.namespace)/\(.metadata.name)"' | sort; }
pod_count() { kube_curl /api/v1/pods -f | jq '.items | length'; }
no_watch_on() { ! kube_watching "$1"; }

# --- LIST and GET through kubectl ------------------------------------------------------------
policies=$(kube_kubectl get networkpolicies -A -o json)
check "kubectl get networkpolicies -A -o json lists exactly the fixture policies" \
  same "$(fixture_names networkpolicies.yaml)" "$(list_names <<<"$policies")"
check "kubectl's answer is a List of NetworkPolicies (kubectl puts kind back on items)" \
  json_is "$policies" '.kind == "List" and all(.items[]; .kind == "NetworkPolicy" and .apiVersion == "networking.k8s.io/v1")'
check "the raw list is a NetworkPolicyList whose items carry no kind or apiVersion, as the real server's" \
  json_is "$(kube_curl /apis/networking.k8s.io/v1/networkpolicies -f)" \
  '.kind == "NetworkPolicyList" and .apiVersion == "networking.k8s.io/v1" and (.metadata.resourceVersion | test("^[0-9]+$"))
   and all(.items[]; (has("kind") or has("apiVersion")) | not)'
served=$(kube_kubectl get netpol -n payment payment-ingress -o yaml)
check "kubectl get netpol -n payment payment-ingress -o yaml round-trips the spec (the typo included)" \
  same "$(yq -c 'select(.metadata.name == "payment-ingress") | .spec' "$data/networkpolicies.yaml" | jq -cS .)" \
  "$(yq -c .spec <<<"$served" | jq -cS .)"
check "it keeps the fixture's uid and creationTimestamp" \
  same "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c03 2026-11-26T09:21:00Z" \
  "$(yq -r '.metadata.uid + " " + .metadata.creationTimestamp' <<<"$served")"
check "its resourceVersion comes from the global counter" \
  [ "$(yq -r .metadata.resourceVersion <<<"$served")" -le "$(kube_rv)" ]
check "a missing object: kubectl says NotFound as with the real server" \
  output_has 'Error from server (NotFound): networkpolicies.networking.k8s.io "nope" not found' \
  kube_kubectl get netpol -n payment nope

table=$(kube_kubectl get pods -A)
check "default table output names every fixture pod" \
  same "$(yq -r 'select(. != null) | .metadata.name' "$data/pods.yaml" | sort)" "$(awk 'NR > 1 { print $2 }' <<<"$table" | sort)"
check "with the real pod columns" grep -qE '^NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE$' <<<"$table"
check "the not-Ready pod shows 0/1 and its restarts" grep -qE '^kube-system +coredns-7db6d8ff4d-qz8rt +0/1 +Running +3 ' <<<"$table"
check "kubectl asked for a server-side meta.k8s.io/v1 Table" \
  json_is "$(kube_requests '[.[] | select(.path | startswith("/api/v1/pods?")) | .accept] | last')" 'contains("as=Table;v=v1;g=meta.k8s.io")'
check "label selector: three kube-dns pods" \
  same 3 "$(kube_kubectl get pods -n kube-system -l k8s-app=kube-dns -o name | wc -l)"
check "field selector spec.nodeName: the pods on node-b" \
  same "$(yq -r 'select(.spec.nodeName == "node-b") | .metadata.name' "$data/pods.yaml" | sort)" \
  "$(kube_kubectl get pods -A --field-selector spec.nodeName=node-b -o json | jq -r '.items[].metadata.name' | sort)"
check "an unsupported field selector is a 400, as on the real server" \
  output_has 'field label not supported: spec.image' kube_kubectl get pods -A --field-selector spec.image=x

# --- paging ------------------------------------------------------------------------------------
kube_clear_requests
check "kubectl get pods -A --chunk-size=2 -o name returns every pod" \
  same "$(yq -r 'select(. != null) | "pod/" + .metadata.name' "$data/pods.yaml" | sort)" \
  "$(kube_kubectl get pods -A --chunk-size=2 -o name | sort)"
check "it paged: limit=2 first, then three continue= requests (7 pods)" \
  json_is "$(kube_requests '[.[] | select(.path | startswith("/api/v1/pods?")) | .path]')" \
  'length == 4 and (.[0] | test("limit=2") and (test("continue=") | not)) and all(.[1:][]; test("continue=") and test("limit=2"))'

page1=$(kube_curl '/api/v1/pods?limit=3' -f)
token=$(jq -r .metadata.continue <<<"$page1")
check "a first page has continue and remainingItemCount (7 - 3 = 4)" \
  json_is "$page1" '(.items | length) == 3 and (.metadata.continue | length) > 0 and .metadata.remainingItemCount == 4'
kube_apply_json '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"aaa-late","namespace":"payment"},"spec":{"containers":[{"name":"c","image":"x"}]}}' >/dev/null
kube_delete v1 Pod payment payment-58c7b9d7f-x2kq9 >/dev/null
check "the next page is read at the first page's snapshot: same resourceVersion, the deleted pod there, the new one not" \
  json_is "$(kube_curl "/api/v1/pods?limit=10&continue=$token" -f)" \
  '.metadata.resourceVersion == "'"$(jq -r .metadata.resourceVersion <<<"$page1")"'" and (.items | length) == 4
   and any(.items[]; .metadata.name == "payment-58c7b9d7f-x2kq9") and all(.items[]; .metadata.name != "aaa-late")
   and (.metadata | has("continue") | not)'
check "a fresh list sees both changes" \
  json_is "$(kube_curl /api/v1/pods -f)" \
  '(.items | length) == 7 and any(.items[]; .metadata.name == "aaa-late") and all(.items[]; .metadata.name != "payment-58c7b9d7f-x2kq9")'
check "resourceVersion=0 is served as from the watch cache: limit ignored, no continue" \
  json_is "$(kube_curl '/api/v1/pods?limit=2&resourceVersion=0' -f)" '(.items | length) == 7 and (.metadata | has("continue") | not)'

kube_compact >/dev/null
expired=$(kube_curl "/api/v1/pods?limit=10&continue=$token")
check "after compaction the old continue token is 410 Gone" same 410 "$(http_code "/api/v1/pods?limit=10&continue=$token")"
check "with reason Expired and the real message" json_is "$expired" \
  '.kind == "Status" and .status == "Failure" and .code == 410 and .reason == "Expired"
   and (.message | startswith("The provided continue parameter is too old to display a consistent list result."))'
check "the 410 carries a continue token that goes on at the latest state (an inconsistent list, as documented)" \
  json_is "$(kube_curl "/api/v1/pods?limit=10&continue=$(jq -r .metadata.continue <<<"$expired")" -f)" '(.items | length) == 4'
check "an Exact list at a compacted resourceVersion is 410 too" \
  same 410 "$(http_code '/api/v1/pods?resourceVersion=1&resourceVersionMatch=Exact')"

# --- watch through kubectl ---------------------------------------------------------------------
netpol='{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"allow-dns","namespace":"frontend"},
         "spec":{"podSelector":{},"policyTypes":["Egress"],"egress":[{"ports":[{"port":53,"protocol":"UDP"}]}]}}'
watch_out="$TEST_TMP/kubectl-watch.json"
kube_kubectl_bg "$watch_out" get networkpolicies -A --watch --output-watch-events -o json
kubectl_watch=$KUBE_BG_PID
check "kubectl's watch is open" wait_until 10 kube_watching networkpolicies.networking.k8s.io
kube_apply_json "$netpol" >/dev/null
kube_apply_json "$(jq -c '.spec.egress[0].ports += [{"port":53,"protocol":"TCP"}]' <<<"$netpol")" >/dev/null
kube_delete networking.k8s.io/v1 NetworkPolicy frontend allow-dns >/dev/null
watched_types_are() { same "$1" "$(jq -sc '[.[] | select(.object.metadata.name == "allow-dns") | .type]' "$watch_out")"; }
check "kubectl --watch --output-watch-events saw ADDED, MODIFIED, DELETED" \
  wait_until 10 watched_types_are '["ADDED","MODIFIED","DELETED"]'
check "kubectl printed the fixture policies first, as ADDED" \
  same "$(fixture_names networkpolicies.yaml)" \
  "$(jq -sr '.[] | select(.type == "ADDED" and .object.metadata.name != "allow-dns") | "\(.object.metadata.namespace)/\(.object.metadata.name)"' "$watch_out" | sort)"
check "the MODIFIED event carries the new spec" \
  jq -se 'any(.[]; .type == "MODIFIED" and (.object.spec.egress[0].ports | length) == 2)' "$watch_out" >/dev/null
kill "$kubectl_watch" 2>/dev/null || true
wait "$kubectl_watch" 2>/dev/null || true
check "the server lets go of the watch once kubectl is gone" wait_until 5 no_watch_on networkpolicies.networking.k8s.io

# --- raw watches with curl ---------------------------------------------------------------------
# analyse_watch FILE: decodes curl --raw output (HTTP/1.1 chunks) and prints a JSON summary: the
# events, whether the stream ended with the zero chunk, and how events and chunks overlap.
analyse_watch() {
  python3 - "$1" <<'PY'
import json, sys
raw, chunks, pos, ended = open(sys.argv[1], "rb").read(), [], 0, False
while pos < len(raw):
    eol = raw.index(b"\r\n", pos)
    size = int(raw[pos:eol].split(b";")[0], 16)
    if size == 0:
        ended = True
        break
    chunks.append(raw[eol + 2:eol + 2 + size])
    if raw[eol + 2 + size:eol + 4 + size] != b"\r\n":
        break  # cut off mid-chunk
    pos = eol + 4 + size
body = b"".join(chunks)
lines = body.split(b"\n")[:-1]  # whatever follows the last newline is an unfinished event
events = [json.loads(line) for line in lines]
chunk_ranges, start = [], 0
for chunk in chunks:
    chunk_ranges.append((start, start + len(chunk)))
    start += len(chunk)
event_ranges, start = [], 0
for line in lines:
    event_ranges.append((start, start + len(line) + 1))
    start += len(line) + 1
split = sum(1 for s, e in event_ranges if not any(a <= s and e <= b for a, b in chunk_ranges))
whole = [sum(1 for s, e in event_ranges if a <= s and e <= b) for a, b in chunk_ranges]
print(json.dumps({"ended": ended, "chunks": len(chunks), "events": events, "split_events": split,
                  "max_events_in_chunk": max(whole or [0])}))
PY
}

started=$SECONDS
kube_curl '/apis/networking.k8s.io/v1/networkpolicies?watch=1&allowWatchBookmarks=true&timeoutSeconds=2' \
  --raw -N --max-time 10 -o "$TEST_TMP/watch.raw" -f
elapsed=$((SECONDS - started))
summary=$(analyse_watch "$TEST_TMP/watch.raw")
check "a watch with timeoutSeconds=2 ends by itself within 2 s + a margin (${elapsed}s)" [ "$elapsed" -le 4 ]
check "cleanly, with the zero chunk" json_is "$summary" .ended
check "newline-delimited events, starting with a synthetic ADDED per current object" \
  json_is "$summary" '[.events[] | select(.type == "ADDED")] | length == 6'
check "the events' objects carry kind and apiVersion" json_is "$summary" \
  'all(.events[] | select(.type == "ADDED"); .object.kind == "NetworkPolicy" and .object.apiVersion == "networking.k8s.io/v1")'
check "a BOOKMARK came, with only kind, apiVersion and metadata.resourceVersion" json_is "$summary" \
  'any(.events[]; .type == "BOOKMARK" and .object.kind == "NetworkPolicy" and (.object.metadata.resourceVersion | test("^[0-9]+$"))
   and (.object | keys) == ["apiVersion", "kind", "metadata"])'
check "and one right before the end" json_is "$summary" '.events[-1].type == "BOOKMARK"'
check "split framing: an event spans two chunks" json_is "$summary" '.split_events >= 1'
check "split framing: one chunk holds two whole events" json_is "$summary" '.max_events_in_chunk >= 2'

# Events after a resourceVersion come from the history, through the selection: here a label
# selector in one namespace (the changes are made first, so no timing is involved).
since=$(kube_rv)
demo='{"apiVersion":"v1","kind":"Pod","metadata":{"name":"demo","namespace":"payment","labels":{"app":"demo"}},"spec":{"containers":[{"name":"c","image":"x"}]}}'
kube_apply_json "$demo" >/dev/null
kube_apply_json "$(jq -c '.metadata.labels.app = "other"' <<<"$demo")" >/dev/null
kube_apply_json "$(jq -c '.metadata.namespace = "frontend"' <<<"$demo")" >/dev/null
kube_curl "/api/v1/namespaces/payment/pods?watch=true&resourceVersion=$since&labelSelector=app%3Ddemo&timeoutSeconds=1" \
  --raw -N --max-time 10 -o "$TEST_TMP/live.raw" -f
check "a watch from a resourceVersion with a label selector: ADDED, then DELETED when the label changes; other namespaces unseen" \
  same '["ADDED","DELETED"]' "$(analyse_watch "$TEST_TMP/live.raw" | jq -c '[.events[] | .type]')"
check "the DELETED one carries the object as it is now (label changed), at the change's resourceVersion" \
  json_is "$(analyse_watch "$TEST_TMP/live.raw")" \
  '.events[1].object.metadata.labels.app == "other" and (.events[1].object.metadata.resourceVersion | tonumber) == '"$((since + 2))"

kube_compact >/dev/null
status=$(kube_curl "/api/v1/pods?watch=1&resourceVersion=$since" --raw -N --max-time 10 -o "$TEST_TMP/stale.raw" -w '%{http_code}')
stale=$(analyse_watch "$TEST_TMP/stale.raw")
check "a watch from a compacted resourceVersion is a 200" same 200 "$status"
check "whose only event is ERROR with a 410 Expired Status, then the end" json_is "$stale" \
  '.ended and (.events | length) == 1 and .events[0].type == "ERROR" and .events[0].object.kind == "Status"
   and .events[0].object.code == 410 and .events[0].object.reason == "Expired"
   and (.events[0].object.message | test("^too old resource version: '"$since"' \\([0-9]+\\)$"))'

kube_curl_bg "$TEST_TMP/dropped.raw" '/api/v1/pods?watch=1' --raw -N --max-time 20
dropped_curl=$KUBE_BG_PID
wait_until 5 kube_watching pods
kube_drop_watches close >/dev/null
check "dropping the watches closes the stream at once" wait_until 5 no_watch_on pods
set +e
wait "$dropped_curl"
curl_status=$?
set -e
check "without the zero chunk: curl reports a broken transfer ($curl_status)" [ "$curl_status" -ne 0 ]

# --- 429 -------------------------------------------------------------------------------------
kube_throttle 1 pods 3 >/dev/null
throttled=$(kube_curl /api/v1/pods -i)
check "an injected 429 comes with Retry-After" grep -qiE '^retry-after: 3' <<<"$throttled"
check "and a TooManyRequests Status" json_is "$(sed '1,/^\r$/d' <<<"$throttled")" \
  '.reason == "TooManyRequests" and .code == 429 and .details.retryAfterSeconds == 3'
check "the next request is served again" same 200 "$(http_code /api/v1/pods)"
pods=$(pod_count)
kube_clear_requests
kube_throttle 2 pods 1 >/dev/null
check "kubectl retries 429s after Retry-After (client-go) and succeeds" same "$pods" "$(kube_kubectl get pods -A -o name | wc -l)"
check "the log shows 429, 429, 200 for kubectl's list" \
  requests_are '[.[] | select(.path | startswith("/api/v1/pods?")) | .status]' '[429,429,200]'

# --- tokens ------------------------------------------------------------------------------------
old_token=$KUBE_TOKEN
check "the request log records the bearer token each request presented" requests_are '[.[] | .token] | unique' "[\"$old_token\"]"
kube_kubeconfig "$TEST_TMP/old.kubeconfig" "$old_token"
kube_rotate_token "$(openssl rand -hex 24)"
# With the discovery cache warm, kubectl's own request gets the 401 Status and prints its message;
# with a cold one, discovery fails first, and newer kubectls (1.2x+) print client-go's generic 401
# text, "(the server has asked for the client to provide credentials)", as against a real cluster.
kubectl_old() { KUBECTL_KUBECONFIG="$TEST_TMP/old.kubeconfig" kube_kubectl "$@"; }
kubectl_old_cold() { KUBECTL_CACHE="$TEST_TMP/old-cache" kubectl_old "$@"; }
check "after the token file is rewritten, kubectl with the old token: Unauthorized" \
  output_has 'error: You must be logged in to the server (Unauthorized)' kubectl_old get pods -A
check "and with a cold discovery cache" output_has 'error: You must be logged in to the server (' kubectl_old_cold get pods -A
check "curl with the old token: 401" same 401 "$(kube_curl_as "$old_token" /api/v1/pods -o /dev/null -w '%{http_code}')"
check "with the real Status body" json_is "$(kube_curl_as "$old_token" /api/v1/pods)" \
  '. == {kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401}'
check "no token at all: 401 too" same 401 "$(kube_curl_as "" /api/v1/pods -o /dev/null -w '%{http_code}')"
check "the kubeconfig with tokenFile (now the new token) works" same "$pods" "$(kube_kubectl get pods -A -o name | wc -l)"
kube_kubeconfig "$TEST_TMP/new.kubeconfig" "$KUBE_TOKEN"
check "a kubeconfig with the new token inline works" \
  same "$pods" "$(KUBECTL_KUBECONFIG="$TEST_TMP/new.kubeconfig" kube_kubectl get pods -A -o name | wc -l)"

# --- CRDs --------------------------------------------------------------------------------------
check "before its CRD: kubectl get servicemonitors says the server doesn't have a resource type" \
  output_has "error: the server doesn't have a resource type \"servicemonitors\"" kube_kubectl get servicemonitors -A
check "and the API answers 404 for its path" same 404 "$(http_code /apis/monitoring.coreos.com/v1/servicemonitors)"
kube_install_crd servicemonitors >/dev/null
check "after installing the CRD, kubectl (refreshing its discovery cache on the miss) lists the fixture ServiceMonitor" \
  same "monitoring/coredns" "$(kube_kubectl get servicemonitors -A -o json | list_names)"
check "with a fresh cache too, by its short name" same "servicemonitor.monitoring.coreos.com/coredns" \
  "$(KUBECTL_CACHE="$TEST_TMP/fresh-cache" kube_kubectl get smon -n monitoring -o name)"
check "kubectl api-resources lists it" \
  grep -qE '^servicemonitors +smon +monitoring.coreos.com/v1 +true +ServiceMonitor$' \
  <<<"$(kube_kubectl api-resources --api-group monitoring.coreos.com)"
check "and the CRD object is served" same "customresourcedefinition.apiextensions.k8s.io/servicemonitors.monitoring.coreos.com" \
  "$(kube_kubectl get crd -o name)"
kube_uninstall_crd servicemonitors >/dev/null
check "uninstalled: 404 again" same 404 "$(http_code /apis/monitoring.coreos.com/v1/servicemonitors)"

# --- the server's own safety -------------------------------------------------------------------
check "it refuses to listen anywhere but loopback" \
  output_has 'loopback only' python3 "$KUBE_APISERVER_PY" --listen 0.0.0.0 --cert x --key x --token-file x
check "control API: malformed input is a 400" \
  same 400 "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary '{"kind":' "$KUBE_CONTROL/objects")"
check "the whole test took under a minute ($((SECONDS - t0))s)" [ $((SECONDS - t0)) -lt 60 ]
check "the server is still up at the end (the test's cleanup stops it)" kill -0 "$KUBE_PID"
finish
