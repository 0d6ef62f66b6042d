#!/usr/bin/env bash
# Dataset generation benchmarks (issue 5): per-sample times of `ferrowave generate` on the
# issue's two problems, 2 threads.
#   1000 Darcy samples at 85² (solved at 421²)
#   100 Navier–Stokes trajectories, ν = 1e-3, solved at 256², stored at 64², T = 50
# DARCY_SAMPLES / NS_SAMPLES override the counts (the per-sample time does not depend on them).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/ferrowave
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores," \
     "load $(cut -d' ' -f1-3 /proc/loadavg); threads 2"
echo
echo "== darcy: ${DARCY_SAMPLES:-1000} samples, 85² stored, 421² solved"
"$bin" generate darcy --samples "${DARCY_SAMPLES:-1000}" --resolution 85 \
    --solve-resolution 421 --seed 1 --threads 2 --quiet -o "$out/darcy.h5"
echo
echo "== navier-stokes: ${NS_SAMPLES:-100} trajectories, ν = 1e-3, 256² solved, 64² stored, T = 50"
"$bin" generate navier-stokes --samples "${NS_SAMPLES:-100}" --resolution 64 \
    --solve-resolution 256 --viscosity 1e-3 --final-time 50 --seed 1 --threads 2 --quiet \
    -o "$out/ns.h5"
