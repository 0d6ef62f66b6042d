//! Scene files (TOML) for ferrowave's acoustic solver, the media, sources and sensors they
//! describe, the HDF5 result files runs write, and the HDF5 dataset files data generators
//! write.
//!
//! [`load_scene`] reads a scene file and builds the solver's
//! [`Simulation`](ferrowave_solvers::acoustic::Simulation); docs/scenes.md describes the
//! schema.

pub mod arrays;
pub mod build;
pub mod datasets;
pub mod error;
pub mod kwave;
pub mod results;
pub mod scene;
pub mod shapes;
pub mod signals;

pub use build::{load_scene, num_steps, parse_scene, time_step, Scene};
pub use error::SceneError;
pub use results::{describe_result, write_result, ResultError};
