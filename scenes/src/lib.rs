//! Scene files (TOML) for ferrowave's acoustic solver, the media, sources and sensors they
//! describe, and the HDF5 result files runs write.
