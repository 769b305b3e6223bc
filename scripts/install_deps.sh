#!/usr/bin/env bash
# Installs the Debian 12 packages sluice needs, only those missing.
#   scripts/install_deps.sh build   compiler, CMake, Ninja, ccache and the libraries
#   scripts/install_deps.sh test    build + GoogleTest, clang/libFuzzer
set -euo pipefail
what=${1:-build}

packages=(g++ cmake ninja-build ccache pkg-config
          zlib1g-dev libzstd-dev libsimdjson-dev libcli11-dev
          libsnappy-dev liblz4-dev libbrotli-dev nlohmann-json3-dev libyaml-dev
          libssl-dev libcurl4-openssl-dev libinih-dev libxml2-dev
          libre2-dev libsqlite3-dev libpq-dev libmariadb-dev libroaring-dev)
if [ "$what" = test ]; then
  packages+=(libgtest-dev libgmock-dev clang-14 libclang-rt-14-dev radosgw ceph-mon ceph-osd
             postgresql-15 mariadb-server mariadb-client)
  # Node runs the independent readers of the interop tests (a newer Node already on the machine
  # is used as is).
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
  fi
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "sluice: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
