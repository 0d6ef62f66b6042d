//! From a scene file to the solver's `Simulation`.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use ferrowave_solvers::acoustic::{
    Absorption, ContinuousWave, Grid, Medium, Pml, Property, Record, Sensor, SignalUnits,
    Simulation, SourceMode, Sources, TimeSpec, TimeVaryingSource,
};
use toml::Spanned;

use crate::arrays;
use crate::error::{Locator, SceneError};
use crate::scene::*;
use crate::shapes::{finite, grid_point, min_spacing, positive, shape_points};
use crate::signals::{self, Envelope};

/// A loaded scene: its text (for provenance), the simulation it describes, and where its
/// result goes.
#[derive(Clone, Debug)]
pub struct Scene {
    /// The scene file's text, as read.
    pub text: String,
    pub simulation: Simulation,
    /// `[output] path`, resolved relative to the scene file's directory.
    pub output: Option<PathBuf>,
    /// `name`, or the file's stem (`scene` for text without a file).
    pub name: String,
}

/// Reads, parses and builds a scene file.
pub fn load_scene(path: &Path) -> Result<Scene, SceneError> {
    let text = std::fs::read_to_string(path).map_err(|source| SceneError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    let stem = path
        .file_stem()
        .map_or_else(|| "scene".to_string(), |n| n.to_string_lossy().into());
    let base_dir = path.parent().unwrap_or(Path::new(""));
    build_scene(text, base_dir, &file, &stem)
}

/// Parses and builds scene text; relative paths in it are relative to `base_dir`.
pub fn parse_scene(text: &str, base_dir: &Path) -> Result<Scene, SceneError> {
    build_scene(text.to_string(), base_dir, "scene", "scene")
}

/// The time step the solver uses: `dt_s`, or cfl * min(spacing) / max(c0).
pub fn time_step(grid: &Grid, medium: &Medium, time: &TimeSpec) -> f64 {
    time.dt_s
        .unwrap_or_else(|| time.cfl * min_spacing(grid) / medium.sound_speed.max())
}

/// The number of time steps (k-Wave's makeTime): `steps`, or floor(t_end / dt) + 1 with
/// t_end = `end_time_s` or the grid diagonal (N d per axis) over min(c0).
pub fn num_steps(grid: &Grid, medium: &Medium, time: &TimeSpec) -> usize {
    if let Some(steps) = time.steps {
        return steps;
    }
    let dt = time_step(grid, medium, time);
    let t_end = time.end_time_s.unwrap_or_else(|| {
        let diagonal = (0..grid.ndim)
            .map(|a| (grid.shape[a] as f64 * grid.spacing_m[a]).powi(2))
            .sum::<f64>()
            .sqrt();
        diagonal / medium.sound_speed.min()
    });
    (t_end / dt).floor() as usize + 1
}

fn build_scene(
    text: String,
    base_dir: &Path,
    file: &str,
    default_name: &str,
) -> Result<Scene, SceneError> {
    let loc = Locator::new(file, &text);
    let parsed: SceneFile = toml::from_str(&text).map_err(|e| loc.toml_error(e))?;
    let builder = Builder {
        loc: &loc,
        base_dir,
    };
    let simulation = builder.simulation(&parsed)?;
    let output = match &parsed.output {
        Some(out) => {
            if out.path.get_ref().trim().is_empty() {
                return Err(loc.at(&out.path.span(), "must not be empty"));
            }
            Some(base_dir.join(out.path.get_ref()))
        }
        None => None,
    };
    let name = match &parsed.name {
        Some(name) if name.get_ref().trim().is_empty() => {
            return Err(loc.at(&name.span(), "must not be empty"))
        }
        Some(name) => name.get_ref().clone(),
        None => default_name.to_string(),
    };
    Ok(Scene {
        text,
        simulation,
        output,
        name,
    })
}

/// Which kind of time-varying source a signal feeds: sets the unit keys.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Pa,
    MetresPerSecond,
}

impl Unit {
    fn amplitude_key(self) -> &'static str {
        match self {
            Unit::Pa => "amplitude_pa",
            Unit::MetresPerSecond => "amplitude_m_s",
        }
    }
    fn samples_key(self) -> &'static str {
        match self {
            Unit::Pa => "samples_pa",
            Unit::MetresPerSecond => "samples_m_s",
        }
    }
    fn source(self) -> &'static str {
        match self {
            Unit::Pa => "a pressure source",
            Unit::MetresPerSecond => "a velocity source",
        }
    }
}

/// Time stepping as resolved for the built medium.
struct Clock {
    dt: f64,
    steps: usize,
}

/// The keys that give the points of a source or sensor.
#[derive(Clone, Copy)]
struct PointKeys<'t> {
    mask: Option<&'t Spanned<MaskSpec>>,
    points_m: Option<&'t Spanned<Vec<Spanned<Vec<f64>>>>>,
    points: Option<&'t Spanned<Vec<Spanned<Vec<usize>>>>>,
}

