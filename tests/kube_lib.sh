# shellcheck shell=bash
# A stand-in Kubernetes API server for tests (tests/support/kube_apiserver.py): HTTPS with a
# test CA on loopback, bearer-token auth, a kubeconfig for kubectl and client code, and the
# stand-in's plain-HTTP control API wrapped in functions. Source it after tests/lib.sh:
#
#   source "$(dirname "$0")/../lib.sh"
#   source "$(dirname "$0")/../kube_lib.sh"
#   kube_start                                  # certificates, token, server, kubeconfig
#   kube_load "$(dirname "$0")/testdata/kube"   # fixture YAML (kubectl -o yaml shape)
#   kube_kubectl get pods -A                    # the real kubectl against it
#
# Everything listens on 127.0.0.1 and the server's pid goes into TEST_PIDS, so it dies with
# the test. Variables set by kube_start:
#   KUBE_DIR         $TEST_TMP/kube: ca.crt, server.{crt,key}, token, kubeconfig, cache/, logs
#   KUBE_API         https://127.0.0.1:PORT          KUBE_CONTROL  http://127.0.0.1:PORT
#   KUBE_CA          the CA file                     KUBE_TOKEN_FILE  the tokens the server accepts
#   KUBE_TOKEN       the token in that file          KUBECONFIG_FILE  kubeconfig (tokenFile: KUBE_TOKEN_FILE)
#   KUBE_PID         the server's pid                KUBE_LOG      its stderr
#
# KUBE_EXEC, an array, is put before every command run here that touches the network (the server,
# curl, kubectl): e.g. KUBE_EXEC=(ip netns exec NAME) runs them all inside a network namespace.
# Empty by default. (Processes put in the background expand it inline, not through kube_exec: a
# function run with & is a subshell, and its $! would not be the process.)

KUBE_APISERVER_PY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/support/kube_apiserver.py"
KUBE_EXEC=(${KUBE_EXEC[@]+"${KUBE_EXEC[@]}"})
kube_exec() { ${KUBE_EXEC[@]+"${KUBE_EXEC[@]}"} "$@"; }
KUBE_DIR="$TEST_TMP/kube"
KUBE_BOOKMARK_INTERVAL=${KUBE_BOOKMARK_INTERVAL:-1}  # seconds between watch BOOKMARKs

# kube_make_certs [DIR]: a CA and a server certificate for 127.0.0.1, ::1 and localhost.
kube_make_certs() {
  local dir=${1:-$KUBE_DIR}
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=netprobe-test-ca" -keyout "$dir/ca.key" -out "$dir/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" > "$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
  KUBE_CA="$dir/ca.crt"
}

# kube_start [server flags…]: certificates, a random token, the server on free loopback ports,
# a kubeconfig. Waits (bounded) until both the API and the control API answer.
kube_start() {
  mkdir -p "$KUBE_DIR/cache"
  [ -f "$KUBE_DIR/server.crt" ] || kube_make_certs "$KUBE_DIR"
  KUBE_CA="$KUBE_DIR/ca.crt"
  KUBE_TOKEN_FILE="$KUBE_DIR/token"
  KUBE_TOKEN=$(openssl rand -hex 24)
  printf '%s\n' "$KUBE_TOKEN" > "$KUBE_TOKEN_FILE"
  free_port KUBE_PORT
  free_port KUBE_CONTROL_PORT
  KUBE_API="https://127.0.0.1:$KUBE_PORT"
  KUBE_CONTROL="http://127.0.0.1:$KUBE_CONTROL_PORT"
  KUBE_LOG="$KUBE_DIR/apiserver.log"
  ${KUBE_EXEC[@]+"${KUBE_EXEC[@]}"} python3 "$KUBE_APISERVER_PY" --listen 127.0.0.1 --port "$KUBE_PORT" \
    --control-listen 127.0.0.1 --control-port "$KUBE_CONTROL_PORT" \
    --cert "$KUBE_DIR/server.crt" --key "$KUBE_DIR/server.key" --token-file "$KUBE_TOKEN_FILE" \
    --bookmark-interval "$KUBE_BOOKMARK_INTERVAL" "$@" 2>>"$KUBE_LOG" &
  KUBE_PID=$!
  TEST_PIDS+=("$KUBE_PID")
  if ! wait_until 10 kube_answers; then
    echo "the stand-in Kubernetes API server did not start:" >&2
    cat "$KUBE_LOG" >&2
    exit 1
  fi
  KUBECONFIG_FILE="$KUBE_DIR/kubeconfig"
  kube_kubeconfig "$KUBECONFIG_FILE"
}

