//! The scene file's schema, as serde reads it. docs/scenes.md describes it for users.
//!
//! Every table refuses unknown keys, and every value that is checked after parsing is
//! `Spanned`, so that errors can name its line. Values that may be given as one value or as
//! an array, and masks that may be `"all"` or a shape table, use small hand-written
//! deserializers (not `#[serde(untagged)]`), which keep the spans of what they hold.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

/// A whole scene file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SceneFile {
    /// Name of the scene; default: the file's stem.
    pub name: Option<Spanned<String>>,
    pub grid: GridTable,
    #[serde(default)]
    pub time: TimeTable,
    pub medium: MediumTable,
    pub pml: Option<PmlTable>,
    #[serde(default)]
    pub source: SourceTable,
    pub sensor: SensorTable,
    pub output: Option<OutputTable>,
}

/// `[grid]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridTable {
    /// Points per axis, x first (1 to 3 entries).
    pub shape: Spanned<Vec<usize>>,
    /// Spacing per axis, or one spacing for all axes, metres.
    pub spacing_m: Spanned<OneOrMany<f64>>,
}

/// `[time]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeTable {
    /// Courant number (default 0.3); dt = cfl * min(spacing) / max(c0).
    pub cfl: Option<Spanned<f64>>,
    /// Time step, seconds (instead of cfl).
    pub dt_s: Option<Spanned<f64>>,
    /// Simulated time, seconds. Default: the grid diagonal over min(c0).
    pub end_time_s: Option<Spanned<f64>>,
    /// Number of time steps; overrides end_time_s.
    pub steps: Option<Spanned<usize>>,
}

/// `[medium]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediumTable {
    /// Background sound speed c0, m/s.
    pub sound_speed_m_s: Spanned<f64>,
    /// Background density rho0, kg/m^3.
    pub density_kg_m3: Spanned<f64>,
    /// Background absorption coefficient, dB/(MHz^y cm).
    pub alpha_coeff_db_mhz_y_cm: Option<Spanned<f64>>,
    /// Power-law exponent y, in (0, 3), not 1.
    pub alpha_power: Option<Spanned<f64>>,
    /// Background nonlinearity parameter B/A.
    pub b_over_a: Option<Spanned<f64>>,
    /// Reference sound speed of the k-space correction, m/s (default max c0).
    pub reference_sound_speed_m_s: Option<Spanned<f64>>,
    /// Shapes painted over the background, in order.
    #[serde(default)]
    pub region: Vec<RegionTable>,
    /// Arrays from files, applied after the regions, in order.
    #[serde(default)]
    pub map: Vec<MapTable>,
}

/// The kinds of shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShapeKind {
    /// 3D ball: centre_m, radius_m.
    Sphere,
    /// 2D filled circle: centre_m, radius_m; in 3D a flat disc across `axis`.
    Disc,
    /// Axis-aligned box: min_m, max_m.
    Box,
    /// 3D cylinder: centre_m, radius_m, axis, length_m.
    Cylinder,
    /// Everything on the side of a plane the normal points to: point_m, normal.
    HalfSpace,
    /// A slab between two planes across an axis: axis, from_m, to_m.
    Layer,
    /// A straight segment of grid points: start_m, end_m.
    Line,
    /// 2D circular arc (k-Wave makeArc): position_m, radius_m, diameter_m, focus_m.
    Arc,
    /// 3D spherical cap (k-Wave makeBowl): position_m, radius_m, diameter_m, focus_m.
    Bowl,
}

impl ShapeKind {
    pub fn name(self) -> &'static str {
        match self {
            ShapeKind::Sphere => "sphere",
            ShapeKind::Disc => "disc",
            ShapeKind::Box => "box",
            ShapeKind::Cylinder => "cylinder",
            ShapeKind::HalfSpace => "half_space",
            ShapeKind::Layer => "layer",
            ShapeKind::Line => "line",
            ShapeKind::Arc => "arc",
            ShapeKind::Bowl => "bowl",
        }
    }
}

