//! The problems `ferrowave generate` knows, their options, and how each maps onto its
//! generator's parameters (defaults come from the solvers' `Default` impls, so the help text
//! and the generator never disagree).

use clap::{Args, Subcommand, ValueEnum};
use ferrowave_solvers::datagen::burgers::{BurgersGenerator, BurgersParameters};
use ferrowave_solvers::datagen::cavity::{CavityGenerator, CavityParameters};
use ferrowave_solvers::datagen::cylinder::{CylinderGenerator, CylinderParameters};
use ferrowave_solvers::datagen::darcy::{DarcyCoefficient, DarcyGenerator, DarcyParameters};
use ferrowave_solvers::datagen::helmholtz::{HelmholtzGenerator, HelmholtzParameters};
use ferrowave_solvers::datagen::navier_stokes::{NavierStokesGenerator, NavierStokesParameters};
use ferrowave_solvers::datagen::{GenerateError, Generator};

use super::CommonArgs;

#[derive(Subcommand)]
pub enum Problem {
    /// Darcy flow −∇·(a∇u) = 1 on the unit square, u = 0 on the boundary (FNO's benchmark)
    #[command(
        after_help = "Example:\n  ferrowave generate darcy --samples 1000 --resolution 85 \
                            --seed 1 -o darcy_85.h5\n\nArrays: coefficient, solution (N, R, R); \
                            x, y. See docs/datasets.md."
    )]
    Darcy(DarcyArgs),
    /// 2D vorticity Navier–Stokes on the unit torus (FNO's benchmark)
    #[command(
        name = "navier-stokes",
        after_help = "Example:\n  ferrowave generate navier-stokes --samples 100 --resolution \
                      64 --viscosity 1e-3 --final-time 50 --seed 1 -o ns.h5\n\nArrays: vorticity \
                      (N, T+1, R, R); time, forcing. See docs/datasets.md."
    )]
    NavierStokes(NavierStokesArgs),
    /// 1D viscous Burgers on the periodic unit interval (FNO's benchmark)
    #[command(
        after_help = "Example:\n  ferrowave generate burgers --samples 2048 --resolution \
                            1024 --seed 1 -o burgers.h5\n\nArrays: initial (N, R), solution \
                            (N, K+1, R); time, x. See docs/datasets.md."
    )]
    Burgers(BurgersArgs),
    /// 2D Helmholtz Δu + (ω/c)² u = f with a PML, c from a random field (MgNO-style)
    #[command(
        after_help = "Example:\n  ferrowave generate helmholtz --samples 1000 --resolution \
                            101 --seed 1 -o helmholtz.h5\n\nArrays: sound_speed, solution_real, \
                            solution_imag (N, R, R). See docs/datasets.md."
    )]
    Helmholtz(HelmholtzArgs),
    /// Lid-driven cavity on the MAC grid, Reynolds number drawn per sample
    #[command(
        after_help = "Example:\n  ferrowave generate cavity --samples 20 --resolution 64 \
                            --seed 1 -o cavity.h5\n\nArrays: velocity (N, T+1, 2, R+1, R+1) \
                            staggered, pressure (N, T+1, R, R). See docs/datasets.md."
    )]
    Cavity(CavityArgs),
    /// Channel flow past a cylinder (Kármán vortex street) on the MAC grid
    #[command(
        after_help = "Example:\n  ferrowave generate cylinder --samples 10 --resolution 32 \
                            --seed 1 -o cylinder.h5\n\nArrays: velocity (N, T+1, 2, ...) \
                            staggered, pressure. See docs/datasets.md."
    )]
    Cylinder(CylinderArgs),
}

impl Problem {
    pub fn into_generator(self) -> Result<(Box<dyn Generator>, CommonArgs), GenerateError> {
        Ok(match self {
            Problem::Darcy(a) => (Box::new(DarcyGenerator::new(a.parameters())?), a.common),
            Problem::NavierStokes(a) => (
                Box::new(NavierStokesGenerator::new(a.parameters())?),
                a.common,
            ),
            Problem::Burgers(a) => (Box::new(BurgersGenerator::new(a.parameters())?), a.common),
            Problem::Helmholtz(a) => (Box::new(HelmholtzGenerator::new(a.parameters())?), a.common),
            Problem::Cavity(a) => (Box::new(CavityGenerator::new(a.parameters())?), a.common),
            Problem::Cylinder(a) => (Box::new(CylinderGenerator::new(a.parameters())?), a.common),
        })
    }
}