/// The points, signal and mode keys of a time-varying source table.
struct SourceKeys<'t> {
    at: PointKeys<'t>,
    signal: &'t SignalTable,
    mode: Option<&'t Spanned<ModeName>>,
}

struct Builder<'a> {
    loc: &'a Locator<'a>,
    base_dir: &'a Path,
}

fn non_negative(loc: &Locator, value: &Spanned<f64>) -> Result<f64, SceneError> {
    let v = *value.get_ref();
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(loc.at(&value.span(), format!("must be zero or positive (got {v})")))
    }
}

fn span_of<T>(v: Option<&Spanned<T>>) -> Option<Range<usize>> {
    v.map(|v| v.span())
}

/// Checks a property value; `None` when valid, else what is wrong.
fn property_problem(property: PropertyName, v: f64) -> Option<&'static str> {
    let ok = match property {
        PropertyName::SoundSpeed | PropertyName::Density => v.is_finite() && v > 0.0,
        PropertyName::AlphaCoeff => v.is_finite() && v >= 0.0,
        PropertyName::BOverA => v.is_finite(),
    };
    (!ok).then_some(match property {
        PropertyName::SoundSpeed | PropertyName::Density => "must be positive",
        PropertyName::AlphaCoeff => "must be zero or positive",
        PropertyName::BOverA => "must be finite",
    })
}

/// Sets `value` at `points`, turning a uniform property into a map first.
fn paint(property: &mut Property, n: usize, points: &[usize], value: f64) {
    if let Property::Uniform(u) = *property {
        *property = Property::Map(vec![u as f32; n]);
    }
    if let Property::Map(map) = property {
        for &p in points {
            map[p] = value as f32;
        }
    }
}

