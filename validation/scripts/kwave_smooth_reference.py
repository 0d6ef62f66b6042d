"""Reference values for ferrowave's k-Wave `smooth` port (solvers/src/acoustic/smoothing.rs).

Builds the test fields with k-wave-python 0.6.2 (`make_ball`, `make_disc`), smooths them with
`kwave.utils.filters.smooth`, checks that the plain geometric ball/disc definitions used in the Rust
tests give the same masks, and prints the values the Rust unit tests hard-code.

    python kwave_smooth_reference.py                 # print reference values
    python kwave_smooth_reference.py --rust DIR      # also compare DIR/<case>.f32 / .f64 written by
                                                     # Rust (raw little-endian, x fastest)

`--h5 DIR` (default: shared/reference/kwave beside the repository) also reads p0 from the homogeneous_2d/3d inputs.
"""

import argparse
import logging
import os
import urllib.request


def _offline_urlretrieve(url, *args, **kwargs):
    # k-wave-python 0.6.2 downloads binaries on import and only tolerates TimeoutError.
    raise TimeoutError(f"offline: not downloading {url}")


urllib.request.urlretrieve = _offline_urlretrieve
logging.disable(logging.WARNING)

import numpy as np  # noqa: E402
from kwave.data import Vector  # noqa: E402
from kwave.utils.filters import smooth  # noqa: E402
from kwave.utils.mapgen import make_ball, make_disc  # noqa: E402


def geometric_mask(shape, centre_1based, radius):
    """|p - (c - 1)| <= radius on integer points, 0-based; what the Rust tests build."""
    grids = np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")
    d2 = sum((g - (c - 1)) ** 2 for g, c in zip(grids, centre_1based))
    return (d2 <= radius * radius).astype(np.float64)


def box_1d():
    a = np.zeros(64)
    a[20:30] = 1.0
    a[45] = -2.0  # the largest |value| is negative: restore_max uses max(abs(.))
    return a


def cases():
    out = {}
    out["box1d_64"] = (box_1d(), True)
    a = np.zeros(33)
    a[10:17] = 1.0
    out["box1d_33_noscale"] = (a, False)

    disc = make_disc(Vector([45, 64]), Vector([20, 33]), 7).astype(np.float64)
    assert np.array_equal(disc, geometric_mask((45, 64), (20, 33), 7))
    out["disc_45x64"] = (disc, True)
    out["disc_45x64_noscale"] = (disc, False)

    disc = make_disc(Vector([128, 128]), Vector([60, 70]), 6).astype(np.float64)
    assert np.array_equal(disc, geometric_mask((128, 128), (60, 70), 6))
    out["disc_128"] = (disc, True)

    ball = make_ball(Vector([48, 48, 48]), Vector([22, 25, 24]), 4).astype(np.float64)
    assert np.array_equal(ball, geometric_mask((48, 48, 48), (22, 25, 24), 4))
    out["ball_48"] = (ball, True)

    ball = make_ball(Vector([21, 32, 17]), Vector([10, 17, 9]), 3).astype(np.float64)
    assert np.array_equal(ball, geometric_mask((21, 32, 17), (10, 17, 9), 3))
    out["ball_21x32x17"] = (ball, True)
    return out


def fmt_idx(idx):
    return "(" + ", ".join(str(int(i)) for i in idx) + ")"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rust", help="folder with <case>.f32 (and optionally <case>.f64) files written by the Rust port")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--h5", default=os.path.join(here, "..", "..", "..", "shared", "reference", "kwave"))
    args = ap.parse_args()

    rng = np.random.default_rng(7)
    results = {}
    for name, (a, restore) in cases().items():
        sm = smooth(a, restore_max=restore)
        results[name] = sm
        print(f"== {name} shape {a.shape} restore_max={restore}")
        print(f"   sum = {sm.sum():.17g}  max = {sm.max():.17g} at {fmt_idx(np.unravel_index(sm.argmax(), sm.shape))}"
              f"  min = {sm.min():.17g}")
        peak = np.unravel_index(np.abs(sm).argmax(), sm.shape)
        pts = [peak]
        for ax in range(sm.ndim):
            for d in (-2, -1, 1, 3):
                p = list(peak)
                p[ax] = (p[ax] + d) % sm.shape[ax]
                pts.append(tuple(p))
        pts += [tuple(int(rng.integers(0, n)) for n in sm.shape) for _ in range(3)]
        for p in pts:
            print(f"   {fmt_idx(p)} {sm[p]:.17g}")

    if args.h5:
        import h5py

        for case, key in (("homogeneous_3d", "ball_48"), ("homogeneous_2d", "disc_128")):
            with h5py.File(os.path.join(args.h5, case, f"{case}_input.h5"), "r") as f:
                p0 = np.asarray(f["p0_source_input"], dtype=np.float64)  # (Nz, Ny, Nx)
            p0 = p0.transpose(2, 1, 0)  # -> (Nx, Ny, Nz)
            ref = results[key].reshape(p0.shape)
            print(f"== {case}: |p0_file - smooth| max = {np.abs(p0 - ref).max():.3e}")
            peak = np.unravel_index(p0.argmax(), p0.shape)
            print(f"   file p0 max {p0.max():.9g} at {fmt_idx(peak)}")
            pts = [peak]
            for ax in range(3 if p0.shape[2] > 1 else 2):
                for d in (-3, -1, 2):
                    p = list(peak)
                    p[ax] += d
                    pts.append(tuple(p))
            pts += [tuple(int(rng.integers(0, n)) for n in p0.shape) for _ in range(2)]
            for p in pts:
                print(f"   file {fmt_idx(p)} {np.float32(p0[p])!r}")
            if args.rust:
                r = np.fromfile(os.path.join(args.rust, f"{key}.f32"), dtype="<f4").astype(np.float64)
                r = r.reshape(p0.shape[::-1]).transpose(2, 1, 0)
                print(f"   rust vs file p0: max abs diff {np.abs(r - p0).max():.3e} (max |p0| {np.abs(p0).max():.6g})")

    if args.rust:
        for name, sm in results.items():
            path = os.path.join(args.rust, f"{name}.f32")
            if not os.path.exists(path):
                print(f"-- {name}: no Rust output")
                continue
            r = np.fromfile(path, dtype="<f4").astype(np.float64)
            r = r.reshape(sm.shape[::-1]).transpose(*reversed(range(sm.ndim)))
            d = np.abs(r - sm).max()
            print(f"-- {name}: rust(f32) vs kwave smooth(f64): max abs diff {d:.3e}, relative to max|.| {d / np.abs(sm).max():.3e}")
            path64 = path[:-4] + ".f64"
            if os.path.exists(path64):
                r = np.fromfile(path64, dtype="<f8")
                r = r.reshape(sm.shape[::-1]).transpose(*reversed(range(sm.ndim)))
                d = np.abs(r - sm).max()
                print(f"-- {name}: rust(f64) vs kwave smooth(f64): max abs diff {d:.3e}, relative to max|.| {d / np.abs(sm).max():.3e}")


if __name__ == "__main__":
    main()
