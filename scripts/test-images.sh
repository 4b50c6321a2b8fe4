#!/usr/bin/env bash
# Builds the local test images and, given a containerd socket, imports them.
#
#   scripts/test-images.sh DIR [SOCKET]
#
# DIR receives busybox.tar and pause.tar (OCI layouts, tarred): 
#   verge.local/busybox:1  busybox-static with applet symlinks in /bin, cmd /bin/sh
#   verge.local/pause:1    the same, entrypoint sleeping until TERM/INT, then exit 0
# Building is skipped when both tarballs already exist (delete DIR to rebuild).
# With SOCKET, both are imported into namespace k8s.io of that containerd,
# unpacked for $SNAPSHOTTER (default overlayfs). Importing again is harmless.
#
# Needs: umoci, busybox (static), tar; ctr for the import. No registry is used.
set -euo pipefail

dir=${1:?usage: test-images.sh DIR [SOCKET]}
socket=${2:-}
snapshotter=${SNAPSHOTTER:-overlayfs}
busybox=${BUSYBOX:-/usr/bin/busybox}
applets="sh ls cat echo sleep env wget nc httpd ps true false id hostname printf date kill grep head tail wc mkdir rm touch test"

mkdir -p "$dir"

# build NAME ENTRYPOINT... : writes $dir/NAME.tar (atomically, via a temp dir).
build() {
  local name=$1
  shift
  [[ -s "$dir/$name.tar" ]] && return 0
  local work
  work=$(mktemp -d "$dir/.build-$name.XXXXXX")
  trap 'rm -rf "$work"' RETURN
  umoci init --layout "$work/img"
  umoci new --image "$work/img:1"
  umoci unpack --image "$work/img:1" "$work/bundle" >/dev/null
  local rootfs="$work/bundle/rootfs"
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
  cp "$busybox" "$rootfs/bin/busybox"
  local applet
  for applet in $applets; do ln -sf busybox "$rootfs/bin/$applet"; done
  printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$rootfs/etc/group"
  umoci repack --image "$work/img:1" "$work/bundle" >/dev/null
  local args=(--image "$work/img:1" --config.env PATH=/bin --config.workingdir /)
  if (($# > 0)); then
    local part
    for part in "$@"; do args+=(--config.entrypoint "$part"); done
    args+=(--clear=config.cmd)
  else
    args+=(--config.cmd /bin/sh)
  fi
  umoci config "${args[@]}"
  umoci gc --layout "$work/img"
  tar -C "$work/img" -cf "$work/$name.tar" .
  mv "$work/$name.tar" "$dir/$name.tar"
}

build busybox
build pause /bin/sh -c 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait; done'

if [[ -n "$socket" ]]; then
  for name in busybox pause; do
    ctr -a "$socket" -n k8s.io images import --snapshotter "$snapshotter" \
      --base-name "verge.local/$name" --index-name "verge.local/$name:1" "$dir/$name.tar" >/dev/null
  done
fi