/// A grid axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AxisName {
    X,
    Y,
    Z,
}

impl AxisName {
    pub fn index(self) -> usize {
        match self {
            AxisName::X => 0,
            AxisName::Y => 1,
            AxisName::Z => 2,
        }
    }
}

/// The geometry keys of a table that describes a shape, borrowed from it.
#[derive(Debug, Clone, Copy)]
pub struct ShapeFields<'a> {
    pub shape: Option<&'a Spanned<ShapeKind>>,
    pub centre_m: Option<&'a Spanned<Vec<f64>>>,
    pub radius_m: Option<&'a Spanned<f64>>,
    pub min_m: Option<&'a Spanned<Vec<f64>>>,
    pub max_m: Option<&'a Spanned<Vec<f64>>>,
    pub axis: Option<&'a Spanned<AxisName>>,
    pub length_m: Option<&'a Spanned<f64>>,
    pub point_m: Option<&'a Spanned<Vec<f64>>>,
    pub normal: Option<&'a Spanned<Vec<f64>>>,
    pub from_m: Option<&'a Spanned<f64>>,
    pub to_m: Option<&'a Spanned<f64>>,
    pub start_m: Option<&'a Spanned<Vec<f64>>>,
    pub end_m: Option<&'a Spanned<Vec<f64>>>,
    pub position_m: Option<&'a Spanned<Vec<f64>>>,
    pub focus_m: Option<&'a Spanned<Vec<f64>>>,
    pub diameter_m: Option<&'a Spanned<f64>>,
}

impl ShapeFields<'_> {
    /// The geometry keys (all but `shape`) and the spans of those given.
    pub fn geometry_keys(&self) -> Vec<(&'static str, Option<std::ops::Range<usize>>)> {
        fn s<T>(v: Option<&Spanned<T>>) -> Option<std::ops::Range<usize>> {
            v.map(|v| v.span())
        }
        vec![
            ("centre_m", s(self.centre_m)),
            ("radius_m", s(self.radius_m)),
            ("min_m", s(self.min_m)),
            ("max_m", s(self.max_m)),
            ("axis", s(self.axis)),
            ("length_m", s(self.length_m)),
            ("point_m", s(self.point_m)),
            ("normal", s(self.normal)),
            ("from_m", s(self.from_m)),
            ("to_m", s(self.to_m)),
            ("start_m", s(self.start_m)),
            ("end_m", s(self.end_m)),
            ("position_m", s(self.position_m)),
            ("focus_m", s(self.focus_m)),
            ("diameter_m", s(self.diameter_m)),
        ]
    }
}

/// Declares a table holding the shape keys plus its own keys.
macro_rules! shaped_table {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub shape: Option<Spanned<ShapeKind>>,
            #[serde(alias = "center_m")]
            pub centre_m: Option<Spanned<Vec<f64>>>,
            pub radius_m: Option<Spanned<f64>>,
            pub min_m: Option<Spanned<Vec<f64>>>,
            pub max_m: Option<Spanned<Vec<f64>>>,
            pub axis: Option<Spanned<AxisName>>,
            pub length_m: Option<Spanned<f64>>,
            pub point_m: Option<Spanned<Vec<f64>>>,
            pub normal: Option<Spanned<Vec<f64>>>,
            pub from_m: Option<Spanned<f64>>,
            pub to_m: Option<Spanned<f64>>,
            pub start_m: Option<Spanned<Vec<f64>>>,
            pub end_m: Option<Spanned<Vec<f64>>>,
            pub position_m: Option<Spanned<Vec<f64>>>,
            pub focus_m: Option<Spanned<Vec<f64>>>,
            pub diameter_m: Option<Spanned<f64>>,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            pub fn shape_fields(&self) -> ShapeFields<'_> {
                ShapeFields {
                    shape: self.shape.as_ref(),
                    centre_m: self.centre_m.as_ref(),
                    radius_m: self.radius_m.as_ref(),
                    min_m: self.min_m.as_ref(),
                    max_m: self.max_m.as_ref(),
                    axis: self.axis.as_ref(),
                    length_m: self.length_m.as_ref(),
                    point_m: self.point_m.as_ref(),
                    normal: self.normal.as_ref(),
                    from_m: self.from_m.as_ref(),
                    to_m: self.to_m.as_ref(),
                    start_m: self.start_m.as_ref(),
                    end_m: self.end_m.as_ref(),
                    position_m: self.position_m.as_ref(),
                    focus_m: self.focus_m.as_ref(),
                    diameter_m: self.diameter_m.as_ref(),
                }
            }
        }
    };
}

