//! The point-wise loops of the axis passes, over complex values as interleaved (re, im) f32
//! so that they vectorise. Each is compiled twice, for AVX2 (chosen at run time when the
//! processor has it) and for the baseline; neither contracts to FMA, so both give the same
//! bits.

use num_complex::Complex32;

/// A real factor per complex value, given twice (once for re, once for im).
pub fn pairs(values: &[f32]) -> Vec<f32> {
    values.iter().flat_map(|&v| [v, v]).collect()
}

fn floats(values: &[Complex32]) -> &[f32] {
    // SAFETY: Complex32 is repr(C) { re: f32, im: f32 }.
    unsafe { std::slice::from_raw_parts(values.as_ptr() as *const f32, 2 * values.len()) }
}

fn floats_mut(values: &mut [Complex32]) -> &mut [f32] {
    // SAFETY: Complex32 is repr(C) { re: f32, im: f32 }.
    unsafe { std::slice::from_raw_parts_mut(values.as_mut_ptr() as *mut f32, 2 * values.len()) }
}

/// Defines `pub fn $name` calling the `#[inline(always)]` body `$body` through an AVX2
/// instance when the processor has AVX2, and directly otherwise.
macro_rules! with_avx2 {
    ($name:ident, $body:ident, ($($arg:ident: $ty:ty),*)) => {
        pub fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) {
                    $body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the processor has AVX2 (checked just above).
                    return unsafe { avx2($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}

/// field = (field p - source c) p; copy = field. `p` in pairs.
#[inline(always)]
fn pml_update_copy_body(
    field: &mut [Complex32],
    source: &[Complex32],
    c: f32,
    p: &[f32],
    copy: &mut [Complex32],
) {
    let n = 2 * field.len();
    let (f, s, p, o) = (
        floats_mut(field),
        &floats(source)[..n],
        &p[..n],
        &mut floats_mut(copy)[..n],
    );
    for i in 0..n {
        let v = (f[i] * p[i] - s[i] * c) * p[i];
        f[i] = v;
        o[i] = v;
    }
}
with_avx2!(
    pml_update_copy,
    pml_update_copy_body,
    (field: &mut [Complex32], source: &[Complex32], c: f32, p: &[f32], copy: &mut [Complex32])
);

/// field = (field p - work c) p; work = field. `p` in pairs.
#[inline(always)]
fn pml_update_into_body(field: &mut [Complex32], work: &mut [Complex32], c: f32, p: &[f32]) {
    let n = 2 * field.len();
    let (f, w, p) = (floats_mut(field), &mut floats_mut(work)[..n], &p[..n]);
    for i in 0..n {
        let v = (f[i] * p[i] - w[i] * c) * p[i];
        f[i] = v;
        w[i] = v;
    }
}
with_avx2!(
    pml_update_into,
    pml_update_into_body,
    (field: &mut [Complex32], work: &mut [Complex32], c: f32, p: &[f32])
);

/// line = line factor kappa, `kappa` one real per complex value.
#[inline(always)]
fn multiply_body(line: &mut [Complex32], factor: &[Complex32], kappa: &[f32]) {
    let n = line.len();
    let (l, f, k) = (floats_mut(line), &floats(factor)[..2 * n], &kappa[..n]);
    for ((v, f), &k) in l.chunks_exact_mut(2).zip(f.chunks_exact(2)).zip(k) {
        let (re, im) = (v[0] * k, v[1] * k);
        v[0] = re * f[0] - im * f[1];
        v[1] = re * f[1] + im * f[0];
    }
}
with_avx2!(
    multiply,
    multiply_body,
    (line: &mut [Complex32], factor: &[Complex32], kappa: &[f32])
);

/// out = input c.
#[inline(always)]
fn scale_body(out: &mut [Complex32], input: &[Complex32], c: f32) {
    let n = 2 * out.len();
    let (o, i) = (floats_mut(out), &floats(input)[..n]);
    for k in 0..n {
        o[k] = i[k] * c;
    }
}
with_avx2!(scale, scale_body, (out: &mut [Complex32], input: &[Complex32], c: f32));

/// a += s c and b += s c (a field and its copy in scratch).
#[inline(always)]
fn add_scaled_twice_body(a: &mut [Complex32], b: &mut [Complex32], s: &[Complex32], c: f32) {
    let n = 2 * a.len();
    let (a, b, s) = (floats_mut(a), &mut floats_mut(b)[..n], &floats(s)[..n]);
    for i in 0..n {
        let v = s[i] * c;
        a[i] += v;
        b[i] += v;
    }
}
with_avx2!(
    add_scaled_twice,
    add_scaled_twice_body,
    (a: &mut [Complex32], b: &mut [Complex32], s: &[Complex32], c: f32)
);
