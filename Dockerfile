# netprobe: one image, three programs (netprobe-agent, netprobe-controller, netprobe).
#
#   buildah build -t netprobe .            (or: docker build -t netprobe .)
#   buildah build --build-arg BASE_IMAGE=localhost/debian:12 …   a local Debian 12 base (tests/image/image_test.sh)
#
# The builder is Debian 12 with the packages of scripts/packages/build.txt, the list
# scripts/test installs too. The final image is a root assembled from scratch: the
# three stripped binaries, the shared libraries they load, CA certificates and a
# non-root user (65532). There is no shell; each Kubernetes container sets `command:`.

ARG BASE_IMAGE=docker.io/library/debian:12

FROM ${BASE_IMAGE} AS build
# Compile jobs: empty means Ninja's default (all cores); CI passes 2.
ARG JOBS=
ENV DEBIAN_FRONTEND=noninteractive
# Packages first, sources after, so editing a source file keeps this layer.
# ca-certificates is the one addition: the bundle the final image carries.
COPY scripts/packages/build.txt /tmp/build.txt
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends \
      $(grep -vE '^[[:space:]]*(#|$)' /tmp/build.txt) ca-certificates \
 && rm -rf /var/lib/apt/lists/*

COPY . /src
# The top-level CMakeLists.txt always adds tests/ and bench/, so only the three
# programs are built. -Werror is for development; a compiler warning must not
# stop an image build.
RUN cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DNETPROBE_WERROR=OFF \
 && cmake --build /build ${JOBS:+--parallel "$JOBS"} --target netprobe-agent netprobe-controller netprobe

# /rootfs becomes the image. The libraries are the ldd closure of the binaries
# (the controller's and the CLI's: netprobe-agent is static, ldd has nothing for it),
# at their real paths, with Debian's merged-/usr links (/lib, /lib64) so the
# paths the binaries and the loader ask for resolve. Name resolution is c-ares
# (no NSS modules needed); OpenSSL finds the CA bundle through its Debian
# OPENSSLDIR links (/usr/lib/ssl/cert.pem, /usr/lib/ssl/certs).
RUN set -eu; \
    mkdir -p /rootfs/usr/local/bin /rootfs/etc/ssl/certs /rootfs/usr/lib/ssl /rootfs/home/nonroot /rootfs/tmp; \
    for program in netprobe-agent netprobe-controller netprobe; do \
      strip --strip-unneeded -o "/rootfs/usr/local/bin/$program" "/build/bin/$program"; \
    done; \
    for dir in /lib /lib64; do \
      if [ -L "$dir" ]; then mkdir -p "/rootfs$(readlink -f "$dir")"; cp -a "$dir" "/rootfs$dir"; fi; \
    done; \
    if ldd /rootfs/usr/local/bin/* | grep 'not found'; then exit 1; fi; \
    put() { dir="/rootfs$(readlink -f "$(dirname "$1")")"; mkdir -p "$dir"; cp -a "$1" "$dir/"; }; \
    for lib in $(ldd /rootfs/usr/local/bin/* | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(0x/ { print $1 }' | sort -u); do \
      put "$lib"; put "$(readlink -f "$lib")"; \
    done; \
    cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/; \
    ln -s /etc/ssl/certs/ca-certificates.crt /rootfs/usr/lib/ssl/cert.pem; \
    ln -s /etc/ssl/certs /rootfs/usr/lib/ssl/certs; \
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > /rootfs/etc/passwd; \
    printf 'root:x:0:\nnonroot:x:65532:\n' > /rootfs/etc/group; \
    chown 65532:65532 /rootfs/home/nonroot; \
    chmod 0700 /rootfs/home/nonroot; \
    chmod 1777 /rootfs/tmp; \
    chroot /rootfs /usr/local/bin/netprobe version

FROM scratch
LABEL org.opencontainers.image.title="netprobe" \
      org.opencontainers.image.description="Kubernetes connectivity probe: netprobe-agent, netprobe-controller and the netprobe command line"
COPY --from=build /rootfs /
USER 65532:65532
# No ENTRYPOINT: the agent and the controller containers each name their program in `command:`.
CMD ["/usr/local/bin/netprobe", "--help"]
