//! k-Wave's split-field PML profiles (getPML): exp(-alpha (c_ref/d) (dt/2) r^4), with r the
//! normalised depth into the layer on the regular or the half-point-shifted staggered grid.

/// (regular, staggered) absorption factors along an axis of `n` points.
pub fn profiles(
    n: usize,
    size: usize,
    alpha: f64,
    c_ref: f64,
    d: f64,
    dt: f64,
) -> (Vec<f32>, Vec<f32>) {
    let mut regular = vec![1.0f32; n];
    let mut staggered = vec![1.0f32; n];
    if size == 0 {
        return (regular, staggered);
    }
    let s = size as f64;
    let factor =
        |depth: f64| (-alpha * (c_ref / d) * (dt / 2.0) * (depth / s).powi(4)).exp() as f32;
    for i in 0..size {
        let fi = i as f64;
        regular[i] = factor(s - fi);
        staggered[i] = factor(s - fi - 0.5);
        regular[n - size + i] = factor(fi + 1.0);
        staggered[n - size + i] = factor(fi + 1.5);
    }
    (regular, staggered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_matches_kwave_formula_at_the_edges() {
        let (dt, c, d, a) = (2e-8, 1500.0, 1e-4, 2.0);
        let (reg, sg) = profiles(48, 10, a, c, d, dt);
        let expect = |r: f64| (-a * (c / d) * (dt / 2.0) * r.powi(4)).exp() as f32;
        assert_eq!(reg[0], expect(1.0));
        assert_eq!(sg[0], expect(0.95));
        assert_eq!(reg[47], expect(1.0));
        assert_eq!(sg[47], expect(1.05));
        assert_eq!(reg[38], expect(0.1));
        assert_eq!(reg[10], 1.0);
        assert_eq!(reg[37], 1.0);
        assert_eq!(sg[37], 1.0);
    }
}
