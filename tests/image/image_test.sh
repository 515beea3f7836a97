#!/usr/bin/env bash
# The container image, built for real: the repository's Dockerfile through
# buildah on a Debian 12 base made here with debootstrap (no image registry is
# reachable; deb.debian.org is). Then, inside the image as UID 65532: the three
# programs start, a host name resolves (c-ares, no NSS), the agent serves
# /healthz and /metrics on loopback. And the image's facts: USER 65532, CA
# certificates, no shell, nothing but binaries, libraries and /etc files,
# size ≤ 30 MB.
#
# Root only (buildah, debootstrap, chroot): otherwise it skips (77), or fails
# when NETPROBE_REQUIRE_IMAGE=1. Work files live in $NETPROBE_IMAGE_WORK
# (default /var/tmp/netprobe-image): the debootstrap tarball (reused for
# NETPROBE_IMAGE_BASE_DAYS days, default 30) and a buildah storage of its own,
# so the layer cache makes a rerun with unchanged sources quick and the host's
# own images are never touched. NETPROBE_IMAGE_JOBS (default 2) compile jobs.
source "$(dirname "$0")/../lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
work=${NETPROBE_IMAGE_WORK:-/var/tmp/netprobe-image}
base_tar=$work/debian-12-minbase.tar
base_image=localhost/debian:12
image=localhost/netprobe:test
max_bytes=$((30 * 1000 * 1000))  # the goal: 30 MB
mirror=http://deb.debian.org/debian
started=$SECONDS

if [ "$(id -u)" -ne 0 ]; then
  if [ "${NETPROBE_REQUIRE_IMAGE:-}" = 1 ]; then
    echo "FAIL: the image test needs root (buildah, debootstrap) and NETPROBE_REQUIRE_IMAGE=1" >&2
    exit 1
  fi
  echo "SKIP: the image test needs root (buildah, debootstrap)"
  exit 77
fi

