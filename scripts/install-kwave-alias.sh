#!/usr/bin/env sh
# Creates the symlink kspaceFirstOrder-OMP -> ferrowave next to the installed ferrowave, so
# that k-Wave (MATLAB) and k-wave-python can run ferrowave in place of k-Wave's C++ binary.
# Started under that name, ferrowave behaves as `ferrowave kwave` (docs/kwave.md).
#
# Usage: scripts/install-kwave-alias.sh [PATH_TO_FERROWAVE]
#   PATH_TO_FERROWAVE defaults to the ferrowave found on PATH (e.g. ~/.cargo/bin/ferrowave
#   after `cargo install --path .`). Prints the path of the alias it created.
set -eu

name="kspaceFirstOrder-OMP"
if [ "$#" -gt 1 ]; then
    echo "usage: $0 [PATH_TO_FERROWAVE]" >&2
    exit 2
fi
if [ "$#" -eq 1 ]; then
    target="$1"
else
    target="$(command -v ferrowave || true)"
    if [ -z "$target" ]; then
        echo "error: no ferrowave on PATH; install it first (cargo install --path .) or give its path" >&2
        exit 1
    fi
fi
if [ ! -f "$target" ] || [ ! -x "$target" ]; then
    echo "error: $target is not an executable file" >&2
    exit 1
fi

dir="$(cd "$(dirname "$target")" && pwd)"
base="$(basename "$target")"
link="$dir/$name"
if [ -e "$link" ] && [ ! -L "$link" ]; then
    echo "error: $link exists and is not a symlink (a real k-Wave binary?); not replacing it" >&2
    exit 1
fi
# A relative link keeps working if the directory moves.
ln -sfn "$base" "$link"
echo "$link"