kube_answers() {
  kill -0 "$KUBE_PID" 2>/dev/null && kube_exec curl -fsS "$KUBE_CONTROL/healthz" >/dev/null &&
    kube_curl /readyz -f >/dev/null
}

# kube_kubeconfig FILE [TOKEN]: a kubeconfig for the stand-in. With TOKEN it is written inline;
# without, the kubeconfig's tokenFile is the server's token file (so a rotation reaches it).
kube_kubeconfig() {
  local file=$1 auth
  if [ $# -ge 2 ]; then auth="token: $2"; else auth="tokenFile: $KUBE_TOKEN_FILE"; fi
  cat > "$file" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: standin
  cluster:
    server: $KUBE_API
    certificate-authority: $KUBE_CA
users:
- name: test
  user:
    $auth
contexts:
- name: standin
  context: {cluster: standin, user: test}
current-context: standin
YAML
}

# kube_kubectl ARGS…: the real kubectl with the kubeconfig and a discovery cache of this test only
# (so no discovery is cached across runs). KUBECTL_KUBECONFIG and KUBECTL_CACHE override them.
kube_kubectl() {
  kube_exec kubectl --kubeconfig "${KUBECTL_KUBECONFIG:-$KUBECONFIG_FILE}" --cache-dir "${KUBECTL_CACHE:-$KUBE_DIR/cache}" \
    --request-timeout 20s "$@"
}

# kube_kubectl_bg OUT ARGS…: kubectl in the background (stdout to OUT, stderr to OUT.err), e.g. a
# --watch. Sets KUBE_BG_PID, kubectl's own pid, and adds it to TEST_PIDS. (A shell function put in
# the background with & runs in a subshell: its $! is not kubectl's, and killing it leaves kubectl.)
kube_kubectl_bg() {
  local out=$1
  shift
  ${KUBE_EXEC[@]+"${KUBE_EXEC[@]}"} kubectl --kubeconfig "${KUBECTL_KUBECONFIG:-$KUBECONFIG_FILE}" --cache-dir "${KUBECTL_CACHE:-$KUBE_DIR/cache}" \
    "$@" >"$out" 2>"$out.err" &
  KUBE_BG_PID=$!
  TEST_PIDS+=("$KUBE_BG_PID")
}

# kube_curl PATH [curl args…]: a request to the API with the current token and the CA.
kube_curl() { kube_curl_as "$(head -n1 "$KUBE_TOKEN_FILE")" "$@"; }

# kube_curl_as TOKEN PATH [curl args…]: the same with another bearer token ("" sends none).
kube_curl_as() {
  local token=$1 path=$2 auth=()
  shift 2
  [ -z "$token" ] || auth=(-H "Authorization: Bearer $token")
  kube_exec curl -sS --cacert "$KUBE_CA" "${auth[@]}" "$@" "$KUBE_API$path"
}

# kube_curl_bg OUT PATH [curl args…]: kube_curl in the background, the body (or with --raw the
# chunks) to OUT; sets KUBE_BG_PID (curl's own pid) and adds it to TEST_PIDS. Give it a --max-time.
kube_curl_bg() {
  local out=$1 path=$2
  shift 2
  ${KUBE_EXEC[@]+"${KUBE_EXEC[@]}"} curl -sS --cacert "$KUBE_CA" -H "Authorization: Bearer $(head -n1 "$KUBE_TOKEN_FILE")" "$@" -o "$out" \
    "$KUBE_API$path" 2>"$out.err" &
  KUBE_BG_PID=$!
  TEST_PIDS+=("$KUBE_BG_PID")
}

# kube_control METHOD PATH [JSON]: the control API; prints its JSON answer, fails on non-2xx.
kube_control() {
  local method=$1 path=$2
  if [ $# -ge 3 ]; then
    kube_exec curl -fsS -X "$method" -H 'Content-Type: application/json' --data-binary "$3" "$KUBE_CONTROL$path"
  else
    kube_exec curl -fsS -X "$method" "$KUBE_CONTROL$path"
  fi
}

# kube_to_json FILE|DIR…: YAML or JSON manifests as a stream of JSON documents (Debian's yq).
kube_to_json() {
  local path file
  for path in "$@"; do
    if [ -d "$path" ]; then
      for file in "$path"/*.yaml "$path"/*.yml "$path"/*.json; do
        if [ -e "$file" ]; then kube_to_json "$file"; fi
      done
    else
      case $path in
        *.json) cat "$path" ;;
        *) yq -c 'select(. != null)' "$path" ;;
      esac
    fi
  done
}

# kube_load FILE|DIR…: creates or updates every object found there (one batch: watchers see the
# objects together). Prints the control API's answer.
kube_load() { kube_to_json "$@" | kube_exec curl -fsS -X POST --data-binary @- "$KUBE_CONTROL/objects"; }

# kube_apply_json JSON: creates or updates the object(s) of a JSON document (object, array or List).
kube_apply_json() { kube_control POST /objects "$1"; }

# kube_delete APIVERSION KIND NAMESPACE NAME (NAMESPACE "" for cluster-scoped objects).
kube_delete() {
  kube_exec curl -fsS -X DELETE -G --data-urlencode "apiVersion=$1" --data-urlencode "kind=$2" \
    --data-urlencode "namespace=$3" --data-urlencode "name=$4" "$KUBE_CONTROL/objects"
}

kube_rv() { kube_control GET /state | jq -r .resourceVersion; }  # the current resourceVersion
kube_compact() { kube_control POST /compact; }                   # drops every revision before now
kube_watches() { kube_control GET /watches | jq -r '.watches | length'; }  # open watches
kube_watching() {  # kube_watching RESOURCE [COUNT]: at least COUNT watches on it (e.g. pods, networkpolicies.networking.k8s.io)
  [ "$(kube_control GET /watches | jq --arg r "$1" '[.watches[] | select(.resource == $r)] | length')" -ge "${2:-1}" ]
}
kube_drop_watches() { kube_control POST /watches/drop "{\"mode\":\"${1:-close}\"}"; }  # close | end
kube_install_crd() { kube_control POST /crds/install "{\"resource\":\"$1\"}"; }        # servicemonitors | podmonitors
kube_uninstall_crd() { kube_control POST /crds/uninstall "{\"resource\":\"$1\"}"; }
# kube_throttle COUNT [RESOURCE [RETRY_AFTER]]: the next COUNT requests for RESOURCE (plural, or *) get 429.
kube_throttle() {
  kube_control POST /throttle "{\"count\":$1,\"resource\":\"${2:-*}\",\"retry_after\":${3:-1}}"
}
# kube_hostile RESOURCE MODE [COUNT [OPTIONS_JSON]]: the next COUNT (1) list and/or watch requests for
# RESOURCE (a plural, or *) get a hostile answer: huge_event, deep_json, huge_list, garbage, trickle,
# stall_headers, bad_chunking, wrong_types, chunk_ext_flood or expired (kube_apiserver.py says what
# each sends). OPTIONS_JSON adds fields, e.g. '{"on":"list","seconds":10}' or '{"bytes":70000000}'.
# Prints the rule, whose .id kube_hostile_done and kube_hostile_sent take.
kube_hostile() {
  local body options='{}'
  [ $# -lt 4 ] || options=$4
  body=$(jq -cn --arg r "$1" --arg m "$2" --argjson n "${3:-1}" --argjson o "$options" \
    '$o + {resource: $r, mode: $m, count: $n}')
  kube_control POST /hostile "$body"
}
# kube_hostile_state [JQ_FILTER]: the rules left and the hostile answers given, filtered by jq.
kube_hostile_state() { kube_control GET /hostile | jq -c "${1:-.}"; }
# kube_hostile_done ID [N]: at least N (1) answers of rule ID (.id of kube_hostile's output) are over.
kube_hostile_done() {
  [ "$(kube_hostile_state "[.served[] | select(.rule == $1 and .done)] | length")" -ge "${2:-1}" ]
}
# kube_hostile_sent ID [N]: at least N (1) answers of rule ID have sent all of their hostile part.
kube_hostile_sent() {
  [ "$(kube_hostile_state "[.served[] | select(.rule == $1 and .sent)] | length")" -ge "${2:-1}" ]
}
kube_hostile_clear() { kube_control DELETE /hostile >/dev/null; }

# kube_requests [JQ_FILTER]: the request log (method, path, token, status, accept, user_agent, seq),
# filtered by jq over the array (default: all of it).
kube_requests() { kube_control GET /requests | jq -c ".requests | ${1:-.}"; }
kube_clear_requests() { kube_control DELETE /requests >/dev/null; }
# kube_generate JSON: a synthetic cluster, e.g. '{"namespaces":2000,"nodes":5000,"pods":150000,"networkpolicies":10000}'.
kube_generate() { kube_control POST /generate "$1"; }
# kube_rotate_token [TOKEN]: the server accepts only the new token from its next request on.
kube_rotate_token() {
  KUBE_TOKEN=${1:-$(openssl rand -hex 24)}
  printf '%s\n' "$KUBE_TOKEN" > "$KUBE_TOKEN_FILE.new"
  mv "$KUBE_TOKEN_FILE.new" "$KUBE_TOKEN_FILE"
}
