//! Darcy flow: the multigrid-preconditioned CG solver against a manufactured solution and a
//! direct solve of the same discretisation, and the dataset generator's contract.

use ferrowave_solvers::datagen::darcy::{DarcyCoefficient, DarcyGenerator, DarcyParameters};
use ferrowave_solvers::datagen::{sample_rng, subsample_2d, GenerateError, Generator};
use ferrowave_solvers::elliptic::darcy::{solve_darcy, solve_diffusion};
use ferrowave_solvers::random_field::GaussianRandomField;

use std::f64::consts::PI;

/// FNO's piecewise coefficient at S × S nodes: 12 where a Neumann GRF is >= 0, 3 elsewhere.
fn piecewise_coefficient(s: usize, seed: u64) -> Vec<f64> {
    let field = GaussianRandomField {
        sigma: 3.0,
        tau: 3.0,
        gamma: 2.0,
    };
    field
        .neumann_2d(s, s, &mut sample_rng(seed, 0))
        .into_iter()
        .map(|g| if g >= 0.0 { 12.0 } else { 3.0 })
        .collect()
}

fn relative_l2(a: &[f64], b: &[f64]) -> f64 {
    let diff: f64 = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum();
    let norm: f64 = b.iter().map(|y| y * y).sum();
    (diff / norm).sqrt()
}

/// An independent direct solve of the discretisation (h² × the 5-point harmonic-mean
/// operator, b = h² f) by banded Cholesky over the interior nodes, x-major as the grid is.
fn direct_solve(coefficient: &[f64], s: usize, f: f64) -> Vec<f64> {
    let inner = s - 2;
    let unknowns = inner * inner;
    let band = inner; // the farthest coupling: the x neighbour, `inner` unknowns away
    let index = |i: usize, j: usize| (i - 1) * inner + (j - 1);
    // lower[r][band - d] = A(r, r - d) for d in 0..=band.
    let mut lower = vec![vec![0.0; band + 1]; unknowns];
    let h = 1.0 / (s - 1) as f64;
    let mut rhs = vec![h * h * f; unknowns];
    for i in 1..s - 1 {
        for j in 1..s - 1 {
            let r = index(i, j);
            let a = coefficient[i * s + j];
            let mut diagonal = 0.0;
            for (ni, nj) in [(i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)] {
                let b = coefficient[ni * s + nj];
                let face = 2.0 * a * b / (a + b);
                diagonal += face;
                let interior = (1..s - 1).contains(&ni) && (1..s - 1).contains(&nj);
                if interior && index(ni, nj) < r {
                    lower[r][band - (r - index(ni, nj))] = -face;
                }
            }
            lower[r][band] = diagonal;
        }
    }
    // Banded Cholesky in place: lower becomes L with A = L L^T.
    for r in 0..unknowns {
        for d in (0..=band.min(r)).rev() {
            let c = r - d;
            let mut value = lower[r][band - d];
            for k in c.saturating_sub(band).max(r.saturating_sub(band))..c {
                value -= lower[r][band - (r - k)] * lower[c][band - (c - k)];
            }
            lower[r][band - d] = if d == 0 {
                value.sqrt()
            } else {
                value / lower[c][band]
            };
        }
    }
    for r in 0..unknowns {
        for k in r.saturating_sub(band)..r {
            rhs[r] -= lower[r][band - (r - k)] * rhs[k];
        }
        rhs[r] /= lower[r][band];
    }
    for r in (0..unknowns).rev() {
        rhs[r] /= lower[r][band];
        for k in r.saturating_sub(band)..r {
            rhs[k] -= lower[r][band - (r - k)] * rhs[r];
        }
    }
    let mut u = vec![0.0; s * s];
    for i in 1..s - 1 {
        for j in 1..s - 1 {
            u[i * s + j] = rhs[index(i, j)];
        }
    }
    u
}

#[test]
fn the_direct_reference_solves_a_constant_coefficient_problem() {
    // Sanity of the reference itself: with a = 1 and f = 1 it must agree with PCG and with
    // the continuous Poisson solution at the centre (second order in h), so a wrong assembly
    // or a broken factorisation cannot pass.
    let s = 33;
    let h = 1.0 / (s - 1) as f64;
    let u = direct_solve(&vec![1.0; s * s], s, 1.0);
    let pcg = solve_darcy(&vec![1.0; s * s], s, 1.0, 1e-12).unwrap();
    assert!(relative_l2(&pcg.u, &u) < 1e-10);
    // Poisson with f = 1 on the unit square: max u = 0.0736713... (series solution).
    let centre = u[(s / 2) * s + s / 2];
    assert!((centre - 0.073_671_3).abs() < 0.5 * h * h, "{centre}");
}

