#!/bin/sh
# Builds the swemls OCI image from deploy/Dockerfile without a container daemon: podman with
# --isolation=chroot and vfs storage (works as root on a machine without Docker).
#
#   deploy/scripts/build-image.sh [TAG] [OUT.tar]
#     TAG      image tag (default swemls:0.1.0)
#     OUT.tar  also save the image as an OCI archive there (optional)
#   NODE_IMAGE=node:20-bookworm-slim deploy/scripts/build-image.sh   # use a registry base image
#
# With no NODE_IMAGE, and no registry to pull from, it first makes a local Debian bookworm base
# with debootstrap and this machine's Node 20 (node + npm), and uses that.
# Storage lives in $SWEMLS_PODMAN_ROOT (default /tmp/swemls-podman). Needs: podman, debootstrap.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
tag="${1:-swemls:0.1.0}"
out="${2:-}"
store="${SWEMLS_PODMAN_ROOT:-/tmp/swemls-podman}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

for tool in podman debootstrap; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-image: $tool not found (Debian: apt-get install podman buildah debootstrap)" >&2
    exit 1
  fi
done

pod() {
  podman --root "$store/root" --runroot "$store/run" --storage-driver vfs --cgroup-manager cgroupfs "$@"
}

base="${NODE_IMAGE:-}"
if [ -z "$base" ]; then
  base="localhost/swemls-node20-base:bookworm"
  if ! pod image exists "$base"; then
    node_bin=$(command -v node)
    npm_dir=$(dirname "$node_bin")/../lib/node_modules/npm
    if [ ! -d "$npm_dir" ]; then
      echo "build-image: npm not found at $npm_dir" >&2
      exit 1
    fi
    rootfs=$(mktemp -d /tmp/swemls-rootfs.XXXXXX)
    chmod 0755 "$rootfs" # mktemp makes it 0700: that would become the image's /, closed to uid 10001
    trap 'rm -rf "$rootfs"' EXIT
    echo "build-image: making $base with debootstrap ($mirror) and $("$node_bin" --version)"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
      echo "build-image: debootstrap failed, see $rootfs.log" >&2
      exit 1
    }
    cp "$node_bin" "$rootfs/usr/local/bin/node"
    mkdir -p "$rootfs/usr/local/lib/node_modules" "$rootfs/usr/local/include"
    cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
    rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
    # The import's --change options, built up as positional parameters.
    set --
    # node-gyp (better-sqlite3) downloads Node's headers unless told where they are: ship them.
    headers=$(dirname "$node_bin")/../include/node
    if [ -d "$headers" ]; then
      cp -a "$headers" "$rootfs/usr/local/include/node"
      set -- "$@" --change "ENV npm_config_nodedir=/usr/local"
    fi
    # A machine whose TLS to the npm registry goes through a proxy with its own CA names it in
    # NODE_EXTRA_CA_CERTS: the local base trusts it too, or `npm ci` fails in the build stage.
    # (This local base is a stand-in for node:20-bookworm-slim; build registry images from that.)
    if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
      cp "$NODE_EXTRA_CA_CERTS" "$rootfs/usr/local/share/build-extra-ca.crt"
      set -- "$@" --change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/build-extra-ca.crt"
      echo "build-image: the local base trusts the extra CA in \$NODE_EXTRA_CA_CERTS"
    fi
    tar -C "$rootfs" -c . | pod import "$@" - "$base"
    rm -f "$rootfs.log"
  fi
fi

echo "build-image: building $tag from $base"
pod build --isolation=chroot \
  --build-arg "NODE_IMAGE=$base" \
  --file "$root/deploy/Dockerfile" \
  --ignorefile "$root/deploy/Dockerfile.dockerignore" \
  --tag "$tag" \
  "$root"

# What was built, checked inside the image as its own user (in a throwaway build step, because
# `podman run` does not work on every machine): the entry point answers, better-sqlite3's native
# module loads, and no development dependency came along.
check_dir=$(mktemp -d /tmp/swemls-imgcheck.XXXXXX)
cat >"$check_dir/check.sh" <<'EOF'
set -eu
test "$(id -u)" = 10001
node /app/dist/cli/entry.js --version
node /app/dist/cli/entry.js detect --help | head -n 1
node -e "const Db = require('/app/node_modules/better-sqlite3'); console.log('sqlite', new Db(':memory:').prepare('select sqlite_version() as v').get().v)"
for dev in typescript eslint fast-check kubernetes-models dockerfile-utils; do
  if [ -e "/app/node_modules/$dev" ]; then echo "development dependency in the image: $dev" >&2; exit 1; fi
done
# Every part end to end from the image (generate, train, predict, simulate, detect on loopback).
cd /tmp && node /app/dist/cli/entry.js trial --seed 3 --days 2 --train-days 15 --history 10 --population 800 --grace 1 --out /tmp/trial | grep -E '^(detector, exact|PASS|FAIL)'
echo "image check: ok"
EOF
printf 'FROM %s\nCOPY check.sh /tmp/check.sh\nRUN ["sh", "/tmp/check.sh"]\n' "$tag" >"$check_dir/Containerfile"
pod build --isolation=chroot --file "$check_dir/Containerfile" "$check_dir"
rm -rf "$check_dir"
echo "build-image: $tag checked (uid 10001, swemls --version, better-sqlite3, no dev dependencies, a short trial)"

if [ -n "$out" ]; then
  pod save --format oci-archive --output "$out" "$tag"
  echo "build-image: saved $out"
fi
pod images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -F "$tag" || true