shaped_table! {
    /// `[[medium.region]]`: a shape and the properties it sets.
    pub struct RegionTable {
        pub sound_speed_m_s: Option<Spanned<f64>>,
        pub density_kg_m3: Option<Spanned<f64>>,
        pub alpha_coeff_db_mhz_y_cm: Option<Spanned<f64>>,
        pub b_over_a: Option<Spanned<f64>>,
    }
}

shaped_table! {
    /// A mask table: only a shape.
    pub struct MaskShapeTable {}
}

shaped_table! {
    /// `[source.initial_pressure]` (or `[[source.initial_pressure]]`): a shape with an
    /// amplitude, or an array file.
    pub struct InitialPressureTable {
        pub amplitude_pa: Option<Spanned<f64>>,
        pub path: Option<Spanned<String>>,
        pub dataset: Option<Spanned<String>>,
        pub smooth: Option<Spanned<bool>>,
    }
}

/// Properties a map or region can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum PropertyName {
    #[serde(rename = "sound_speed_m_s")]
    SoundSpeed,
    #[serde(rename = "density_kg_m3")]
    Density,
    #[serde(rename = "alpha_coeff_db_mhz_y_cm")]
    AlphaCoeff,
    #[serde(rename = "b_over_a")]
    BOverA,
}

impl PropertyName {
    pub fn key(self) -> &'static str {
        match self {
            PropertyName::SoundSpeed => "sound_speed_m_s",
            PropertyName::Density => "density_kg_m3",
            PropertyName::AlphaCoeff => "alpha_coeff_db_mhz_y_cm",
            PropertyName::BOverA => "b_over_a",
        }
    }
}

/// `[[medium.map]]`: one property from an array file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapTable {
    pub property: Spanned<PropertyName>,
    /// HDF5 (.h5, .hdf5) or NIfTI (.nii, .nii.gz) file, relative to the scene file.
    pub path: Spanned<String>,
    /// HDF5 dataset name (HDF5 only).
    pub dataset: Option<Spanned<String>>,
}

/// `[pml]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PmlTable {
    /// Thickness in grid points, one for all axes or one per axis.
    pub size: Option<Spanned<OneOrMany<usize>>>,
    /// Absorption, Nepers per grid point, one for all axes or one per axis.
    pub alpha: Option<Spanned<OneOrMany<f64>>>,
    /// PML inside the grid (default) or added around it.
    pub inside: Option<bool>,
}

/// `[source]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceTable {
    pub initial_pressure: Option<Spanned<OneOrMany<InitialPressureTable>>>,
    pub pressure: Option<PressureSourceTable>,
    pub velocity: Option<Spanned<OneOrMany<VelocitySourceTable>>>,
}

/// How a time-varying source enters the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ModeName {
    #[serde(rename = "additive")]
    Additive,
    #[serde(rename = "additive-no-correction", alias = "additive_no_correction")]
    AdditiveNoCorrection,
    #[serde(rename = "dirichlet")]
    Dirichlet,
}

/// `[source.pressure]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PressureSourceTable {
    pub mask: Option<Spanned<MaskSpec>>,
    pub points_m: Option<Spanned<Vec<Spanned<Vec<f64>>>>>,
    pub points: Option<Spanned<Vec<Spanned<Vec<usize>>>>>,
    pub signal: SignalTable,
    pub mode: Option<Spanned<ModeName>>,
}

