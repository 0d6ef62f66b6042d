//! The k-space acoustic solver: input -> plan -> time loop -> sensor data.

mod error;
mod grid_map;
pub mod input;
mod materials;
pub mod memory;
mod non_staggered;
pub mod output;
mod plan;
mod pml;
mod recorder;
mod run;
pub mod smoothing;
mod sources;
mod stability;
mod step;

pub use error::SolverError;
pub use input::*;
pub use output::{Field, RunStats, SensorData};
pub use plan::{Plan, PlanSummary};
pub use run::Progress;
