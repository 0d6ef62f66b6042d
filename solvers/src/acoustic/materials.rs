//! Medium properties turned into the coefficients the update equations use.

use super::error::{invalid, SolverError};
use super::grid_map::GridMap;
use super::input::{Medium, Property};
use ferrowave_kernels::setup::{AbsorptionSetup, Coef};
use std::f64::consts::PI;

/// The medium on the simulation grid, and the coefficients derived from it.
pub struct Coefficients {
    pub c0: Property,
    pub dt_over_rho_staggered: [Coef; 3],
    pub dt_rho0: Coef,
    pub c0_squared: Coef,
    pub nonlinearity: Option<Coef>,
    pub absorption: Option<AbsorptionSetup>,
    pub stokes: Option<Coef>,
}

fn coef(p: &Property, f: impl Fn(f64) -> f64) -> Coef {
    match p {
        Property::Uniform(v) => Coef::Uniform(f(*v) as f32),
        Property::Map(m) => Coef::Map(m.iter().map(|&v| f(v as f64) as f32).collect()),
    }
}

fn coef2(a: &Property, b: &Property, n: usize, f: impl Fn(f64, f64) -> f64) -> Coef {
    match (a, b) {
        (Property::Uniform(x), Property::Uniform(y)) => Coef::Uniform(f(*x, *y) as f32),
        _ => Coef::Map((0..n).map(|i| f(a.at(i), b.at(i)) as f32).collect()),
    }
}

/// rho0 linearly interpolated to the staggered points of `axis` (x + dx/2, ...); the last
/// plane keeps rho0, as k-Wave does.
fn staggered_density(rho0: &Property, shape: [usize; 3], axis: usize) -> Property {
    match rho0 {
        Property::Uniform(v) => Property::Uniform(*v),
        Property::Map(m) => {
            let stride = [1, shape[0], shape[0] * shape[1]][axis];
            let n = shape[axis];
            Property::Map(
                (0..m.len())
                    .map(|i| {
                        let coord = (i / stride) % n;
                        if coord + 1 < n {
                            0.5 * (m[i] + m[i + stride])
                        } else {
                            m[i]
                        }
                    })
                    .collect(),
            )
        }
    }
}

/// alpha_coeff in dB/(MHz^y cm) to Np/((rad/s)^y m), as k-Wave's db2neper.
pub fn db_to_neper(alpha_db: f64, y: f64) -> f64 {
    100.0 * alpha_db * (1e-6 / (2.0 * PI)).powf(y) / (20.0 * std::f64::consts::E.log10())
}

pub fn build(
    medium: &Medium,
    map: &GridMap,
    ndim: usize,
    dt: f64,
) -> Result<Coefficients, SolverError> {
    let n = map.num_points();
    let c0 = map.expand_property(&medium.sound_speed);
    let rho0 = map.expand_property(&medium.density);
    let staggered: Vec<Property> = match &medium.density_staggered {
        Some(given) => given.iter().map(|p| map.expand_property(p)).collect(),
        None => (0..3)
            .map(|a| staggered_density(&rho0, map.shape, a))
            .collect(),
    };
    let dt_over = |a: usize| {
        if a < ndim {
            coef(&staggered[a], |r| dt / r)
        } else {
            Coef::Uniform(0.0)
        }
    };
    let nonlinearity = medium
        .nonlinearity
        .as_ref()
        .map(|b| coef2(&map.expand_property(b), &rho0, n, |b, r| b / (2.0 * r)));
    let mut stokes = None;
    let absorption = match &medium.absorption {
        None => None,
        Some(a) if a.stokes => {
            // k-Wave's Stokes model fixes y = 2: tau = -2 alpha0 c0.
            let alpha = map.expand_property(&a.alpha_coeff_db);
            let tau = coef2(&alpha, &c0, n, |al, c| -2.0 * db_to_neper(al, 2.0) * c);
            stokes = Some(tau.zip(&coef(&rho0, |r| r), |t, r| t * r));
            None
        }
        Some(a) => {
            let y = a.alpha_power;
            if (y - 1.0).abs() < 1e-12 {
                return Err(invalid(
                    "alpha_power = 1 is not supported: the dispersion term eta contains tan(pi y / 2), \
                     which is infinite at y = 1 (k-Wave refuses it too); use e.g. 1.01 or 0.99",
                ));
            }
            let alpha = map.expand_property(&a.alpha_coeff_db);
            let tau = coef2(&alpha, &c0, n, |al, c| {
                -2.0 * db_to_neper(al, y) * c.powf(y - 1.0)
            });
            let eta = coef2(&alpha, &c0, n, |al, c| {
                2.0 * db_to_neper(al, y) * c.powf(y) * (PI * y / 2.0).tan()
            });
            Some(AbsorptionSetup {
                power: y,
                tau,
                eta,
                rho0: coef(&rho0, |r| r),
            })
        }
    };
    Ok(Coefficients {
        dt_over_rho_staggered: [dt_over(0), dt_over(1), dt_over(2)],
        dt_rho0: coef(&rho0, |r| dt * r),
        c0_squared: coef(&c0, |c| c * c),
        nonlinearity,
        absorption,
        stokes,
        c0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staggered_density_is_the_mean_of_neighbours_and_keeps_the_last_plane() {
        let rho = Property::Map(vec![1000.0, 1000.0, 1850.0, 1850.0]);
        let sg = staggered_density(&rho, [4, 1, 1], 0);
        assert_eq!(sg, Property::Map(vec![1000.0, 1425.0, 1850.0, 1850.0]));
    }

    #[test]
    fn db_to_neper_matches_kwave() {
        // k-Wave: db2neper(1, 1.5) = 100 * (1e-6/(2 pi))^1.5 / (20 log10(e))
        let expect = 100.0 * (1e-6 / (2.0 * PI)).powf(1.5) / 8.685889638065037;
        assert!((db_to_neper(1.0, 1.5) - expect).abs() < 1e-12 * expect);
    }
}