#[test]
fn pcg_matches_a_direct_solve_for_the_piecewise_coefficient() {
    // Even (32) and odd (33) interval counts exercise both coarsenings. With the residual
    // at 1e-10 and a smooth right-hand side the error is of the same order: 1e-9 leaves room
    // for the condition number without hiding a wrong operator (which gives O(1) errors).
    for (s, seed) in [(33, 1), (34, 2), (45, 3)] {
        let coefficient = piecewise_coefficient(s, seed);
        let reference = direct_solve(&coefficient, s, 1.0);
        let solved = solve_darcy(&coefficient, s, 1.0, 1e-10).unwrap();
        let error = relative_l2(&solved.u, &reference);
        eprintln!("S {s}: PCG vs direct relative L2 {error:e}");
        assert!(error < 1e-9, "S {s}: relative L2 {error:e}");
        assert!(solved.relative_residual <= 1e-10);
    }
}

/// u = sin(πx) sin(πy) with a = 1 + 0.5 sin(2πx) cos(3πy): the discrete L2 error at S nodes.
fn manufactured_error(s: usize) -> f64 {
    let h = 1.0 / (s - 1) as f64;
    let mut coefficient = vec![0.0; s * s];
    let mut source = vec![0.0; s * s];
    let mut exact = vec![0.0; s * s];
    for i in 0..s {
        for j in 0..s {
            let (x, y) = (i as f64 * h, j as f64 * h);
            let a = 1.0 + 0.5 * (2.0 * PI * x).sin() * (3.0 * PI * y).cos();
            let a_x = PI * (2.0 * PI * x).cos() * (3.0 * PI * y).cos();
            let a_y = -1.5 * PI * (2.0 * PI * x).sin() * (3.0 * PI * y).sin();
            let u = (PI * x).sin() * (PI * y).sin();
            let u_x = PI * (PI * x).cos() * (PI * y).sin();
            let u_y = PI * (PI * x).sin() * (PI * y).cos();
            // −∇·(a∇u) = −(a_x u_x + a_y u_y) − a Δu, Δu = −2π² u.
            source[i * s + j] = -(a_x * u_x + a_y * u_y) + 2.0 * PI * PI * a * u;
            coefficient[i * s + j] = a;
            exact[i * s + j] = u;
        }
    }
    let solved = solve_diffusion(&coefficient, s, &source, 1e-12).unwrap();
    let squared: f64 = solved
        .u
        .iter()
        .zip(&exact)
        .map(|(u, e)| (u - e).powi(2))
        .sum();
    (squared * h * h).sqrt()
}

#[test]
fn manufactured_solution_converges_at_second_order() {
    // The harmonic mean of nodal values is a(x_{i+1/2}) + O(h²) for smooth a, so the scheme
    // is second order: each halving of h divides the error by ~4.
    let errors: Vec<f64> = [17, 33, 65, 129].map(manufactured_error).to_vec();
    eprintln!("manufactured solution, discrete L2 errors at h = 1/16 .. 1/128: {errors:?}");
    for pair in errors.windows(2) {
        let order = (pair[0] / pair[1]).log2();
        assert!(
            (1.8..=2.2).contains(&order),
            "errors {errors:?}: order {order}"
        );
    }
    assert!(errors[3] < 1e-4, "{errors:?}");
}