missing=()
for program in buildah debootstrap tar; do command -v "$program" >/dev/null || missing+=("$program"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "FAIL: not installed: ${missing[*]} (Debian packages; as root, scripts/packages/test.txt should have installed them)" >&2
  exit 1
fi

mkdir -p "$work"
# One run at a time per work directory: runs share the storage and prune it.
exec 9> "$work/lock"
flock -w 3600 9 || { echo "FAIL: $work/lock is held by another image test" >&2; exit 1; }

# Overlay storage when this kernel and file system allow an overlay mount here
# (a VM), vfs otherwise (e.g. inside a container whose root is already overlayfs).
# Each driver has its own storage directory: one cannot be switched to the other.
overlay_works() {
  local dir=$work/overlay-probe status=0
  rm -rf "$dir" && mkdir -p "$dir"/{lower,upper,work,merged}
  mount -t overlay overlay -o "lowerdir=$dir/lower,upperdir=$dir/upper,workdir=$dir/work" "$dir/merged" 2>/dev/null || status=1
  [ "$status" -ne 0 ] || umount "$dir/merged"
  rm -rf "$dir"
  return "$status"
}
driver=${NETPROBE_IMAGE_STORAGE_DRIVER:-}
if [ -z "$driver" ]; then
  if overlay_works; then driver=overlay; else driver=vfs; fi
fi
# chroot isolation: no OCI runtime (runc/crun) and no user namespace needed;
# RUN steps share the host's network, which reaches deb.debian.org.
export BUILDAH_ISOLATION=chroot
buildah_flags=(--root "$work/storage-$driver" --runroot "$work/run-$driver" --storage-driver "$driver")
bh() { buildah "${buildah_flags[@]}" "$@"; }
echo "buildah $(buildah --version | awk '{print $3}'), storage driver $driver, storage $work/storage-$driver"

containers=()
agent_pid=""
cleanup_image_test() {
  local status=$? container
  if [ -n "$agent_pid" ]; then kill "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; fi
  for container in "${containers[@]}"; do bh rm "$container" >/dev/null 2>&1 || true; done
  cleanup_test
  exit "$status"
}
trap cleanup_image_test EXIT

elapsed() { echo "$((SECONDS - $1))s"; }

# Working containers a failed build left behind hold their images.
bh rm --all >/dev/null 2>&1 || true

# 1. The Debian 12 base: debootstrap minbase, tarred once and reused.
if [ -f "$base_tar" ] && [ -n "$(find "$base_tar" -mtime -"${NETPROBE_IMAGE_BASE_DAYS:-30}")" ]; then
  echo "base: reusing $base_tar"
else
  t0=$SECONDS
  rootfs=$work/rootfs
  rm -rf "$rootfs"
  echo "base: debootstrap --variant=minbase bookworm ($mirror)"
  if ! nice debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1; then
    tail -n 30 "$work/debootstrap.log" >&2
    echo "FAIL: debootstrap failed (log: $work/debootstrap.log)" >&2
    exit 1
  fi
  # The sources of the public debian:12 image, all through deb.debian.org.
  cat > "$rootfs/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/* "$rootfs/etc/hostname" "$rootfs/etc/resolv.conf"
  tar --numeric-owner --xattrs -C "$rootfs" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    -cf "$base_tar.tmp" .
  mv "$base_tar.tmp" "$base_tar"
  rm -rf "$rootfs"
  bh rmi -f "$base_image" >/dev/null 2>&1 || true  # a new tarball: import it again
  echo "base: debootstrap took $(elapsed "$t0"), $(du -m "$base_tar" | cut -f1) MB tarball"
fi

# 2. The tarball as the image localhost/debian:12 in this storage.
if ! bh inspect --type image "$base_image" >/dev/null 2>&1; then
  t0=$SECONDS
  container=$(bh from scratch)
  containers+=("$container")
  mount_point=$(bh mount "$container")
  tar --numeric-owner --xattrs -C "$mount_point" -xf "$base_tar"
  bh umount "$container" >/dev/null
  bh config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd bash "$container"
  bh commit --quiet --rm "$container" "$base_image" >/dev/null
  containers=()
  echo "base: imported as $base_image in $(elapsed "$t0")"
fi

# 3. The real Dockerfile, niced: the machine is shared.
t0=$SECONDS
build_log=$TEST_TMP/build.log
# Each log line carries the seconds since the start, so a slow step shows.
set +e
nice -n 10 buildah "${buildah_flags[@]}" build --layers --pull=false --build-arg "BASE_IMAGE=$base_image" \
  --build-arg "JOBS=${NETPROBE_IMAGE_JOBS:-2}" -t "$image" -f "$root/Dockerfile" "$root" 2>&1 |
  while IFS= read -r line; do printf '%4ds %s\n' "$((SECONDS - t0))" "$line"; done > "$build_log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  tail -n 60 "$build_log" >&2
  echo "FAIL: buildah build of the Dockerfile failed (exit $status)" >&2
  exit 1
fi
grep -E '^ *[0-9]+s (\[[0-9]+/[0-9]+\] )?STEP ' "$build_log" | cut -c1-110 || true
echo "image build took $(elapsed "$t0")"

# Layers of older builds (other sources) are not reused: drop every untagged
# image this build did not use (its log names each step's image, "--> ID" or
# "--> Using cache ID"), so the storage does not grow with each run. Best effort.
used=" $(sed -nE 's/^ *[0-9]+s --> (Using cache )?([0-9a-f]{11,64}).*/\2/p' "$build_log" | tr '\n' ' ')"
bh images --all --noheading --no-trunc --format '{{.ID}} {{.Name}}' 2>/dev/null | while read -r id name; do
  id=${id#sha256:}
  [ "$name" = "<none>" ] || continue
  case "$used" in *" ${id:0:11}"*) continue ;; esac
  bh rmi "$id" >/dev/null 2>&1 || true
done

# 4. The image's configuration.
user=$(bh inspect --type image --format '{{.OCIv1.Config.User}}' "$image")
check "the image runs as 65532:65532 (USER is '$user')" [ "$user" = "65532:65532" ]
entrypoint=$(bh inspect --type image --format '{{.OCIv1.Config.Entrypoint}}' "$image")
check "no entrypoint fixed (manifests set command:), got '$entrypoint'" [ "$entrypoint" = "[]" ]

# 5. The file system, read from a container's mount.
container=$(bh from --pull=false "$image")
containers+=("$container")
mnt=$(bh mount "$container")
check "CA certificates: /etc/ssl/certs/ca-certificates.crt holds certificates" \
  grep -q 'BEGIN CERTIFICATE' "$mnt/etc/ssl/certs/ca-certificates.crt"
# OpenSSL's default verify paths (OPENSSLDIR /usr/lib/ssl) must lead to the bundle.
check "OpenSSL's default CA file /usr/lib/ssl/cert.pem leads to the bundle" \
  [ "$(readlink "$mnt/usr/lib/ssl/cert.pem")" = /etc/ssl/certs/ca-certificates.crt ]
check "/etc/passwd names nonroot 65532" grep -qx 'nonroot:x:65532:65532:[^:]*:[^:]*:[^:]*' "$mnt/etc/passwd"
check "/etc/group names nonroot 65532" grep -qx 'nonroot:x:65532:.*' "$mnt/etc/group"
no_shell() { local shell; for shell in bin/sh usr/bin/sh bin/bash usr/bin/bash bin/busybox usr/bin/busybox; do [ ! -e "$mnt/$shell" ] || return 1; done; }
check "no shell in the image" no_shell
for program in netprobe netprobe-agent netprobe-controller; do
  check "$program is in /usr/local/bin, stripped" \
    bash -c "[ -x '$mnt/usr/local/bin/$program' ] && ! readelf -S '$mnt/usr/local/bin/$program' | grep -q '\.symtab'"
done
# The agent's memory figures (bench/README.md) are those of a static binary.
check "netprobe-agent is static (no program interpreter, no shared libraries)" \
  bash -c "! readelf -l '$mnt/usr/local/bin/netprobe-agent' | grep -q 'program interpreter' && ! readelf -d '$mnt/usr/local/bin/netprobe-agent' | grep -q NEEDED"
# Anything else is something the image does not need.
unexpected=$(cd "$mnt" && find . \( -type f -o -type l \) \
  ! -path './usr/local/bin/*' ! -path './usr/lib/x86_64-linux-gnu/*' ! -path './usr/lib64/*' \
  ! -path './usr/lib/aarch64-linux-gnu/*' ! -path './usr/lib/ld-linux*' ! -path './lib' ! -path './lib64' \
  ! -path './etc/passwd' ! -path './etc/group' ! -path './etc/ssl/certs/ca-certificates.crt' \
  ! -path './usr/lib/ssl/cert.pem' ! -path './usr/lib/ssl/certs' \
  ! -path './etc/hosts' ! -path './etc/resolv.conf' ! -path './etc/hostname' ! -path './run/.containerenv')
check "nothing but the programs, their libraries and /etc files${unexpected:+ (also: $(tr '\n' ' ' <<<"$unexpected"))}" [ -z "$unexpected" ]
echo "image contents:"
(cd "$mnt" && find . -type f -printf '%s %p\n' | sort -rn | awk '{printf "  %7.2f MB  %s\n", $1 / 1e6, $2}')
size=$(du -sb "$mnt" | cut -f1)  # the uncompressed content, as `buildah images` counts it
bh umount "$container" >/dev/null

# 6. The programs inside the image, as 65532.
in_image() { bh run --user 65532:65532 "$container" -- "$@"; }
version=$(sed -nE 's/^project\(netprobe VERSION ([0-9.]+).*/\1/p' "$root/CMakeLists.txt")
output=$(in_image /usr/local/bin/netprobe version 2>&1) && status=0 || status=$?
echo "netprobe version -> $output"
check "netprobe version exits 0 as 65532 and prints 'netprobe $version'" \
  [ "$status" -eq 0 -a "$output" = "netprobe $version" ]
output=$(in_image /usr/local/bin/netprobe-agent --help 2>&1) && status=0 || status=$?
check "netprobe-agent --help exits 0 as 65532 and lists --controller" \
  bash -c "[ $status -eq 0 ] && grep -q -- '--controller' <<<\"\$1\"" _ "$output"
output=$(in_image /usr/local/bin/netprobe-controller --help 2>&1) && status=0 || status=$?
check "netprobe-controller --help exits 0 as 65532 and lists --agent-token-file" \
  bash -c "[ $status -eq 0 ] && grep -q -- '--agent-token-file' <<<\"\$1\"" _ "$output"
output=$(in_image /usr/local/bin/netprobe-agent --version 2>&1) && status=0 || status=$?
check "netprobe-agent --version prints $version" [ "$status" -eq 0 -a "$output" = "netprobe-agent $version" ]

# A host name through c-ares (/etc/hosts, no glibc NSS), a closed loopback port:
# expect deny succeeds (exit 0) with outcome refused.
free_port closed
output=$(in_image /usr/local/bin/netprobe probe tcp --target "localhost:$closed" --expect deny --json 2>&1) && status=0 || status=$?
echo "netprobe probe tcp localhost:$closed -> $output"
check "a probe resolves localhost and reports refused inside the image" \
  bash -c "[ $status -eq 0 ] && grep -q '\"outcome\":\"refused\"' <<<\"\$1\"" _ "$output"

# The agent as a daemon: buildah's chroot isolation shares the host network, so
# its loopback listener is reachable from here.
free_port port
# buildah itself in the background (not the bh function's subshell): it passes SIGTERM on.
buildah "${buildah_flags[@]}" run --user 65532:65532 "$container" -- /usr/local/bin/netprobe-agent --listen "127.0.0.1:$port" \
  --node image-test --namespace monitoring > "$TEST_TMP/agent.log" 2>&1 &
agent_pid=$!
check "the agent in the image serves /healthz" wait_until 20 curl -fsS "http://127.0.0.1:$port/healthz"
check "the agent in the image serves /metrics (netprobe_agent_info)" \
  bash -c "curl -fsS http://127.0.0.1:$port/metrics | grep -q '^netprobe_agent_info{.*node=\"image-test\"'"
# SIGTERM to the agent itself, as a kubelet sends it: buildah, signalled, would
# SIGKILL its child. Its exit status is buildah's.
descendant() {  # descendant PID COMM: the first process under PID with that name
  local child
  for child in $(ps -o pid= --ppid "$1"); do
    if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = "$2" ]; then echo "$child"; return 0; fi
    descendant "$child" "$2" && return 0
  done
  return 1
}
agent_in_image=$(descendant "$agent_pid" netprobe-agent || true)
runs_as_65532() {  # real and effective UID and GID
  [ -n "$1" ] && awk '/^Uid:/ { u = $2 == 65532 && $3 == 65532 } /^Gid:/ { g = $2 == 65532 && $3 == 65532 }
    END { exit !(u && g) }' "/proc/$1/status"
}
check "the agent process runs as 65532:65532" runs_as_65532 "$agent_in_image"
kill -TERM "${agent_in_image:-$agent_pid}" 2>/dev/null || true
if wait_until 10 bash -c "! kill -0 $agent_pid"; then
  wait "$agent_pid" 2>/dev/null && status=0 || status=$?
  check "the agent in the image stops cleanly on SIGTERM (exit $status)" [ "$status" -eq 0 ]
else
  fail "the agent in the image did not stop within 10 s of SIGTERM"
fi
agent_pid=""
if [ "$TEST_FAILURES" -gt 0 ]; then cat "$TEST_TMP/agent.log" >&2; fi

# 7. The size: the goal is 30 MB.
echo "image size: $(awk -v b="$size" 'BEGIN { printf "%.1f", b / 1e6 }') MB ($size bytes; buildah images: $(bh images --format '{{.Size}}' "$image"))"
check "image size ≤ 30 MB" [ "$size" -le "$max_bytes" ]

echo "image test took $(elapsed "$started")"
finish