/// `[source.velocity]` (or `[[source.velocity]]`, one per component)
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VelocitySourceTable {
    pub component: Spanned<AxisName>,
    pub mask: Option<Spanned<MaskSpec>>,
    pub points_m: Option<Spanned<Vec<Spanned<Vec<f64>>>>>,
    pub points: Option<Spanned<Vec<Spanned<Vec<usize>>>>>,
    pub signal: SignalTable,
    pub mode: Option<Spanned<ModeName>>,
}

/// Signal kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// k-Wave's toneBurst.
    ToneBurst,
    /// A sine for the whole simulation.
    Sine,
    /// Samples listed in the file, at the simulation's dt.
    Samples,
    /// Samples from an HDF5 dataset, at the simulation's dt.
    File,
}

/// Tone burst envelopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvelopeName {
    Gaussian,
    Rectangular,
}

/// A source signal. Which keys apply depends on `kind`; the amplitude keys carry the source's
/// unit (`_pa` for pressure sources, `_m_s` for velocity sources).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalTable {
    pub kind: Spanned<SignalKind>,
    pub frequency_hz: Option<Spanned<f64>>,
    pub cycles: Option<Spanned<f64>>,
    pub envelope: Option<Spanned<EnvelopeName>>,
    pub delay_s: Option<Spanned<f64>>,
    pub ramp_cycles: Option<Spanned<f64>>,
    pub phase_rad: Option<Spanned<f64>>,
    pub amplitude_pa: Option<Spanned<f64>>,
    pub amplitude_m_s: Option<Spanned<f64>>,
    pub samples_pa: Option<Spanned<Vec<f64>>>,
    pub samples_m_s: Option<Spanned<Vec<f64>>>,
    /// The sample interval the samples were made for; checked against the simulation's dt.
    pub dt_s: Option<Spanned<f64>>,
    pub path: Option<Spanned<String>>,
    pub dataset: Option<Spanned<String>>,
}

/// What a sensor can record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordName {
    P,
    PMax,
    PMin,
    PRms,
    PFinal,
    U,
    UMax,
    UMin,
    URms,
    UFinal,
    UNonStaggered,
    PMaxAll,
    PMinAll,
    UMaxAll,
    UMinAll,
    Cw,
}

/// `[sensor]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensorTable {
    pub mask: Option<Spanned<MaskSpec>>,
    pub points_m: Option<Spanned<Vec<Spanned<Vec<f64>>>>>,
    pub points: Option<Spanned<Vec<Spanned<Vec<usize>>>>>,
    /// Default `["p"]`, as k-Wave.
    pub record: Option<Spanned<Vec<Spanned<RecordName>>>>,
    pub cw: Option<CwTable>,
    pub record_start_step: Option<Spanned<usize>>,
}

/// `cw = { frequency_hz, periods }`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CwTable {
    pub frequency_hz: Spanned<f64>,
    pub periods: Spanned<f64>,
}

/// `[output]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputTable {
    /// Result file, relative to the scene file's directory.
    pub path: Spanned<String>,
}

/// One value, or an array of them.
#[derive(Debug, Clone, PartialEq)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(v) => std::slice::from_ref(v),
            OneOrMany::Many(v) => v,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value or an array of values")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq)).map(OneOrMany::Many)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(OneOrMany::One)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(OneOrMany::One)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(OneOrMany::One)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(OneOrMany::One)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(OneOrMany::One)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(OneOrMany::One)
            }
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

/// A mask: `"all"` or a shape table.
#[derive(Debug, Clone)]
pub enum MaskSpec {
    All,
    Shape(Box<MaskShapeTable>),
}

impl<'de> Deserialize<'de> for MaskSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaskSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"all\" or a shape table such as { shape = \"disc\", ... }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if v == "all" {
                    Ok(MaskSpec::All)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                MaskShapeTable::deserialize(MapAccessDeserializer::new(map))
                    .map(|t| MaskSpec::Shape(Box::new(t)))
            }
        }
        deserializer.deserialize_any(V)
    }
}
