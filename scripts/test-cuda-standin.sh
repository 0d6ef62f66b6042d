#!/usr/bin/env bash
# Runs the CUDA backend's agreement tests on a CPU stand-in for the GPU (no NVIDIA hardware
# needed): the real NVRTC (from the nvidia-cuda-nvrtc-cu12 wheel on PyPI) compiles
# kernels/cuda/acoustic.cu and mixed.cu, and kernels/tests/cuda_standin/standin.cpp stands in
# for libcuda and libcufft, running the same kernels as C++ (threads of synchronising kernels
# as fibers). CI runs this; on a machine with a GPU, run
# the real tests instead (benches/gpu/check.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
work=target/cuda-standin
mkdir -p "$work"
if [[ ! -e "$work/nvrtc/nvidia/cuda_nvrtc/lib/libnvrtc.so.12" ]]; then
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
        --platform manylinux_2_12_x86_64 --platform manylinux2010_x86_64 \
        -d "$work/wheel" nvidia-cuda-nvrtc-cu12==12.9.86
    python3 -m zipfile -e "$work"/wheel/nvidia_cuda_nvrtc_cu12-*.whl "$work/nvrtc"
fi
g++ -O2 -std=c++17 -shared -fPIC -w \
    -Ikernels/tests/cuda_standin -Ikernels/cuda \
    kernels/tests/cuda_standin/standin.cpp -o "$work/libstandin.so"
ln -sf libstandin.so "$work/libcuda.so"
ln -sf libstandin.so "$work/libcufft.so"
export LD_LIBRARY_PATH="$PWD/$work:$PWD/$work/nvrtc/nvidia/cuda_nvrtc/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
cargo test -p ferrowave-kernels --all-features --test cuda_kernels_compile --test cuda_backend \
    --test cuda_mixed --test cuda_line_fft -- --nocapture
cargo test -p ferrowave-solvers --all-features --test backend_agreement cuda -- --nocapture