fn darcy() -> DarcyParameters {
    DarcyParameters::default()
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CoefficientModel {
    /// a = 12 where a Neumann GRF (tau 3, gamma 2) is ≥ 0, 3 where it is < 0 (FNO)
    Piecewise,
    /// a = exp(g), g a smooth Neumann GRF
    LogNormal,
}

#[derive(Args)]
pub struct DarcyArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Stored nodes a side R, boundary included (FNO: 421, 211, 141, 106, 85)
    #[arg(short, long, value_name = "R", default_value_t = darcy().resolution)]
    resolution: usize,
    /// Nodes a side S of the grid solved on [default: 421]; (S−1) must be a multiple of
    /// (R−1), the stored grid keeps every (S−1)/(R−1)-th node
    #[arg(long, value_name = "S")]
    solve_resolution: Option<usize>,
    /// Coefficient model
    #[arg(long, value_enum, default_value_t = CoefficientModel::Piecewise)]
    coefficient: CoefficientModel,
    /// The random field's amplitude sigma [default: 3 piecewise, 50 log-normal]
    #[arg(long)]
    sigma: Option<f64>,
    /// The random field's inverse length scale tau [default: 3]
    #[arg(long)]
    tau: Option<f64>,
    /// The random field's smoothness gamma (> 1) [default: 2 piecewise, 3 log-normal]
    #[arg(long)]
    gamma: Option<f64>,
    /// a where the field is ≥ 0 (piecewise model)
    #[arg(long, default_value_t = darcy().coefficient_high)]
    coefficient_high: f64,
    /// a where the field is < 0 (piecewise model)
    #[arg(long, default_value_t = darcy().coefficient_low)]
    coefficient_low: f64,
    /// The constant source f
    #[arg(long, default_value_t = darcy().forcing)]
    forcing: f64,
    /// Relative residual ||b − A u|| / ||b|| the multigrid-preconditioned CG solve reaches
    #[arg(long, default_value_t = darcy().tolerance)]
    tolerance: f64,
}

impl DarcyArgs {
    fn parameters(&self) -> DarcyParameters {
        DarcyParameters {
            resolution: self.resolution,
            solve_resolution: self.solve_resolution,
            coefficient: match self.coefficient {
                CoefficientModel::Piecewise => DarcyCoefficient::Piecewise,
                CoefficientModel::LogNormal => DarcyCoefficient::LogNormal,
            },
            sigma: self.sigma,
            tau: self.tau,
            gamma: self.gamma,
            coefficient_high: self.coefficient_high,
            coefficient_low: self.coefficient_low,
            forcing: self.forcing,
            tolerance: self.tolerance,
        }
    }
}

fn navier_stokes() -> NavierStokesParameters {
    NavierStokesParameters::default()
}

#[derive(Args)]
pub struct NavierStokesArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Stored grid R² (nodes i/R)
    #[arg(short, long, value_name = "R", default_value_t = navier_stokes().resolution)]
    resolution: usize,
    /// Solver grid S², a multiple of R; the stored grid keeps every (S/R)-th node
    /// [default: the smallest multiple of R that is at least 256]
    #[arg(long, value_name = "S")]
    solve_resolution: Option<usize>,
    /// Viscosity ν (FNO: 1e-3 with T = 50, 1e-4 with T = 30, 1e-5 with T = 20)
    #[arg(long, default_value_t = navier_stokes().viscosity)]
    viscosity: f64,
    /// Final time T; snapshots at t = 0, 1, ..., T
    #[arg(long, value_name = "T", default_value_t = navier_stokes().final_time)]
    final_time: usize,
    /// Time step of FNO's scheme (FNO used 1e-4; ν = 1e-5 at 256² needs it); 1/dt must be a
    /// whole number
    #[arg(long, default_value_t = navier_stokes().dt)]
    dt: f64,
}

impl NavierStokesArgs {
    fn parameters(&self) -> NavierStokesParameters {
        NavierStokesParameters {
            resolution: self.resolution,
            solve_resolution: self.solve_resolution,
            viscosity: self.viscosity,
            final_time: self.final_time,
            dt: self.dt,
        }
    }
}

fn burgers() -> BurgersParameters {
    BurgersParameters::default()
}

