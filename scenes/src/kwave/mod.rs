//! k-Wave's C++ file interface: the HDF5 input files (format 1.2) that k-Wave MATLAB and
//! k-wave-python write for `kspaceFirstOrder-OMP`, and the output files that binary writes.
//!
//! [`run_file`] is what `ferrowave kwave -i IN.h5 -o OUT.h5` (and the `kspaceFirstOrder-OMP`
//! alias) does: read the input with [`KwaveInput::read`], map it onto the solver's
//! [`Simulation`](ferrowave_solvers::acoustic::Simulation) with
//! [`KwaveInput::to_simulation`], run it, and write an output file with the binary's dataset
//! names, shapes, types and attributes ([`write_output`]). docs/kwave.md describes the
//! options and what is supported.
//!
//! Conventions of the files (checked against kspaceFirstOrder-OMP v1.3 outputs, see
//! validation/reference/kwave/): every dataset has rank 3 and HDF5 dims (Nz, Ny, Nx), x
//! fastest, so a flat read is already the solver's x-fastest layout; indices are 1-based
//! linear indices; time-varying source signals are stored already scaled (k-Wave's
//! `scaleSourceTerms`) and are passed on unchanged; the binary never smooths p0.
//!
//! Anything the file asks for that ferrowave cannot do exactly (Stokes absorption, a
//! transducer source, an axisymmetric or non-uniform grid, the whole-grid `*_all`
//! quantities, ...) is refused with a [`KwaveError::Unsupported`] naming it, never ignored.

mod error;
mod h5;
mod input;
mod options;
mod output;
mod run;

pub use error::KwaveError;
pub use input::{Cuboid, KwaveInput, SensorMask, SourceFile};
pub use options::{KwaveOptions, RecordFlags};
pub use output::{write_output, OutputFacts, Timings};
pub use run::{run_file, KwaveReport};

/// What the binary this module imitates calls itself; `created_by` of its outputs.
pub const KWAVE_BINARY: &str = "kspaceFirstOrder-OMP v1.3";