#[test]
fn iterations_do_not_grow_with_resolution() {
    // Multigrid-preconditioned CG: the iteration count at 1e-10 stays ~10 from S = 64 to 421
    // (even and odd interval counts); 25 would already signal a broken hierarchy.
    let mut counts = Vec::new();
    for s in [64, 85, 100, 211, 421] {
        let coefficient = piecewise_coefficient(s, 7);
        let solved = solve_darcy(&coefficient, s, 1.0, 1e-10).unwrap();
        assert!(solved.relative_residual <= 1e-10);
        // The reported residual is the true one.
        let h2 = (1.0 / (s - 1) as f64).powi(2);
        let mut residual_sq = 0.0;
        for i in 1..s - 1 {
            for j in 1..s - 1 {
                let p = i * s + j;
                let a = coefficient[p];
                let mut value = h2;
                for q in [p - s, p + s, p - 1, p + 1] {
                    let b = coefficient[q];
                    value -= 2.0 * a * b / (a + b) * (solved.u[p] - solved.u[q]);
                }
                residual_sq += value * value;
            }
        }
        // b = h² f = h² at each of the (S−2)² interior nodes.
        let b_norm = h2 * (s - 2) as f64;
        let measured = residual_sq.sqrt() / b_norm;
        assert!(
            (measured - solved.relative_residual).abs() < 1e-12,
            "S {s}: {measured:e} vs {:e}",
            solved.relative_residual
        );
        counts.push((s, solved.iterations));
    }
    eprintln!("PCG iterations at 1e-10: {counts:?}");
    assert!(counts.iter().all(|&(_, n)| n <= 25), "{counts:?}");
}

fn generator(resolution: usize, solve_resolution: usize) -> DarcyGenerator {
    DarcyGenerator::new(DarcyParameters {
        resolution,
        solve_resolution: Some(solve_resolution),
        ..DarcyParameters::default()
    })
    .unwrap()
}

#[test]
fn generator_shapes_values_and_coordinates() {
    let g = generator(33, 65);
    let arrays = g.sample_arrays();
    assert_eq!(arrays[0].name, "coefficient");
    assert_eq!(arrays[1].name, "solution");
    assert!(arrays.iter().all(|a| a.shape == [33, 33]));
    let shared = g.shared_arrays();
    assert_eq!(shared[0].name, "x");
    assert_eq!(shared[1].name, "y");
    assert_eq!(shared[0].data[0], 0.0);
    assert_eq!(shared[0].data[32], 1.0);
    assert_eq!(shared[0].data[1], 1.0 / 32.0);

    let sample = g.generate(&mut sample_rng(5, 0)).unwrap();
    assert_eq!(sample.len(), 2);
    assert_eq!(sample[0].len(), 33 * 33);
    assert_eq!(sample[1].len(), 33 * 33);
    assert!(sample[0].iter().all(|&a| a == 3.0 || a == 12.0));
    assert!(sample[0].contains(&3.0) && sample[0].contains(&12.0));
    // u = 0 on the boundary, positive inside (f = 1 > 0: maximum principle).
    for i in 0..33 {
        for p in [i, 32 * 33 + i, i * 33, i * 33 + 32] {
            assert_eq!(sample[1][p], 0.0);
        }
    }
    assert!(sample[1][16 * 33 + 16] > 0.0);
}

#[test]
fn stored_samples_solve_the_stored_coefficient() {
    // The acceptance check: with S = R, a sample's solution is the direct solve of the
    // discretisation for its stored (f32) coefficient, to f32 rounding (~1e-7).
    for coefficient in [DarcyCoefficient::Piecewise, DarcyCoefficient::LogNormal] {
        let s = 41;
        let g = DarcyGenerator::new(DarcyParameters {
            resolution: s,
            solve_resolution: Some(s),
            coefficient,
            ..DarcyParameters::default()
        })
        .unwrap();
        let sample = g.generate(&mut sample_rng(11, 2)).unwrap();
        let stored_a: Vec<f64> = sample[0].iter().map(|&v| v as f64).collect();
        let stored_u: Vec<f64> = sample[1].iter().map(|&v| v as f64).collect();
        let reference = direct_solve(&stored_a, s, 1.0);
        let error = relative_l2(&stored_u, &reference);
        eprintln!("{coefficient:?}: stored solution vs direct solve, relative L2 {error:e}");
        assert!(error < 1e-6, "{coefficient:?}: {error:e}");
    }
}

