//! Reading and writing HDF5 objects the way k-Wave's files hold them.

use hdf5::types::{FixedAscii, TypeDescriptor, VarLenAscii, VarLenUnicode};

/// The longest string attribute handled (k-Wave's are short; file descriptions < 1 kB).
const MAX_TEXT: usize = 4096;

/// A string attribute, whatever its string type (fixed or variable length, ASCII or UTF-8).
pub fn read_text_attr(loc: &hdf5::Location, name: &str) -> Option<String> {
    let attr = loc.attr(name).ok()?;
    if let Ok(s) = attr.read_scalar::<FixedAscii<MAX_TEXT>>() {
        return Some(s.as_str().trim_end_matches('\0').to_string());
    }
    if let Ok(s) = attr.read_scalar::<VarLenUnicode>() {
        return Some(s.as_str().to_string());
    }
    if let Ok(s) = attr.read_scalar::<VarLenAscii>() {
        return Some(s.as_str().to_string());
    }
    None
}

/// Writes a scalar string attribute as k-Wave does: a fixed-length ASCII string of the
/// text's length plus one terminating NUL. (k-Wave's type is NULLTERM; the hdf5 crate writes
/// fixed strings as NULLPAD, which every reader decodes to the same text.)
pub fn write_text_attr(loc: &hdf5::Location, name: &str, value: &str) -> hdf5::Result<()> {
    let ascii: String = value
        .chars()
        .map(|c| if c.is_ascii() && c != '\0' { c } else { '?' })
        .take(MAX_TEXT - 1)
        .collect();
    let text = FixedAscii::<MAX_TEXT>::from_ascii(ascii.as_bytes())
        .map_err(|e| hdf5::Error::from(e.to_string()))?;
    let attr = loc
        .new_attr_builder()
        .empty_as(&TypeDescriptor::FixedAscii(ascii.len() + 1))
        .create(name)?;
    attr.write_scalar(&text)
}

/// The two attributes every k-Wave dataset carries.
pub fn write_type_attrs(ds: &hdf5::Dataset, data_type: &str) -> hdf5::Result<()> {
    write_text_attr(ds, "data_type", data_type)?;
    write_text_attr(ds, "domain_type", "real")
}

/// A (1, 1, 1) uint64 dataset, contiguous, as the binary writes integer scalars.
pub fn write_u64_scalar(group: &hdf5::Group, name: &str, value: u64) -> hdf5::Result<()> {
    let ds = group.new_dataset::<u64>().shape([1, 1, 1]).create(name)?;
    ds.write_raw(&[value])?;
    write_type_attrs(&ds, "long")
}

/// A (1, 1, 1) float32 dataset, contiguous, as the binary writes real scalars.
pub fn write_f32_scalar(group: &hdf5::Group, name: &str, value: f32) -> hdf5::Result<()> {
    let ds = group.new_dataset::<f32>().shape([1, 1, 1]).create(name)?;
    ds.write_raw(&[value])?;
    write_type_attrs(&ds, "float")
}

/// A chunked, deflate-filtered dataset (the binary sets the filter even at level 0), with
/// `dims` in HDF5 order (slowest first) and `values` in that order's row-major layout.
pub fn write_chunked<T: hdf5::H5Type>(
    group: &hdf5::Group,
    name: &str,
    dims: &[usize],
    chunk: &[usize],
    level: u8,
    values: &[T],
    data_type: &str,
) -> hdf5::Result<()> {
    let expected: usize = dims.iter().product();
    if values.len() != expected {
        return Err(hdf5::Error::from(format!(
            "{name}: {} values for dims {dims:?}",
            values.len()
        )));
    }
    let ds = group
        .new_dataset::<T>()
        .shape(dims.to_vec())
        .chunk(chunk.to_vec())
        .deflate(level)
        .create(name)?;
    ds.write_raw(values)?;
    write_type_attrs(&ds, data_type)
}
