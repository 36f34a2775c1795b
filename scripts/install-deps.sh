#!/usr/bin/env bash
# Installs what polyhttpd needs to build and test, from Debian 12's packages, and nothing
# that is already there. Used by scripts/dev.sh, .ci/run and the Dockerfile. Run as root.
#   install-deps.sh          build + test dependencies
#   install-deps.sh build    only what compiling needs (the Dockerfile's build stage)
#   install-deps.sh bench    also wrk and the servers bench/ compares against
#   install-deps.sh fuzz     also clang and libFuzzer (tests/fuzz, scripts/dev.sh fuzz)
#   install-deps.sh systemd  debootstrap and systemd-nspawn (scripts/dev.sh test-systemd)
set -euo pipefail

packages=(g++ cmake ninja-build pkg-config node-llhttp libspdlog-dev libcli11-dev
          libcpptoml-dev libsystemd-dev liburing-dev libssl-dev zlib1g-dev libbrotli-dev
          libzstd-dev)
# Tests: Catch2; systemd-analyze and systemd-socket-activate (tests/systemd); logrotate to
# check the shipped snippet; wrk and python3 for the bench smoke test; the openssl command
# (test certificates); curl, openssl, python3 and sslscan as the real TLS clients
# (tests/tls-clients).
test_packages=(catch2 systemd logrotate wrk python3 curl openssl sslscan)
case "${1:-}" in
    build) ;;
    bench) packages+=("${test_packages[@]}" wrk nginx-light lighttpd lighttpd-mod-openssl lighttpd-mod-deflate h2o gnuplot-nox util-linux
                      procps) ;;
    fuzz) packages+=("${test_packages[@]}" clang-14 libclang-rt-14-dev) ;;
    systemd) packages+=(debootstrap systemd-container curl) ;;
    *) packages+=("${test_packages[@]}") ;;
esac

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
    exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages and not root; run: apt-get install ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
