//! Arrays from files: HDF5 datasets and NIfTI volumes.
//!
//! Grid arrays come back flat with x fastest (index = x + Nx (y + Ny z)), the solver's order.
//! - HDF5: a dataset of shape (Nx, Ny, Nz) in HDF5's natural (C) order, i.e. as h5py or
//!   `h5py.File(...)["c0"] = array` writes an array whose shape is (Nx, Ny, Nz). Any integer
//!   or float type; attributes are ignored.
//! - NIfTI-1 (.nii, .nii.gz): voxel order x, y, z as stored; scl_slope and scl_inter applied
//!   (when scl_slope is non-zero).
//!
//! Trailing axes of one point are ignored, so a (Nx, Ny, 1) array fits a 2D grid.

use std::path::Path;

use nifti::{IntoNdArray, NiftiObject, ReaderOptions};

/// The array file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArrayFormat {
    Hdf5,
    Nifti,
}

impl ArrayFormat {
    /// The format a file name's extension names.
    pub fn of(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".nii") || name.ends_with(".nii.gz") {
            Some(ArrayFormat::Nifti)
        } else if [".h5", ".hdf5", ".hdf", ".he5"]
            .iter()
            .any(|e| name.ends_with(e))
        {
            Some(ArrayFormat::Hdf5)
        } else {
            None
        }
    }
}

/// An array read from a file: its shape (as the file gives it) and its values with the
/// first axis fastest.
#[derive(Clone, Debug, PartialEq)]
pub struct FileArray {
    pub shape: Vec<usize>,
    /// Values, first axis fastest.
    pub values: Vec<f64>,
}

/// "(64, 48, 48)"
pub fn shape_text(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(|n| n.to_string()).collect();
    format!("({})", parts.join(", "))
}

/// Reads an HDF5 dataset, returning its values first axis fastest.
pub fn read_hdf5(path: &Path, dataset: &str) -> Result<FileArray, String> {
    let file = hdf5::File::open(path)
        .map_err(|e| format!("cannot open HDF5 file {}: {e}", path.display()))?;
    let ds = file.dataset(dataset).map_err(|e| {
        let names = file.member_names().unwrap_or_default().join(", ");
        format!(
            "HDF5 file {} has no dataset \"{dataset}\" ({e}); it holds: {names}",
            path.display()
        )
    })?;
    let shape = ds.shape();
    let c_order: Vec<f64> = ds.read_raw::<f64>().map_err(|e| {
        format!(
            "cannot read dataset \"{dataset}\" of {} as numbers: {e}",
            path.display()
        )
    })?;
    Ok(FileArray {
        values: c_to_first_fastest(&shape, &c_order),
        shape,
    })
}

/// Reorders C-order values (last axis fastest) so that the first axis is fastest.
fn c_to_first_fastest(shape: &[usize], values: &[f64]) -> Vec<f64> {
    if shape.len() <= 1 {
        return values.to_vec();
    }
    let total: usize = shape.iter().product();
    let mut out = vec![0.0; total];
    // Strides of the output (first axis fastest).
    let mut out_strides = vec![1usize; shape.len()];
    for a in 1..shape.len() {
        out_strides[a] = out_strides[a - 1] * shape[a - 1];
    }
    let mut idx = vec![0usize; shape.len()];
    for &v in values.iter().take(total) {
        let o: usize = idx.iter().zip(&out_strides).map(|(i, s)| i * s).sum();
        out[o] = v;
        // Advance the C-order multi-index (last axis fastest).
        for a in (0..shape.len()).rev() {
            idx[a] += 1;
            if idx[a] < shape[a] {
                break;
            }
            idx[a] = 0;
        }
    }
    out
}

/// Reads a NIfTI-1 volume (scaled by scl_slope, scl_inter), first axis fastest.
pub fn read_nifti(path: &Path) -> Result<FileArray, String> {
    let object = ReaderOptions::new()
        .read_file(path)
        .map_err(|e| format!("cannot read NIfTI file {}: {e}", path.display()))?;
    let volume = object
        .into_volume()
        .into_ndarray::<f64>()
        .map_err(|e| format!("cannot read the volume of {}: {e}", path.display()))?;
    let shape = volume.shape().to_vec();
    // Reversing the axes makes logical iteration order first-axis-fastest.
    let values = volume.reversed_axes().iter().copied().collect();
    Ok(FileArray { shape, values })
}

/// Reads an array over a grid of sizes `dims` (x first) from an HDF5 dataset or a NIfTI
/// file, as f32, x fastest.
pub fn read_grid_array(
    path: &Path,
    dataset: Option<&str>,
    dims: &[usize],
) -> Result<Vec<f32>, String> {
    let array = match ArrayFormat::of(path) {
        Some(ArrayFormat::Hdf5) => {
            let dataset =
                dataset.ok_or("an HDF5 file needs `dataset`, the name of the array in it")?;
            read_hdf5(path, dataset)?
        }
        Some(ArrayFormat::Nifti) => {
            if dataset.is_some() {
                return Err("`dataset` applies to HDF5 files only, not NIfTI".into());
            }
            read_nifti(path)?
        }
        None => {
            return Err(format!(
                "cannot tell the format of {}: use .h5/.hdf5 (HDF5) or .nii/.nii.gz (NIfTI)",
                path.display()
            ))
        }
    };
    let mut shape = array.shape.clone();
    while shape.len() > dims.len() && shape.last() == Some(&1) {
        shape.pop();
    }
    if shape != dims {
        return Err(format!(
            "{} has shape {} but the grid is {} (x, y, z order)",
            path.display(),
            shape_text(&array.shape),
            shape_text(dims)
        ));
    }
    Ok(array.values.iter().map(|&v| v as f32).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reorder() {
        // shape (2, 3): C order rows [0 1 2], [3 4 5]; element (i, j) = 3 i + j.
        let out = c_to_first_fastest(&[2, 3], &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        // first axis fastest: (0,0) (1,0) (0,1) (1,1) (0,2) (1,2)
        assert_eq!(out, vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
    }

    #[test]
    fn formats() {
        assert_eq!(
            ArrayFormat::of(Path::new("a/c0.nii.gz")),
            Some(ArrayFormat::Nifti)
        );
        assert_eq!(ArrayFormat::of(Path::new("c0.H5")), Some(ArrayFormat::Hdf5));
        assert_eq!(ArrayFormat::of(Path::new("c0.npy")), None);
    }
}
