#!/usr/bin/env bash
# The GPU device check (issue 4): the cross-backend agreement tests, then ms/step and device
# memory of the CUDA and WGSL steppers at 128³, 256³, 384³ (homogeneous, lossless, PML inside;
# mixed-domain and split forms) and a heterogeneous absorbing 256³ case, then (with nsys) the
# CUDA kernels' share of a step, then a sweep of the mixed-domain passes' block shapes. Under
# 5 minutes on an H100.
#
#   benches/gpu/check.sh               build (if cargo is here) and run
#   benches/gpu/check.sh --build-only  build the binaries into benches/gpu/bin/ (with the
#                                      Vulkan loader packages) and stop: for a GPU machine
#                                      without Rust, carry that folder and run the script there
#
# Output goes to stdout and, when $OUT is set, to $OUT/gpu-check.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=benches/gpu/bin

if command -v cargo >/dev/null; then
    cargo build --release -p ferrowave-benches --features cuda,wgpu --bin acoustic_gpu
    # The agreement tests, built as one test binary without running them here.
    test_bin=$(cargo test --release -p ferrowave-solvers --features cuda,wgpu \
        --test backend_agreement --no-run --message-format=json 2>/dev/null |
        sed -n 's/.*"executable":"\([^"]*backend_agreement[^"]*\)".*/\1/p' | tail -1)
    mkdir -p "$bin"
    cp target/release/acoustic_gpu "$bin/"
    cp "$test_bin" "$bin/backend_agreement"
fi
if [[ "${1:-}" == "--build-only" ]]; then
    # The Vulkan loader and EGL/GL dispatch libraries, for GPU machines whose image lacks
    # them (wgpu needs libvulkan.so.1; the NVIDIA driver provides the ICD).
    if command -v apt-get >/dev/null; then
        mkdir -p "$bin/vulkan" /tmp/amd64/partial
        o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
        apt-get "${o[@]}" update -qq || true
        (cd "$bin/vulkan" && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libgl1 libglx0 || true)
    fi
    ls -lR "$bin"
    exit 0
fi

if ! ldconfig -p | grep -q libvulkan.so.1 && compgen -G "$bin/vulkan/*.deb" >/dev/null; then
    for f in "$bin"/vulkan/*.deb; do dpkg -x "$f" /; done
    ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[[ -z "${VK_DRIVER_FILES:-}" && -f "$icd" ]] && export VK_DRIVER_FILES="$icd"

# CUDA's libraries (nvrtc, cufft) where the toolkit or the pip wheels put them.
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
    "$(python3 -c 'import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))' 2>/dev/null)"/nvidia/*/lib; do
    [[ -d "$d" ]] && export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"
done

log=${OUT:+$OUT/gpu-check.log}
# Grid sizes of the timings and of the sweep; smaller ones make a dry run of the script (on
# lavapipe and the CUDA stand-in, e.g. CHECK_SIZES=32 SWEEP_SIZES=32).
sizes=${CHECK_SIZES:-128 256 384}
sweep_sizes=${SWEEP_SIZES:-128 256}
# A failing section is reported and the next one still runs (the device time is scarce); the
# script's status says whether any failed.
{
    failed=0
    echo "# ferrowave GPU device check, $(date -u +%FT%TZ)"
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true
    echo "## agreement with the CPU stepper (solvers/tests/backend_agreement.rs)"
    "$bin/backend_agreement" --test-threads 1 --nocapture 2>&1 ||
        { echo "## FAILED: agreement tests (status $?)"; failed=1; }
    echo "## timings (acoustic_gpu)"
    "$bin/acoustic_gpu" $sizes 2>&1 || { echo "## FAILED: acoustic_gpu (status $?)"; failed=1; }
    # Where the time of a CUDA step goes, kernel by kernel (both forms at 256³), when the
    # toolkit's profiler is installed: what to optimise next, without another device session.
    if command -v nsys >/dev/null; then
        echo "## CUDA kernels at 256³ (nsys, 40 steps per form)"
        report=$(mktemp -d)/steps
        nsys profile --trace=cuda --stats=false -o "$report" \
            "$bin/acoustic_gpu" --device cuda --timings-only --steps 40 256 >/dev/null 2>&1 &&
            nsys stats --report cuda_gpu_kern_sum --format table "$report.nsys-rep" 2>&1 |
            head -40 || echo "## nsys: no kernel table (status $?)"
    fi
    # The pass shapes (lines per block x values per thread; -x- is the built-in choice): which
    # sets the defaults (kernels/src/pass_tuning.rs). Tiles above 48 KB take the opt-in.
    echo "## mixed-domain pass shapes (sweep)"
    shapes=(-x- 4x4 8x4 16x4 32x4 8x2 8x8 16x2 16x8 32x8)
    "$bin/acoustic_gpu" --steps 60 ${shapes[@]/#/--pass } $sweep_sizes 2>&1 ||
        { echo "## FAILED: the sweep (status $?)"; failed=1; }
    exit $failed
} 2>&1 | tee ${log:-/dev/null}