#[derive(Args)]
pub struct BurgersArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Stored grid: R nodes i/R
    #[arg(short, long, value_name = "R", default_value_t = burgers().resolution)]
    resolution: usize,
    /// Solver grid S, a multiple of R [default: the smallest multiple of R that is at least
    /// 8192]
    #[arg(long, value_name = "S")]
    solve_resolution: Option<usize>,
    /// Viscosity ν
    #[arg(long, default_value_t = burgers().viscosity)]
    viscosity: f64,
    /// Time T of the last snapshot
    #[arg(long, value_name = "T", default_value_t = burgers().final_time)]
    final_time: f64,
    /// K: snapshots at t = k T / K, k = 0..K
    #[arg(long, value_name = "K", default_value_t = burgers().output_intervals)]
    output_intervals: usize,
    /// Time step; T / (K dt) must be a whole number
    #[arg(long, default_value_t = burgers().dt)]
    dt: f64,
}

impl BurgersArgs {
    fn parameters(&self) -> BurgersParameters {
        BurgersParameters {
            resolution: self.resolution,
            solve_resolution: self.solve_resolution,
            viscosity: self.viscosity,
            final_time: self.final_time,
            output_intervals: self.output_intervals,
            dt: self.dt,
        }
    }
}

fn helmholtz() -> HelmholtzParameters {
    HelmholtzParameters::default()
}

#[derive(Args)]
pub struct HelmholtzArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Stored nodes a side R (vertex grid of the unit square, boundary included)
    #[arg(short, long, value_name = "R", default_value_t = helmholtz().resolution)]
    resolution: usize,
    /// Nodes a side S solved on [default: R]; (S−1) must be a multiple of (R−1)
    #[arg(long, value_name = "S")]
    solve_resolution: Option<usize>,
    /// Angular frequency ω (radians per unit time)
    #[arg(long, default_value_t = helmholtz().angular_frequency)]
    angular_frequency: f64,
    /// Background wave speed c0 (domain sides per unit time): c = c0 + δ tanh(ξ)
    #[arg(long, default_value_t = helmholtz().background_speed)]
    background_speed: f64,
    /// Wave speed contrast δ
    #[arg(long, default_value_t = helmholtz().speed_contrast)]
    speed_contrast: f64,
    /// ξ's amplitude sigma (Neumann GRF)
    #[arg(long, default_value_t = helmholtz().grf_sigma)]
    grf_sigma: f64,
    /// ξ's inverse length scale tau
    #[arg(long, default_value_t = helmholtz().grf_tau)]
    grf_tau: f64,
    /// ξ's smoothness gamma
    #[arg(long, default_value_t = helmholtz().grf_gamma)]
    grf_gamma: f64,
    /// Thickness of the absorbing layer around the square (domain sides)
    #[arg(long, default_value_t = helmholtz().pml_thickness)]
    pml_thickness: f64,
    /// The layer's design round-trip reflection at normal incidence
    #[arg(long, default_value_t = helmholtz().pml_reflection)]
    pml_reflection: f64,
    /// Height of the line source
    #[arg(long, default_value_t = helmholtz().source_y)]
    source_y: f64,
    /// Left end of the line source
    #[arg(long, default_value_t = helmholtz().source_x_min)]
    source_x_min: f64,
    /// Right end of the line source
    #[arg(long, default_value_t = helmholtz().source_x_max)]
    source_x_max: f64,
    /// Source width (Gaussian standard deviation across the line, ramp width at its ends)
    #[arg(long, default_value_t = helmholtz().source_width)]
    source_width: f64,
}

impl HelmholtzArgs {
    fn parameters(&self) -> HelmholtzParameters {
        HelmholtzParameters {
            resolution: self.resolution,
            solve_resolution: self.solve_resolution,
            angular_frequency: self.angular_frequency,
            background_speed: self.background_speed,
            speed_contrast: self.speed_contrast,
            grf_sigma: self.grf_sigma,
            grf_tau: self.grf_tau,
            grf_gamma: self.grf_gamma,
            pml_thickness: self.pml_thickness,
            pml_reflection: self.pml_reflection,
            source_y: self.source_y,
            source_x_min: self.source_x_min,
            source_x_max: self.source_x_max,
            source_width: self.source_width,
        }
    }
}

fn cavity() -> CavityParameters {
    CavityParameters::default()
}

