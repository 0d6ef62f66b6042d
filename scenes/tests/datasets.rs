//! The dataset writer: layout, attributes, order, reproducibility and failure handling, with a
//! generator whose samples are known functions of their random stream.

use std::path::PathBuf;

use ferrowave_scenes::datasets::{generate_dataset, DatasetError, NoProgress};
use ferrowave_solvers::datagen::{
    sample_rng, Attribute, GenerateError, Generator, SampleArray, SampleRng, SharedArray,
};
use rand::Rng;

/// Each sample: `noise` (3, 4) drawn from the stream, `index_echo` (2) = the first draw
/// twice. Fails on the sample whose first draw is below `fail_below`.
struct Noise {
    fail_below: u64,
}

impl Generator for Noise {
    fn problem(&self) -> &'static str {
        "noise"
    }
    fn attributes(&self) -> Vec<(&'static str, Attribute)> {
        vec![
            ("scale", Attribute::Float(2.5)),
            ("levels", Attribute::Floats(vec![1.0, 2.0])),
            ("order", Attribute::Int(-3)),
            ("kind", Attribute::Text("test".into())),
        ]
    }
    fn sample_arrays(&self) -> Vec<SampleArray> {
        vec![
            SampleArray {
                name: "noise",
                shape: vec![3, 4],
            },
            SampleArray {
                name: "first",
                shape: vec![2],
            },
        ]
    }
    fn shared_arrays(&self) -> Vec<SharedArray> {
        vec![SharedArray {
            name: "x",
            shape: vec![4],
            data: vec![0.0, 0.25, 0.5, 0.75],
        }]
    }
    fn working_bytes(&self) -> usize {
        1024
    }
    fn generate(&self, rng: &mut SampleRng) -> Result<Vec<Vec<f32>>, GenerateError> {
        let first: u64 = rng.random();
        if first < self.fail_below {
            return Err(GenerateError::Solver("diverged".into()));
        }
        let noise = (0..12).map(|_| rng.random::<f32>()).collect();
        let first = (first >> 40) as f32;
        Ok(vec![noise, vec![first, first]])
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferrowave-datasets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn samples_are_stacked_in_index_order_with_attributes() {
    let path = scratch("layout.h5");
    let summary = generate_dataset(&Noise { fail_below: 0 }, &path, 7, 42, 2, &NoProgress).unwrap();
    assert_eq!(summary.samples, 7);
    assert_eq!(summary.sample_times.len(), 7);
    let file = hdf5::File::open(&path).unwrap();
    let noise = file.dataset("noise").unwrap().read_dyn::<f32>().unwrap();
    assert_eq!(noise.shape(), &[7, 3, 4]);
    let first = file.dataset("first").unwrap().read_dyn::<f32>().unwrap();
    for index in 0..7 {
        let expected = Noise { fail_below: 0 }
            .generate(&mut sample_rng(42, index as u64))
            .unwrap();
        let row: Vec<f32> = noise
            .index_axis(hdf5_ndarray::Axis(0), index)
            .iter()
            .copied()
            .collect();
        assert_eq!(row, expected[0], "sample {index}");
        assert_eq!(first[[index, 0]], expected[1][0]);
    }
    let x = file.dataset("x").unwrap().read_raw::<f64>().unwrap();
    assert_eq!(x, [0.0, 0.25, 0.5, 0.75]);
    let attr_f64 = |name: &str| file.attr(name).unwrap().read_scalar::<f64>().unwrap();
    assert_eq!(attr_f64("scale"), 2.5);
    assert_eq!(
        file.attr("order").unwrap().read_scalar::<i64>().unwrap(),
        -3
    );
    assert_eq!(file.attr("seed").unwrap().read_scalar::<u64>().unwrap(), 42);
    assert_eq!(
        file.attr("samples").unwrap().read_scalar::<i64>().unwrap(),
        7
    );
    let levels = file.attr("levels").unwrap().read_raw::<f64>().unwrap();
    assert_eq!(levels, [1.0, 2.0]);
    let problem = file
        .attr("problem")
        .unwrap()
        .read_scalar::<hdf5::types::VarLenUnicode>()
        .unwrap();
    assert_eq!(problem.as_str(), "noise");
    assert!(ferrowave_scenes::datasets::is_dataset(&path));
    let text = ferrowave_scenes::datasets::describe_dataset(&path).unwrap();
    for expected in [
        "problem      noise",
        "seed         42",
        "scale",
        "2.5",
        "noise",
        "7 x 3 x 4",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn the_same_seed_gives_a_bit_identical_file_whatever_the_threads() {
    let one = scratch("one.h5");
    let two = scratch("two.h5");
    generate_dataset(&Noise { fail_below: 0 }, &one, 9, 5, 1, &NoProgress).unwrap();
    generate_dataset(&Noise { fail_below: 0 }, &two, 9, 5, 2, &NoProgress).unwrap();
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    let other = scratch("other.h5");
    generate_dataset(&Noise { fail_below: 0 }, &other, 9, 6, 2, &NoProgress).unwrap();
    assert_ne!(std::fs::read(&one).unwrap(), std::fs::read(&other).unwrap());
}

#[test]
fn a_failing_sample_leaves_the_existing_file_and_no_temporary() {
    let path = scratch("keep.h5");
    std::fs::write(&path, b"previous").unwrap();
    // About one sample in four fails: with 20 samples one certainly does.
    let error = generate_dataset(
        &Noise {
            fail_below: u64::MAX / 4,
        },
        &path,
        20,
        1,
        2,
        &NoProgress,
    )
    .unwrap_err();
    assert!(matches!(error, DatasetError::Sample { .. }), "{error}");
    assert!(error.to_string().contains("diverged"), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), b"previous");
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("keep.h5.tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn samples_that_would_not_fit_are_refused_before_any_work() {
    struct Huge;
    impl Generator for Huge {
        fn problem(&self) -> &'static str {
            "huge"
        }
        fn attributes(&self) -> Vec<(&'static str, Attribute)> {
            Vec::new()
        }
        fn sample_arrays(&self) -> Vec<SampleArray> {
            Vec::new()
        }
        fn shared_arrays(&self) -> Vec<SharedArray> {
            Vec::new()
        }
        fn working_bytes(&self) -> usize {
            1 << 50
        }
        fn generate(&self, _: &mut SampleRng) -> Result<Vec<Vec<f32>>, GenerateError> {
            panic!("must not run")
        }
    }
    let path = scratch("huge.h5");
    let error = generate_dataset(&Huge, &path, 3, 1, 1, &NoProgress).unwrap_err();
    assert!(matches!(error, DatasetError::Memory(_)), "{error}");
    assert!(!path.exists());
}
