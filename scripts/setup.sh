#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages and the npm registry.
# Idempotent: does nothing when everything is already present.
set -euo pipefail

BUILD_PKGS=(
  cmake ninja-build g++ pkg-config make git clang-format
  clang libclang-rt-dev llvm  # the sanitizer and fuzzing build (libFuzzer, llvm-symbolizer)
  libboost-dev libboost-system-dev libssl-dev libsrtp2-dev
  libavcodec-dev libavutil-dev libswresample-dev libswscale-dev libopus-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libjwt-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libhiredis-dev  # the cluster's shared state in Redis (src/app/redis_store.*)
  nodejs npm
)
TEST_PKGS=(
  ffmpeg
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice
  chromium firefox-esr iproute2 util-linux procps curl python3 python3-prometheus-client nftables
  coturn  # the TURN relay e2e (tests/e2e/test_turn_relay.py)
  openssl  # the CLI: tests/e2e/test_tls.py makes its CA and certificates with it
  redis-server  # the cluster on Redis e2e (tests/e2e/test_cluster_redis.py)
  nginx caddy  # the reverse proxy e2e (tests/e2e/test_reverse_proxy.py)
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0
)

want=("${BUILD_PKGS[@]}")
if [ "${1:-}" != "--build-only" ]; then want+=("${TEST_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from a non-Debian install already on PATH; do not fight it.
if command -v node >/dev/null && command -v npm >/dev/null; then
  tmp=(); for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages present"
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
# npm ci into a folder when its lockfile is newer than its node_modules (or there is none).
npm_ci() {
  local dir="$root/$1"
  [ -f "$dir/package-lock.json" ] || return 0
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund && touch node_modules)
  fi
}
npm_ci web  # the classroom pages are part of the build
if [ "${1:-}" != "--build-only" ]; then npm_ci tests/e2e; npm_ci tests/deploy; fi