#[test]
fn log_normal_coefficient_is_the_exponential_of_a_smooth_field() {
    let g = DarcyGenerator::new(DarcyParameters {
        resolution: 65,
        solve_resolution: Some(65),
        coefficient: DarcyCoefficient::LogNormal,
        ..DarcyParameters::default()
    })
    .unwrap();
    let field = g.field();
    assert_eq!((field.sigma, field.tau, field.gamma), (50.0, 3.0, 3.0));
    let sample = g.solve_sample(&mut sample_rng(3, 1)).unwrap();
    // The same stream's field, exponentiated, is the coefficient (to f32 rounding).
    let g_field = field.neumann_2d(65, 65, &mut sample_rng(3, 1));
    for (a, g) in sample.coefficient.iter().zip(&g_field) {
        assert!((a / g.exp() - 1.0).abs() < 1e-7);
    }
    let distinct = sample
        .coefficient
        .iter()
        .filter(|&&a| a != sample.coefficient[0])
        .count();
    assert!(distinct > 4000);
    assert!(sample.relative_residual <= 1e-10);
}

#[test]
fn subsampled_samples_are_the_fine_solves_subsampled() {
    // Both draw the field at S = 65 from the same stream; R = 17 keeps every 4th node.
    let full = generator(65, 65).generate(&mut sample_rng(9, 4)).unwrap();
    let coarse = generator(17, 65).generate(&mut sample_rng(9, 4)).unwrap();
    for (fine, sub) in full.iter().zip(&coarse) {
        let fine: Vec<f64> = fine.iter().map(|&v| v as f64).collect();
        let expected: Vec<f32> = subsample_2d(&fine, 65, 4)
            .iter()
            .map(|&v| v as f32)
            .collect();
        assert_eq!(sub, &expected);
    }
}

#[test]
fn the_same_stream_gives_the_same_sample() {
    let g = generator(21, 41);
    let a = g.generate(&mut sample_rng(1, 8)).unwrap();
    let b = g.generate(&mut sample_rng(1, 8)).unwrap();
    let c = g.generate(&mut sample_rng(1, 9)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

fn parameter_error_name(parameters: DarcyParameters) -> &'static str {
    match DarcyGenerator::new(parameters) {
        Err(GenerateError::Parameter { name, .. }) => name,
        other => panic!("expected a parameter error, got {other:?}"),
    }
}

#[test]
fn bad_parameters_are_refused_with_the_option_name() {
    let base = DarcyParameters::default;
    // Defaults: R = 85 from S = 421, every 5th node.
    let g = DarcyGenerator::new(base()).unwrap();
    assert_eq!(g.solve_resolution(), 421);
    for (resolution, solve) in [(86, None), (100, Some(421)), (422, None), (2, None)] {
        let p = DarcyParameters {
            resolution,
            solve_resolution: solve,
            ..base()
        };
        assert_eq!(parameter_error_name(p), "resolution", "R {resolution}");
    }
    for r in [211, 141, 106, 85, 61, 43, 421] {
        let p = DarcyParameters {
            resolution: r,
            ..base()
        };
        assert!(DarcyGenerator::new(p).is_ok(), "R {r}");
    }
    let cases: Vec<(DarcyParameters, &str)> = vec![
        (
            DarcyParameters {
                solve_resolution: Some(2),
                ..base()
            },
            "solve-resolution",
        ),
        (
            DarcyParameters {
                gamma: Some(1.0),
                ..base()
            },
            "gamma",
        ),
        (
            DarcyParameters {
                tau: Some(-1.0),
                ..base()
            },
            "tau",
        ),
        (
            DarcyParameters {
                sigma: Some(0.0),
                ..base()
            },
            "sigma",
        ),
        (
            DarcyParameters {
                coefficient_low: 0.0,
                ..base()
            },
            "coefficient-low",
        ),
        (
            DarcyParameters {
                coefficient_high: f64::NAN,
                ..base()
            },
            "coefficient-high",
        ),
        (
            DarcyParameters {
                forcing: f64::INFINITY,
                ..base()
            },
            "forcing",
        ),
        (
            DarcyParameters {
                tolerance: 0.0,
                ..base()
            },
            "tolerance",
        ),
    ];
    for (p, name) in cases {
        assert_eq!(parameter_error_name(p), name);
    }
    let parse = |name: &str| name.parse::<DarcyCoefficient>().ok();
    assert_eq!(parse("piecewise"), Some(DarcyCoefficient::Piecewise));
    assert_eq!(parse("log-normal"), Some(DarcyCoefficient::LogNormal));
    assert!(matches!(
        "lognormal".parse::<DarcyCoefficient>(),
        Err(GenerateError::Parameter {
            name: "coefficient",
            ..
        })
    ));
}
