# Shared by scripts/test, scripts/demo and the benchmarks. Source it.
set -euo pipefail

NETPROBE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NETPROBE_BUILD=${NETPROBE_BUILD:-$NETPROBE_ROOT/build}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# Reads package names from scripts/packages/<list>.txt (comments and blanks skipped).
package_list() {
  local list
  for list in "$@"; do
    grep -vE '^\s*(#|$)' "$NETPROBE_ROOT/scripts/packages/$list.txt"
  done
}

# Installs what is missing when run as root; otherwise names it and stops.
ensure_packages() {
  local missing=() package
  for package in $(package_list "$@"); do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]}
run as root, or install them first: sudo apt-get install -y ${missing[*]}"
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # The tests start their own unbound, prometheus and alertmanager on loopback:
  # keep the packages from starting system services (policy-rc.d exit 101 is
  # Debian's "not now"), unless the host already has a policy of its own.
  local policy=/usr/sbin/policy-rc.d own_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && own_policy=1
  fi
  local status=0
  apt-get install -y -q --no-install-recommends "${missing[@]}" || status=$?
  [ -z "$own_policy" ] || rm -f "$policy"
  return "$status"
}

# kubectl for the tests that drive the real client (tests/integration/kube_apiserver_test.sh): any
# kubectl on PATH will do (a cloud SDK's, a release binary); otherwise Debian 12's kubernetes-client.
# Not in scripts/packages/test.txt, where dpkg would want that package even beside another kubectl.
ensure_kubectl() {
  command -v kubectl >/dev/null && return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing: kubectl (not on PATH)
run as root, or install it first: sudo apt-get install -y kubernetes-client"
  fi
  log "installing kubernetes-client (kubectl)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends kubernetes-client
  command -v kubectl >/dev/null || die "kubernetes-client is installed but kubectl is not on PATH"
}

# Configures (Ninja) and builds everything into $NETPROBE_BUILD/bin.
build_all() {
  configure_build
  cmake --build "$NETPROBE_BUILD" -- -j"$(nproc)"
}

# build_targets TARGET…: only those (the demo's binaries), into $NETPROBE_BUILD/bin.
build_targets() {
  configure_build
  cmake --build "$NETPROBE_BUILD" --target "$@" -- -j"$(nproc)"
}

configure_build() {
  local args=(-G Ninja -S "$NETPROBE_ROOT" -B "$NETPROBE_BUILD")
  [ -n "${NETPROBE_SANITIZE:-}" ] && args+=("-DNETPROBE_SANITIZE=$NETPROBE_SANITIZE")
  [ -f "$NETPROBE_BUILD/build.ninja" ] || cmake "${args[@]}" >/dev/null
}