impl Builder<'_> {
    fn simulation(&self, scene: &SceneFile) -> Result<Simulation, SceneError> {
        let grid = self.grid(&scene.grid)?;
        let (medium, c_ref) = self.medium(&grid, &scene.medium)?;
        let (time, clock) = self.time(&grid, &medium, &scene.time)?;
        let pml = self.pml(&grid, scene.pml.as_ref(), &scene.grid)?;
        let sources = self.sources(&grid, &clock, &scene.source)?;
        let sensor = self.sensor(&grid, &clock, &scene.sensor)?;
        Ok(Simulation {
            grid,
            medium,
            pml,
            time,
            sources,
            sensor,
            c_ref_m_s: c_ref,
        })
    }

    fn grid(&self, table: &GridTable) -> Result<Grid, SceneError> {
        let loc = self.loc;
        let shape = table.shape.get_ref();
        if !(1..=3).contains(&shape.len()) {
            return Err(loc.at(
                &table.shape.span(),
                format!("needs 1 to 3 sizes, x first (got {} entries)", shape.len()),
            ));
        }
        if let Some(n) = shape.iter().find(|&&n| n < 2) {
            return Err(loc.at(
                &table.shape.span(),
                format!("every axis needs at least 2 points (got {n})"),
            ));
        }
        let spacing: Vec<f64> = match table.spacing_m.get_ref() {
            OneOrMany::One(d) => vec![*d; shape.len()],
            OneOrMany::Many(d) => {
                if d.len() != shape.len() {
                    return Err(loc.at(
                        &table.spacing_m.span(),
                        format!(
                            "needs one spacing for all axes or one per axis ({} for this \
                             grid; got {})",
                            shape.len(),
                            d.len()
                        ),
                    ));
                }
                d.clone()
            }
        };
        if let Some(d) = spacing.iter().find(|d| !(d.is_finite() && **d > 0.0)) {
            return Err(loc.at(
                &table.spacing_m.span(),
                format!("must be positive (got {d})"),
            ));
        }
        Grid::new(shape, &spacing).map_err(|m| loc.at(&table.shape.span(), m))
    }

    fn medium(
        &self,
        grid: &Grid,
        table: &MediumTable,
    ) -> Result<(Medium, Option<f64>), SceneError> {
        let loc = self.loc;
        let n = grid.num_points();
        let check = |property: PropertyName, value: &Spanned<f64>| -> Result<f64, SceneError> {
            let v = *value.get_ref();
            match property_problem(property, v) {
                None => Ok(v),
                Some(problem) => Err(loc.at(&value.span(), format!("{problem} (got {v})"))),
            }
        };
        let mut sound_speed =
            Property::Uniform(check(PropertyName::SoundSpeed, &table.sound_speed_m_s)?);
        let mut density = Property::Uniform(check(PropertyName::Density, &table.density_kg_m3)?);
        let mut alpha = None;
        // Where an absorption coefficient was first given, for the alpha_power check.
        let mut alpha_at = None;
        if let Some(a) = &table.alpha_coeff_db_mhz_y_cm {
            alpha = Some(Property::Uniform(check(PropertyName::AlphaCoeff, a)?));
            alpha_at = Some(a.span());
        }
        let mut b_over_a = match &table.b_over_a {
            Some(b) => Some(Property::Uniform(check(PropertyName::BOverA, b)?)),
            None => None,
        };

        for region in &table.region {
            let fields = region.shape_fields();
            let settings = [
                (PropertyName::SoundSpeed, &region.sound_speed_m_s),
                (PropertyName::Density, &region.density_kg_m3),
                (PropertyName::AlphaCoeff, &region.alpha_coeff_db_mhz_y_cm),
                (PropertyName::BOverA, &region.b_over_a),
            ];
            let anchor = fields
                .shape
                .map(|s| s.span())
                .or_else(|| settings.iter().find_map(|(_, v)| span_of(v.as_ref())))
                .or_else(|| fields.geometry_keys().into_iter().find_map(|(_, s)| s))
                .unwrap_or(0..0);
            let points = shape_points(loc, grid, &fields, &anchor)?;
            if settings.iter().all(|(_, v)| v.is_none()) {
                return Err(loc.sibling(
                    &anchor,
                    "sound_speed_m_s",
                    "the region sets no property: give one or more of sound_speed_m_s, \
                     density_kg_m3, alpha_coeff_db_mhz_y_cm, b_over_a",
                ));
            }
            for (property, value) in settings {
                let Some(value) = value else { continue };
                let v = check(property, value)?;
                let target = match property {
                    PropertyName::SoundSpeed => &mut sound_speed,
                    PropertyName::Density => &mut density,
                    PropertyName::AlphaCoeff => {
                        alpha_at.get_or_insert(value.span());
                        alpha.get_or_insert(Property::Uniform(0.0))
                    }
                    PropertyName::BOverA => b_over_a.get_or_insert(Property::Uniform(0.0)),
                };
                paint(target, n, &points, v);
            }
        }

        for map in &table.map {
            let property = *map.property.get_ref();
            let path = self.base_dir.join(map.path.get_ref());
            let values = arrays::read_grid_array(
                &path,
                map.dataset.as_ref().map(|d| d.get_ref().as_str()),
                grid.dims(),
            )
            .map_err(|m| {
                let at = match (&map.dataset, m.contains("`dataset`")) {
                    (Some(d), true) => d.span(),
                    _ => map.path.span(),
                };
                loc.at(&at, m)
            })?;
            if let Some((i, &v)) = values
                .iter()
                .enumerate()
                .find(|(_, &v)| property_problem(property, v as f64).is_some())
            {
                let [x, y, z] = grid.coords(i);
                return Err(loc.at(
                    &map.path.span(),
                    format!(
                        "{} values {}: the value at grid point ({x}, {y}, {z}) is {v}",
                        property.key(),
                        property_problem(property, v as f64).unwrap_or("are invalid")
                    ),
                ));
            }
            let target = match property {
                PropertyName::SoundSpeed => &mut sound_speed,
                PropertyName::Density => &mut density,
                PropertyName::AlphaCoeff => {
                    alpha_at.get_or_insert(map.property.span());
                    alpha.get_or_insert(Property::Uniform(0.0))
                }
                PropertyName::BOverA => b_over_a.get_or_insert(Property::Uniform(0.0)),
            };
            *target = Property::Map(values);
        }

        let absorption = match (alpha, &table.alpha_power, alpha_at) {
            (Some(alpha), Some(power), _) => {
                let y = *power.get_ref();
                if y == 1.0 {
                    return Err(loc.at(
                        &power.span(),
                        "alpha_power = 1 is refused, as in k-Wave: the dispersion term \
                         tan(pi y / 2) is infinite at y = 1, so the dispersion is undefined; \
                         use a value close to 1 (such as 1.01)",
                    ));
                }
                if !(y.is_finite() && y > 0.0 && y < 3.0) {
                    return Err(loc.at(
                        &power.span(),
                        format!("must be between 0 and 3, exclusive (got {y})"),
                    ));
                }
                Some(Absorption {
                    alpha_coeff_db: alpha,
                    alpha_power: y,
                    stokes: false,
                })
            }
            (Some(_), None, Some(at)) => {
                return Err(loc.named(
                    &at,
                    "medium.alpha_power",
                    "required because an absorption coefficient (alpha_coeff_db_mhz_y_cm) is \
                     given on this line; add alpha_power (the exponent y, in (0, 3), not 1) \
                     to [medium]",
                ))
            }
            (None, Some(power), _) => {
                return Err(loc.at(
                    &power.span(),
                    "given, but no absorption coefficient (alpha_coeff_db_mhz_y_cm) is set in \
                     [medium], a region or a map",
                ))
            }
            _ => None,
        };
        let c_ref = match &table.reference_sound_speed_m_s {
            Some(c) => Some(positive(loc, c)?),
            None => None,
        };
        Ok((
            Medium {
                sound_speed,
                density,
                density_staggered: None,
                absorption,
                nonlinearity: b_over_a,
            },
            c_ref,
        ))
    }

    fn time(
        &self,
        grid: &Grid,
        medium: &Medium,
        table: &TimeTable,
    ) -> Result<(TimeSpec, Clock), SceneError> {
        let loc = self.loc;
        if let (Some(cfl), Some(_)) = (&table.cfl, &table.dt_s) {
            return Err(loc.at(
                &cfl.span(),
                "give either cfl or dt_s, not both (dt_s sets the time step directly)",
            ));
        }
        let mut spec = TimeSpec::default();
        if let Some(cfl) = &table.cfl {
            spec.cfl = positive(loc, cfl)?;
        }
        if let Some(dt) = &table.dt_s {
            spec.dt_s = Some(positive(loc, dt)?);
        }
        if let Some(end) = &table.end_time_s {
            spec.end_time_s = Some(positive(loc, end)?);
        }
        if let Some(steps) = &table.steps {
            if *steps.get_ref() == 0 {
                return Err(loc.at(&steps.span(), "must be at least 1"));
            }
            spec.steps = Some(*steps.get_ref());
        }
        let dt = time_step(grid, medium, &spec);
        let steps = num_steps(grid, medium, &spec);
        // Pin dt and the step count, so that the solver runs exactly the clock the signals
        // were sampled for.
        spec.dt_s = Some(dt);
        spec.steps = Some(steps);
        Ok((spec, Clock { dt, steps }))
    }

    fn pml(
        &self,
        grid: &Grid,
        table: Option<&PmlTable>,
        grid_table: &GridTable,
    ) -> Result<Pml, SceneError> {
        let loc = self.loc;
        let ndim = grid.ndim;
        let mut pml = Pml::kwave_default(ndim);
        let mut size_span = grid_table.shape.span();
        let mut size_given = false;
        if let Some(table) = table {
            if let Some(size) = &table.size {
                let values = size.get_ref().as_slice();
                if values.len() != 1 && values.len() != ndim {
                    return Err(loc.at(
                        &size.span(),
                        format!(
                            "needs one size for all axes or one per axis ({ndim}; got {})",
                            values.len()
                        ),
                    ));
                }
                for a in 0..ndim {
                    pml.size[a] = if values.len() == 1 {
                        values[0]
                    } else {
                        values[a]
                    };
                }
                size_span = size.span();
                size_given = true;
            }
            if let Some(alpha) = &table.alpha {
                let values = alpha.get_ref().as_slice();
                if values.len() != 1 && values.len() != ndim {
                    return Err(loc.at(
                        &alpha.span(),
                        format!(
                            "needs one value for all axes or one per axis ({ndim}; got {})",
                            values.len()
                        ),
                    ));
                }
                if let Some(v) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                    return Err(
                        loc.at(&alpha.span(), format!("must be zero or positive (got {v})"))
                    );
                }
                for a in 0..ndim {
                    pml.alpha[a] = if values.len() == 1 {
                        values[0]
                    } else {
                        values[a]
                    };
                }
            }
            if let Some(inside) = table.inside {
                pml.inside = inside;
            }
        }
        if pml.inside {
            if let Some(a) = (0..ndim).find(|&a| 2 * pml.size[a] >= grid.shape[a]) {
                let what = if size_given {
                    "the PML".to_string()
                } else {
                    "the default PML (k-Wave's)".to_string()
                };
                let message = format!(
                    "{what} of {} points per side does not fit inside the {}-point {} axis; \
                     set [pml] size smaller, or inside = false to add it around the grid",
                    pml.size[a],
                    grid.shape[a],
                    ["x", "y", "z"][a]
                );
                return Err(if size_given {
                    loc.at(&size_span, message)
                } else {
                    loc.named(&size_span, "pml.size", message)
                });
            }
        }
        Ok(pml)
    }

    /// Grid points of a source or sensor from exactly one of mask, points_m, points.
    /// `anchor` locates the table or a key in it, `owner` is the table's path.
    fn points(
        &self,
        grid: &Grid,
        keys: &PointKeys,
        anchor: &Range<usize>,
        owner: &str,
        refuse_repeats: bool,
    ) -> Result<Vec<usize>, SceneError> {
        let loc = self.loc;
        let PointKeys {
            mask,
            points_m,
            points,
        } = *keys;
        let given: Vec<Range<usize>> = [span_of(mask), span_of(points_m), span_of(points)]
            .into_iter()
            .flatten()
            .collect();
        if given.len() > 1 {
            return Err(loc.at(&given[1], "give only one of mask, points_m and points"));
        }
        let mut out = Vec::new();
        if let Some(mask) = mask {
            match mask.get_ref() {
                MaskSpec::All => out = (0..grid.num_points()).collect(),
                MaskSpec::Shape(table) => {
                    out = shape_points(loc, grid, &table.shape_fields(), &mask.span())?
                }
            }
        } else if let Some(list) = points_m {
            for p in list.get_ref() {
                out.push(grid_point(loc, grid, p)?);
            }
        } else if let Some(list) = points {
            for p in list.get_ref() {
                let v = p.get_ref();
                if v.len() != grid.ndim {
                    return Err(loc.at(
                        &p.span(),
                        format!(
                            "needs {} indices for a {}D grid (got {})",
                            grid.ndim,
                            grid.ndim,
                            v.len()
                        ),
                    ));
                }
                let mut i = [0usize; 3];
                for a in 0..grid.ndim {
                    if v[a] >= grid.shape[a] {
                        return Err(loc.at(
                            &p.span(),
                            format!(
                                "index {} on axis {} is outside the grid (0 to {}; indices are \
                                 0-based)",
                                v[a],
                                ["x", "y", "z"][a],
                                grid.shape[a] - 1
                            ),
                        ));
                    }
                    i[a] = v[a];
                }
                out.push(grid.index(i[0], i[1], i[2]));
            }
        } else {
            return Err(loc.named(
                anchor,
                format!("{owner}.mask"),
                "needs its points: give mask (a shape table or \"all\"), points_m (positions, \
                 m) or points (0-based grid indices)",
            ));
        }
        if out.is_empty() {
            let at = given.first().cloned().unwrap_or(anchor.clone());
            return Err(loc.at(&at, "the list is empty"));
        }
        if refuse_repeats {
            let mut seen = HashSet::new();
            let list_spans: Vec<Range<usize>> = match (points_m, points) {
                (Some(l), _) => l.get_ref().iter().map(|p| p.span()).collect(),
                (_, Some(l)) => l.get_ref().iter().map(|p| p.span()).collect(),
                _ => Vec::new(),
            };
            for (k, p) in out.iter().enumerate() {
                if !seen.insert(*p) {
                    let [x, y, z] = grid.coords(*p);
                    let at = list_spans.get(k).cloned().unwrap_or(anchor.clone());
                    return Err(loc.at(
                        &at,
                        format!(
                            "falls on grid point ({x}, {y}, {z}), already in the list; a \
                             source point may appear once"
                        ),
                    ));
                }
            }
        }
        Ok(out)
    }

    fn sources(
        &self,
        grid: &Grid,
        clock: &Clock,
        table: &SourceTable,
    ) -> Result<Sources, SceneError> {
        let loc = self.loc;
        let mut sources = Sources {
            smooth_initial_pressure: true,
            ..Sources::default()
        };
        if let Some(p0) = &table.initial_pressure {
            let mut values = vec![0.0f32; grid.num_points()];
            let mut smooth: Option<(bool, Range<usize>)> = None;
            for entry in p0.get_ref().as_slice() {
                let fields = entry.shape_fields();
                if let Some(s) = &entry.smooth {
                    match &smooth {
                        Some((previous, _)) if previous != s.get_ref() => {
                            return Err(loc.at(
                                &s.span(),
                                "disagrees with an earlier initial pressure entry; smoothing \
                                 applies to the whole p0, so give it once",
                            ))
                        }
                        _ => smooth = Some((*s.get_ref(), s.span())),
                    }
                }
                if let Some(path) = &entry.path {
                    let geometry = fields
                        .geometry_keys()
                        .into_iter()
                        .chain([("shape", span_of(fields.shape))])
                        .chain([("amplitude_pa", span_of(entry.amplitude_pa.as_ref()))])
                        .find_map(|(k, s)| s.map(|s| (k, s)));
                    if let Some((key, at)) = geometry {
                        return Err(loc.at(
                            &at,
                            format!(
                                "{key} is not used with path: give either a shape with \
                                 amplitude_pa, or a map file (path, in Pa)"
                            ),
                        ));
                    }
                    let file = self.base_dir.join(path.get_ref());
                    let dataset = entry.dataset.as_ref().map(|d| d.get_ref().as_str());
                    let map = arrays::read_grid_array(&file, dataset, grid.dims())
                        .map_err(|m| loc.at(&path.span(), m))?;
                    if let Some((i, v)) = map.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                        let [x, y, z] = grid.coords(i);
                        return Err(loc.at(
                            &path.span(),
                            format!("the value at grid point ({x}, {y}, {z}) is {v}"),
                        ));
                    }
                    for (acc, v) in values.iter_mut().zip(map) {
                        *acc += v;
                    }
                } else {
                    if let Some(d) = &entry.dataset {
                        return Err(loc.at(&d.span(), "applies only with path (an HDF5 file)"));
                    }
                    let anchor = span_of(fields.shape)
                        .or(span_of(entry.amplitude_pa.as_ref()))
                        .or(fields.geometry_keys().into_iter().find_map(|(_, s)| s))
                        .or(span_of(entry.smooth.as_ref()))
                        .unwrap_or(p0.span());
                    if fields.shape.is_none() {
                        return Err(loc.sibling(
                            &anchor,
                            "shape",
                            "the initial pressure needs a shape (with amplitude_pa) or a map \
                             file (path)",
                        ));
                    }
                    let points = shape_points(loc, grid, &fields, &anchor)?;
                    let Some(amplitude) = &entry.amplitude_pa else {
                        return Err(loc.sibling(
                            &anchor,
                            "amplitude_pa",
                            "required with a shape: the initial pressure inside it, Pa",
                        ));
                    };
                    let a = finite(loc, amplitude)?;
                    for p in points {
                        values[p] += a as f32;
                    }
                }
            }
            sources.initial_pressure = Some(values);
            sources.smooth_initial_pressure = smooth.is_none_or(|(s, _)| s);
        }
        if let Some(p) = &table.pressure {
            let keys = SourceKeys {
                at: PointKeys {
                    mask: p.mask.as_ref(),
                    points_m: p.points_m.as_ref(),
                    points: p.points.as_ref(),
                },
                signal: &p.signal,
                mode: p.mode.as_ref(),
            };
            sources.pressure = Some(self.time_varying(grid, clock, &keys, Unit::Pa)?);
        }
        if let Some(velocity) = &table.velocity {
            for entry in velocity.get_ref().as_slice() {
                let axis = entry.component.get_ref().index();
                if axis >= grid.ndim {
                    return Err(loc.at(
                        &entry.component.span(),
                        format!(
                            "a {}D grid has no {} component",
                            grid.ndim,
                            ["x", "y", "z"][axis]
                        ),
                    ));
                }
                if sources.velocity[axis].is_some() {
                    return Err(loc.at(
                        &entry.component.span(),
                        "this component already has a velocity source; give each component \
                         once",
                    ));
                }
                let keys = SourceKeys {
                    at: PointKeys {
                        mask: entry.mask.as_ref(),
                        points_m: entry.points_m.as_ref(),
                        points: entry.points.as_ref(),
                    },
                    signal: &entry.signal,
                    mode: entry.mode.as_ref(),
                };
                sources.velocity[axis] =
                    Some(self.time_varying(grid, clock, &keys, Unit::MetresPerSecond)?);
            }
        }
        Ok(sources)
    }

    fn time_varying(
        &self,
        grid: &Grid,
        clock: &Clock,
        keys: &SourceKeys,
        unit: Unit,
    ) -> Result<TimeVaryingSource, SceneError> {
        let anchor = keys.signal.kind.span();
        let owner = self
            .loc
            .path_at(&anchor)
            .and_then(|p| p.strip_suffix(".signal.kind").map(String::from))
            .unwrap_or_else(|| "source".to_string());
        let points = self.points(grid, &keys.at, &anchor, &owner, true)?;
        let (signals, per_point, length) = self.signal(keys.signal, unit, points.len(), clock)?;
        let mode = match keys.mode.map(|m| *m.get_ref()) {
            None | Some(ModeName::Additive) => SourceMode::Additive,
            Some(ModeName::AdditiveNoCorrection) => SourceMode::AdditiveNoCorrection,
            Some(ModeName::Dirichlet) => SourceMode::Dirichlet,
        };
        Ok(TimeVaryingSource {
            points,
            signals,
            per_point,
            length,
            mode,
            units: SignalUnits::Physical,
        })
    }

    /// Checks a frequency against the time step (at least 2 samples per period).
    fn frequency(&self, value: &Spanned<f64>, clock: &Clock) -> Result<f64, SceneError> {
        let f = positive(self.loc, value)?;
        let per_period = 1.0 / (f * clock.dt);
        if per_period < 2.0 {
            return Err(self.loc.at(
                &value.span(),
                format!(
                    "{f:e} Hz is above the Nyquist frequency of the time step ({:e} s gives \
                     {per_period:.2} samples per period; at least 2 are needed)",
                    clock.dt
                ),
            ));
        }
        Ok(f)
    }

    /// (signals, per_point, length)
    fn signal(
        &self,
        sig: &SignalTable,
        unit: Unit,
        n_points: usize,
        clock: &Clock,
    ) -> Result<(Vec<f32>, bool, usize), SceneError> {
        let loc = self.loc;
        let kind = *sig.kind.get_ref();
        let kind_span = sig.kind.span();
        let (amplitude, samples) = match unit {
            Unit::Pa => (&sig.amplitude_pa, &sig.samples_pa),
            Unit::MetresPerSecond => (&sig.amplitude_m_s, &sig.samples_m_s),
        };
        // The keys of the other unit are refused with a hint.
        let (wrong_amplitude, wrong_samples) = match unit {
            Unit::Pa => (&sig.amplitude_m_s, &sig.samples_m_s),
            Unit::MetresPerSecond => (&sig.amplitude_pa, &sig.samples_pa),
        };
        if let Some(at) = span_of(wrong_amplitude.as_ref()).or(span_of(wrong_samples.as_ref())) {
            return Err(loc.at(
                &at,
                format!(
                    "{} takes {} and {} (its unit is {})",
                    unit.source(),
                    unit.amplitude_key(),
                    unit.samples_key(),
                    if unit == Unit::Pa { "Pa" } else { "m/s" }
                ),
            ));
        }
        let present = [
            ("frequency_hz", span_of(sig.frequency_hz.as_ref())),
            ("cycles", span_of(sig.cycles.as_ref())),
            ("envelope", span_of(sig.envelope.as_ref())),
            ("delay_s", span_of(sig.delay_s.as_ref())),
            ("ramp_cycles", span_of(sig.ramp_cycles.as_ref())),
            ("phase_rad", span_of(sig.phase_rad.as_ref())),
            (unit.amplitude_key(), span_of(amplitude.as_ref())),
            (unit.samples_key(), span_of(samples.as_ref())),
            ("dt_s", span_of(sig.dt_s.as_ref())),
            ("path", span_of(sig.path.as_ref())),
            ("dataset", span_of(sig.dataset.as_ref())),
        ];
        let (required, optional): (Vec<&str>, Vec<&str>) = match kind {
            SignalKind::ToneBurst => (
                vec!["frequency_hz", "cycles", unit.amplitude_key()],
                vec!["envelope", "delay_s"],
            ),
            SignalKind::Sine => (
                vec!["frequency_hz", unit.amplitude_key()],
                vec!["phase_rad", "ramp_cycles"],
            ),
            SignalKind::Samples => (vec![unit.samples_key()], vec!["dt_s"]),
            SignalKind::File => (vec!["path", "dataset"], vec!["dt_s"]),
        };
        let owner = match kind {
            SignalKind::ToneBurst => "a tone_burst signal",
            SignalKind::Sine => "a sine signal",
            SignalKind::Samples => "a samples signal",
            SignalKind::File => "a file signal",
        };
        loc.check_keys(owner, &kind_span, &present, &required, &optional)?;
        if let Some(dt) = &sig.dt_s {
            let given = positive(loc, dt)?;
            if (given - clock.dt).abs() > 1e-6 * clock.dt {
                return Err(loc.at(
                    &dt.span(),
                    format!(
                        "the samples are for a time step of {given:e} s but the simulation's is \
                         {:e} s; signals are not resampled, so set [time] dt_s = {given:e} or \
                         resample them",
                        clock.dt
                    ),
                ));
            }
        }
        let amp = || finite(loc, amplitude.as_ref().expect("checked by check_keys"));
        let mut shared: Vec<f64> = match kind {
            SignalKind::ToneBurst => {
                let f = self.frequency(sig.frequency_hz.as_ref().expect("required"), clock)?;
                let cycles_key = sig.cycles.as_ref().expect("required");
                let cycles = positive(loc, cycles_key)?;
                let a = amp()?;
                let envelope = match sig.envelope.as_ref().map(|e| *e.get_ref()) {
                    None | Some(EnvelopeName::Gaussian) => Envelope::Gaussian,
                    Some(EnvelopeName::Rectangular) => Envelope::Rectangular,
                };
                let burst = signals::tone_burst(clock.dt, f, cycles, envelope);
                if burst.len() < 3 {
                    return Err(loc.at(
                        &cycles_key.span(),
                        format!(
                            "the burst lasts {} samples of the time step {:e} s; it needs at \
                             least 3",
                            burst.len(),
                            clock.dt
                        ),
                    ));
                }
                let delay = match &sig.delay_s {
                    Some(d) => {
                        let delay = non_negative(loc, d)?;
                        let steps = (delay / clock.dt).round() as usize;
                        if steps >= clock.steps {
                            return Err(loc.at(
                                &d.span(),
                                format!(
                                    "the delay ({delay:e} s) reaches past the end of the \
                                     simulation ({} steps of {:e} s)",
                                    clock.steps, clock.dt
                                ),
                            ));
                        }
                        steps
                    }
                    None => 0,
                };
                std::iter::repeat_n(0.0, delay)
                    .chain(burst.into_iter().map(|s| a * s))
                    .collect()
            }
            SignalKind::Sine => {
                let f = self.frequency(sig.frequency_hz.as_ref().expect("required"), clock)?;
                let a = amp()?;
                let phase = match &sig.phase_rad {
                    Some(p) => finite(loc, p)?,
                    None => 0.0,
                };
                let ramp = match &sig.ramp_cycles {
                    Some(r) => non_negative(loc, r)?,
                    None => 0.0,
                };
                signals::sine(clock.dt, f, a, phase, ramp, clock.steps)
            }
            SignalKind::Samples => {
                let list = samples.as_ref().expect("required");
                if list.get_ref().is_empty() {
                    return Err(loc.at(&list.span(), "the list is empty"));
                }
                if let Some(v) = list.get_ref().iter().find(|v| !v.is_finite()) {
                    return Err(loc.at(&list.span(), format!("must be finite (got {v})")));
                }
                list.get_ref().clone()
            }
            SignalKind::File => {
                let path = sig.path.as_ref().expect("required");
                let dataset = sig.dataset.as_ref().expect("required");
                let file = self.base_dir.join(path.get_ref());
                let array = arrays::read_hdf5(&file, dataset.get_ref())
                    .map_err(|m| loc.at(&path.span(), m))?;
                if let Some(v) = array.values.iter().find(|v| !v.is_finite()) {
                    return Err(loc.at(&path.span(), format!("holds a non-finite value ({v})")));
                }
                match array.shape.as_slice() {
                    [_] | [1, _] => array.values,
                    [p, length] if *p == n_points => {
                        // (points, samples), first axis fastest: sample n of point k at
                        // n * points + k, the solver's layout.
                        let keep = (*length).min(clock.steps);
                        let mut values = array.values;
                        values.truncate(keep * n_points);
                        let signals = values.iter().map(|&v| v as f32).collect();
                        return Ok((signals, true, keep));
                    }
                    shape => {
                        return Err(loc.at(
                            &dataset.span(),
                            format!(
                                "has shape {}; a signal dataset is (samples,) for one signal \
                                 or (points, samples) with one row per source point ({} \
                                 points, in the order of the source's points)",
                                arrays::shape_text(shape),
                                n_points
                            ),
                        ))
                    }
                }
            }
        };
        shared.truncate(clock.steps);
        let length = shared.len();
        Ok((
            shared.into_iter().map(|v| v as f32).collect(),
            false,
            length,
        ))
    }

    fn sensor(
        &self,
        grid: &Grid,
        clock: &Clock,
        table: &SensorTable,
    ) -> Result<Sensor, SceneError> {
        let loc = self.loc;
        let anchor = span_of(table.record.as_ref())
            .or(span_of(table.record_start_step.as_ref()))
            .or(table.cw.as_ref().map(|c| c.frequency_hz.span()))
            .or(loc.table_span(&["sensor"]))
            .unwrap_or(0..0);
        let at = PointKeys {
            mask: table.mask.as_ref(),
            points_m: table.points_m.as_ref(),
            points: table.points.as_ref(),
        };
        let points = self.points(grid, &at, &anchor, "sensor", false)?;

        let mut record = Record::default();
        let mut seen = HashSet::new();
        let mut cw_entry = None;
        match &table.record {
            None => record.p = true,
            Some(list) => {
                if list.get_ref().is_empty() {
                    return Err(loc.at(&list.span(), "the list is empty; record at least \"p\""));
                }
                for entry in list.get_ref() {
                    let name = *entry.get_ref();
                    if !seen.insert(name) {
                        return Err(loc.at(&entry.span(), "listed twice"));
                    }
                    match name {
                        RecordName::P => record.p = true,
                        RecordName::PMax => record.p_max = true,
                        RecordName::PMin => record.p_min = true,
                        RecordName::PRms => record.p_rms = true,
                        RecordName::PFinal => record.p_final = true,
                        RecordName::U => record.u = true,
                        RecordName::UMax => record.u_max = true,
                        RecordName::UMin => record.u_min = true,
                        RecordName::URms => record.u_rms = true,
                        RecordName::UFinal => record.u_final = true,
                        RecordName::UNonStaggered => record.u_non_staggered = true,
                        RecordName::PMaxAll => record.p_max_all = true,
                        RecordName::PMinAll => record.p_min_all = true,
                        RecordName::UMaxAll => record.u_max_all = true,
                        RecordName::UMinAll => record.u_min_all = true,
                        RecordName::Cw => cw_entry = Some(entry.span()),
                    }
                }
            }
        }
        let start = match &table.record_start_step {
            Some(s) => {
                if *s.get_ref() >= clock.steps {
                    return Err(loc.at(
                        &s.span(),
                        format!(
                            "the simulation has {} steps (0 to {}); recording cannot start at \
                             step {}",
                            clock.steps,
                            clock.steps - 1,
                            s.get_ref()
                        ),
                    ));
                }
                *s.get_ref()
            }
            None => 0,
        };
        match (&table.cw, cw_entry) {
            (Some(cw), Some(_)) => {
                let f = self.frequency(&cw.frequency_hz, clock)?;
                let periods = positive(loc, &cw.periods)?;
                let recorded = (clock.steps - start) as f64 * clock.dt;
                let needed = periods / f;
                if recorded < needed * (1.0 - 1e-9) {
                    return Err(loc.at(
                        &cw.periods.span(),
                        format!(
                            "{periods} periods at {f:e} Hz need {needed:e} s of recording, but \
                             the run records {recorded:e} s ({} steps of {:e} s from step \
                             {start}); lengthen [time] end_time_s or steps, or lower periods",
                            clock.steps - start,
                            clock.dt
                        ),
                    ));
                }
                record.cw = Some(ContinuousWave {
                    frequency_hz: f,
                    periods,
                });
            }
            (None, Some(at)) => {
                return Err(loc.named(
                    &at,
                    "sensor.cw",
                    "required when \"cw\" is recorded: add cw = { frequency_hz = ..., periods \
                     = ... } to [sensor] (the drive frequency, and how many of the last \
                     periods the amplitude and phase are measured over)",
                ))
            }
            (Some(cw), None) => {
                return Err(loc.named(
                    &cw.frequency_hz.span(),
                    "sensor.cw",
                    "given, but \"cw\" is not in sensor.record; add it there or remove cw",
                ))
            }
            (None, None) => {}
        }
        Ok(Sensor {
            points,
            record,
            record_start_step: start,
        })
    }
}
