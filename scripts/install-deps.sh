#!/usr/bin/env sh
# Installs the Debian packages ferrowave builds against (HDF5 headers and pkg-config).
# Uses sudo when not run as root; does nothing if the packages are already there.
set -eu
packages="libhdf5-dev pkg-config mesa-vulkan-drivers libvulkan1"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