#[derive(Args)]
pub struct CavityArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Cells per side of the unit cavity (data are stored on the solve grid)
    #[arg(short, long, value_name = "R", default_value_t = cavity().resolution)]
    resolution: usize,
    /// T: intervals between stored snapshots (T + 1 snapshots, t = 0 first)
    #[arg(long, value_name = "T", default_value_t = cavity().time_steps)]
    time_steps: usize,
    /// Time between snapshots, in L/U (cavity side over lid speed)
    #[arg(long, default_value_t = cavity().snapshot_interval)]
    snapshot_interval: f64,
    /// Lower end of the Reynolds number range (uniform per sample)
    #[arg(long, default_value_t = cavity().reynolds_min)]
    reynolds_min: f64,
    /// Upper end of the Reynolds number range
    #[arg(long, default_value_t = cavity().reynolds_max)]
    reynolds_max: f64,
    /// Advective Courant number of the time step
    #[arg(long, default_value_t = cavity().cfl)]
    cfl: f64,
    /// max |div u| after every projection, in U/L
    #[arg(long, default_value_t = cavity().divergence_tolerance)]
    divergence_tolerance: f64,
}

impl CavityArgs {
    fn parameters(&self) -> CavityParameters {
        CavityParameters {
            resolution: self.resolution,
            time_steps: self.time_steps,
            snapshot_interval: self.snapshot_interval,
            reynolds_min: self.reynolds_min,
            reynolds_max: self.reynolds_max,
            cfl: self.cfl,
            divergence_tolerance: self.divergence_tolerance,
        }
    }
}

fn cylinder() -> CylinderParameters {
    CylinderParameters::default()
}

#[derive(Args)]
pub struct CylinderArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Cells across the channel height H (data are stored on the solve grid)
    #[arg(short, long, value_name = "R", default_value_t = cylinder().resolution)]
    resolution: usize,
    /// Channel length, in H
    #[arg(long, default_value_t = cylinder().channel_length)]
    channel_length: f64,
    /// T: intervals between stored snapshots (T + 1 snapshots, t = 0 first)
    #[arg(long, value_name = "T", default_value_t = cylinder().time_steps)]
    time_steps: usize,
    /// Time between snapshots, in H/U
    #[arg(long, default_value_t = cylinder().snapshot_interval)]
    snapshot_interval: f64,
    /// Time simulated before the first snapshot, in H/U
    #[arg(long, default_value_t = cylinder().spin_up_time)]
    spin_up_time: f64,
    /// Lower end of the Reynolds number U D / ν range (uniform per sample)
    #[arg(long, default_value_t = cylinder().reynolds_min)]
    reynolds_min: f64,
    /// Upper end of the Reynolds number range
    #[arg(long, default_value_t = cylinder().reynolds_max)]
    reynolds_max: f64,
    /// Smallest cylinder diameter, in H
    #[arg(long, default_value_t = cylinder().diameter_min)]
    diameter_min: f64,
    /// Largest cylinder diameter, in H
    #[arg(long, default_value_t = cylinder().diameter_max)]
    diameter_max: f64,
    /// Range of the cylinder centre's x, in H: lower end
    #[arg(long, default_value_t = cylinder().centre_x_min)]
    centre_x_min: f64,
    /// Range of the cylinder centre's x: upper end
    #[arg(long, default_value_t = cylinder().centre_x_max)]
    centre_x_max: f64,
    /// Range of the cylinder centre's y, in H: lower end
    #[arg(long, default_value_t = cylinder().centre_y_min)]
    centre_y_min: f64,
    /// Range of the cylinder centre's y: upper end
    #[arg(long, default_value_t = cylinder().centre_y_max)]
    centre_y_max: f64,
    /// Advective Courant number of the time step
    #[arg(long, default_value_t = cylinder().cfl)]
    cfl: f64,
    /// max |div u| after every projection, in U/H
    #[arg(long, default_value_t = cylinder().divergence_tolerance)]
    divergence_tolerance: f64,
}

impl CylinderArgs {
    fn parameters(&self) -> CylinderParameters {
        CylinderParameters {
            resolution: self.resolution,
            channel_length: self.channel_length,
            time_steps: self.time_steps,
            snapshot_interval: self.snapshot_interval,
            spin_up_time: self.spin_up_time,
            reynolds_min: self.reynolds_min,
            reynolds_max: self.reynolds_max,
            diameter_min: self.diameter_min,
            diameter_max: self.diameter_max,
            centre_x_min: self.centre_x_min,
            centre_x_max: self.centre_x_max,
            centre_y_min: self.centre_y_min,
            centre_y_max: self.centre_y_max,
            cfl: self.cfl,
            divergence_tolerance: self.divergence_tolerance,
        }
    }
}
