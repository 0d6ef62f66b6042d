//! Shapes on the grid: which grid points a region, a source mask or a sensor mask covers.
//!
//! Positions follow k-Wave's kgrid convention: on an axis of N points with spacing d, index i
//! sits at (i - floor(N/2)) d, so index N/2 is the origin. Solid shapes hold the grid points
//! inside them, boundaries included (to within 1e-6 of a spacing). Curves and surfaces (line,
//! arc, bowl) hold the grid point nearest to each point of the curve or surface, sampled every
//! quarter spacing.

use std::ops::Range;

use ferrowave_solvers::acoustic::Grid;
use toml::Spanned;

use crate::error::{Locator, SceneError};
use crate::scene::{ShapeFields, ShapeKind};

/// A shape in metres, on the used axes of a grid (unused axes are 0).
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// Points within `radius` of `centre` (a sphere in 3D, a disc in 2D).
    Ball { centre: [f64; 3], radius: f64 },
    /// 3D: a flat disc in the grid plane across `axis` nearest to `centre`.
    FlatDisc {
        centre: [f64; 3],
        radius: f64,
        axis: usize,
    },
    /// min <= x <= max on every axis.
    Box { min: [f64; 3], max: [f64; 3] },
    /// 3D cylinder along `axis`, `length` long, centred on `centre`.
    Cylinder {
        centre: [f64; 3],
        radius: f64,
        axis: usize,
        length: f64,
    },
    /// (x - point) . normal >= 0.
    HalfSpace { point: [f64; 3], normal: [f64; 3] },
    /// from <= x[axis] <= to.
    Layer { axis: usize, from: f64, to: f64 },
    /// The segment from `start` to `end`.
    Line { start: [f64; 3], end: [f64; 3] },
    /// A circular arc (2D) or spherical cap (3D) of radius of curvature `radius` and
    /// aperture `diameter`, passing through `position` and facing `focus` (k-Wave's makeArc
    /// and makeBowl).
    Cap {
        position: [f64; 3],
        radius: f64,
        diameter: f64,
        focus: [f64; 3],
    },
}

/// Coordinate of index `i` on `axis` (k-Wave's kgrid convention).
pub fn coordinate(grid: &Grid, axis: usize, i: usize) -> f64 {
    (i as f64 - (grid.shape[axis] / 2) as f64) * grid.spacing_m[axis]
}

/// The smallest spacing over the used axes.
pub fn min_spacing(grid: &Grid) -> f64 {
    grid.spacing_m[..grid.ndim]
        .iter()
        .fold(f64::INFINITY, |a, &b| a.min(b))
}

/// The nearest grid index to a position on one axis, if it is on the grid.
pub fn nearest_on_axis(grid: &Grid, axis: usize, x: f64) -> Option<usize> {
    let i = (x / grid.spacing_m[axis]).round() + (grid.shape[axis] / 2) as f64;
    (i >= 0.0 && i < grid.shape[axis] as f64).then_some(i as usize)
}

/// The nearest grid point to a position, if it is on the grid.
pub fn nearest_index(grid: &Grid, position: &[f64; 3]) -> Option<[usize; 3]> {
    let mut index = [0usize; 3];
    for a in 0..grid.ndim {
        index[a] = nearest_on_axis(grid, a, position[a])?;
    }
    Some(index)
}

fn dot(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn sub(a: &[f64; 3], b: &[f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn norm(a: &[f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

fn scale(a: &[f64; 3], s: f64) -> [f64; 3] {
    [a[0] * s, a[1] * s, a[2] * s]
}

fn add(a: &[f64; 3], b: &[f64; 3]) -> [f64; 3] {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

/// A unit vector perpendicular to the unit vector `u`.
fn perpendicular(u: &[f64; 3]) -> [f64; 3] {
    let helper = if u[0].abs() < 0.9 {
        [1.0, 0.0, 0.0]
    } else {
        [0.0, 1.0, 0.0]
    };
    let p = sub(&helper, &scale(u, dot(&helper, u)));
    scale(&p, 1.0 / norm(&p))
}

fn cross(a: &[f64; 3], b: &[f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

impl Shape {
    /// The linear indices (x fastest) of the grid points the shape covers, ascending.
    pub fn points(&self, grid: &Grid) -> Vec<usize> {
        match self {
            Shape::Line { start, end } => {
                let ds = 0.25 * min_spacing(grid);
                let n = (norm(&sub(end, start)) / ds).ceil() as usize + 1;
                let samples = (0..=n).map(|k| {
                    let t = k as f64 / n as f64;
                    add(start, &scale(&sub(end, start), t))
                });
                snap_all(grid, samples)
            }
            Shape::Cap {
                position,
                radius,
                diameter,
                focus,
            } => snap_all(grid, cap_samples(grid, position, *radius, *diameter, focus)),
            _ => {
                let mut points = Vec::new();
                let ranges = self.index_ranges(grid);
                let tol = 1e-6 * min_spacing(grid);
                for z in ranges[2].clone() {
                    for y in ranges[1].clone() {
                        for x in ranges[0].clone() {
                            let pos = [
                                coordinate(grid, 0, x),
                                coordinate(grid, 1, y),
                                coordinate(grid, 2, z),
                            ];
                            if self.contains(grid, &pos, tol) {
                                points.push(grid.index(x, y, z));
                            }
                        }
                    }
                }
                points
            }
        }
    }

    /// Index ranges per axis that bound a solid shape.
    fn index_ranges(&self, grid: &Grid) -> [Range<usize>; 3] {
        let full = [0..grid.shape[0], 0..grid.shape[1], 0..grid.shape[2]];
        let bounded = |lo: [f64; 3], hi: [f64; 3]| {
            let mut r = full.clone();
            for a in 0..grid.ndim {
                let d = grid.spacing_m[a];
                let half = (grid.shape[a] / 2) as f64;
                let first = ((lo[a] / d).floor() - 1.0 + half).max(0.0);
                let last = ((hi[a] / d).ceil() + 2.0 + half).min(grid.shape[a] as f64);
                r[a] = if first >= last {
                    0..0
                } else {
                    first as usize..last as usize
                };
            }
            r
        };
        match self {
            Shape::Ball { centre, radius }
            | Shape::FlatDisc { centre, radius, .. }
            | Shape::Cylinder {
                centre,
                radius,
                length: _,
                axis: _,
            } => {
                let extent = match self {
                    Shape::Cylinder { length, .. } => radius.max(0.5 * length),
                    _ => *radius,
                };
                bounded(sub(centre, &[extent; 3]), add(centre, &[extent; 3]))
            }
            Shape::Box { min, max } => bounded(*min, *max),
            _ => full,
        }
    }

    /// Whether a solid shape holds a position (tolerance `tol`, metres).
    fn contains(&self, grid: &Grid, pos: &[f64; 3], tol: f64) -> bool {
        match self {
            Shape::Ball { centre, radius } => norm(&sub(pos, centre)) <= radius + tol,
            Shape::FlatDisc {
                centre,
                radius,
                axis,
            } => {
                let plane =
                    nearest_on_axis(grid, *axis, centre[*axis]).map(|i| coordinate(grid, *axis, i));
                let mut r = sub(pos, centre);
                r[*axis] = 0.0;
                plane.is_some_and(|p| (pos[*axis] - p).abs() <= tol) && norm(&r) <= radius + tol
            }
            Shape::Box { min, max } => {
                (0..3).all(|a| pos[a] >= min[a] - tol && pos[a] <= max[a] + tol)
            }
            Shape::Cylinder {
                centre,
                radius,
                axis,
                length,
            } => {
                let mut r = sub(pos, centre);
                let along = r[*axis];
                r[*axis] = 0.0;
                along.abs() <= 0.5 * length + tol && norm(&r) <= radius + tol
            }
            Shape::HalfSpace { point, normal } => {
                dot(&sub(pos, point), normal) / norm(normal) >= -tol
            }
            Shape::Layer { axis, from, to } => pos[*axis] >= from - tol && pos[*axis] <= to + tol,
            Shape::Line { .. } | Shape::Cap { .. } => false,
        }
    }
}

/// Points of a circular arc (2D) or spherical cap (3D), every quarter spacing or closer.
fn cap_samples(
    grid: &Grid,
    position: &[f64; 3],
    radius: f64,
    diameter: f64,
    focus: &[f64; 3],
) -> Vec<[f64; 3]> {
    let ds = 0.25 * min_spacing(grid);
    let to_focus = sub(focus, position);
    let u = scale(&to_focus, 1.0 / norm(&to_focus));
    let centre = add(position, &scale(&u, radius));
    let half_angle = (0.5 * diameter / radius).clamp(-1.0, 1.0).asin();
    let n_polar = (half_angle * radius / ds).ceil().max(1.0) as usize;
    let mut samples = Vec::new();
    if grid.ndim == 2 {
        let v = [-u[1], u[0], 0.0];
        for k in 0..=2 * n_polar {
            let phi = -half_angle + half_angle * k as f64 / n_polar as f64;
            let dir = add(&scale(&u, phi.cos()), &scale(&v, phi.sin()));
            samples.push(sub(&centre, &scale(&dir, radius)));
        }
    } else {
        let v = perpendicular(&u);
        let w = cross(&u, &v);
        for k in 0..=n_polar {
            let psi = half_angle * k as f64 / n_polar as f64;
            let ring = radius * psi.sin();
            let n_azimuth = (2.0 * std::f64::consts::PI * ring / ds).ceil().max(1.0) as usize;
            for m in 0..n_azimuth {
                let phi = 2.0 * std::f64::consts::PI * m as f64 / n_azimuth as f64;
                let across = add(&scale(&v, phi.cos()), &scale(&w, phi.sin()));
                let dir = add(&scale(&u, psi.cos()), &scale(&across, psi.sin()));
                samples.push(sub(&centre, &scale(&dir, radius)));
            }
        }
    }
    samples
}

/// The nearest grid points to the samples that are on the grid, ascending, without repeats.
fn snap_all(grid: &Grid, samples: impl IntoIterator<Item = [f64; 3]>) -> Vec<usize> {
    let mut points: Vec<usize> = samples
        .into_iter()
        .filter_map(|p| nearest_index(grid, &p))
        .map(|[x, y, z]| grid.index(x, y, z))
        .collect();
    points.sort_unstable();
    points.dedup();
    points
}

// ---------------------------------------------------------------------------------------
// From scene keys to shapes.

const AXES: [&str; 3] = ["x", "y", "z"];

/// A position (or vector) with one entry per used axis, checked and padded to 3 entries.
pub(crate) fn vector(
    loc: &Locator,
    grid: &Grid,
    value: &Spanned<Vec<f64>>,
) -> Result<[f64; 3], SceneError> {
    let v = value.get_ref();
    if v.len() != grid.ndim {
        return Err(loc.at(
            &value.span(),
            format!(
                "needs {} values ({}) for a {}D grid (got {})",
                grid.ndim,
                AXES[..grid.ndim].join(", "),
                grid.ndim,
                v.len()
            ),
        ));
    }
    if let Some(bad) = v.iter().find(|x| !x.is_finite()) {
        return Err(loc.at(&value.span(), format!("must be finite (got {bad})")));
    }
    let mut out = [0.0; 3];
    out[..v.len()].copy_from_slice(v);
    Ok(out)
}

/// A position that must lie on the grid (to within half a spacing): its nearest grid point.
pub(crate) fn grid_point(
    loc: &Locator,
    grid: &Grid,
    value: &Spanned<Vec<f64>>,
) -> Result<usize, SceneError> {
    let pos = vector(loc, grid, value)?;
    match nearest_index(grid, &pos) {
        Some([x, y, z]) => Ok(grid.index(x, y, z)),
        None => Err(loc.at(
            &value.span(),
            format!(
                "position {:?} m is outside the grid, which spans {}",
                value.get_ref(),
                extent_text(grid)
            ),
        )),
    }
}

/// "x from -6.4e-3 to 6.3e-3 m, y from ... m"
pub(crate) fn extent_text(grid: &Grid) -> String {
    (0..grid.ndim)
        .map(|a| {
            format!(
                "{} from {:e} to {:e} m",
                AXES[a],
                coordinate(grid, a, 0),
                coordinate(grid, a, grid.shape[a] - 1)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The value, if finite and above zero; else an error at its span.
pub(crate) fn positive(loc: &Locator, value: &Spanned<f64>) -> Result<f64, SceneError> {
    let v = *value.get_ref();
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(loc.at(&value.span(), format!("must be positive (got {v})")))
    }
}

/// The value, if finite; else an error at its span.
pub(crate) fn finite(loc: &Locator, value: &Spanned<f64>) -> Result<f64, SceneError> {
    let v = *value.get_ref();
    if v.is_finite() {
        Ok(v)
    } else {
        Err(loc.at(&value.span(), format!("must be finite (got {v})")))
    }
}

/// The shape described by the shape keys of a table. `span` locates the table (used when
/// the `shape` key itself is missing), `what` names the table in messages.
pub(crate) fn shape_from_fields(
    loc: &Locator,
    grid: &Grid,
    fields: &ShapeFields,
    span: &Range<usize>,
) -> Result<Shape, SceneError> {
    let Some(kind) = fields.shape else {
        return Err(loc.sibling(
            span,
            "shape",
            "required but missing: one of sphere, disc, box, cylinder, half_space, layer, \
             line, arc, bowl",
        ));
    };
    let kind_span = kind.span();
    let kind = *kind.get_ref();
    let name = kind.name();
    let ndim = grid.ndim;

    // Which keys each shape takes.
    let takes: &[&str] = match kind {
        ShapeKind::Sphere => &["centre_m", "radius_m"],
        ShapeKind::Disc if ndim == 3 => &["centre_m", "radius_m", "axis"],
        ShapeKind::Disc => &["centre_m", "radius_m"],
        ShapeKind::Box => &["min_m", "max_m"],
        ShapeKind::Cylinder => &["centre_m", "radius_m", "axis", "length_m"],
        ShapeKind::HalfSpace => &["point_m", "normal"],
        ShapeKind::Layer => &["axis", "from_m", "to_m"],
        ShapeKind::Line => &["start_m", "end_m"],
        ShapeKind::Arc | ShapeKind::Bowl => &["position_m", "radius_m", "diameter_m", "focus_m"],
    };
    let owner = if ndim == 3 && kind == ShapeKind::Disc {
        "shape \"disc\" in 3D".to_string()
    } else {
        format!("shape \"{name}\"")
    };
    loc.check_keys(&owner, &kind_span, &fields.geometry_keys(), takes, &[])?;
    let need_dims = |allowed: &[usize], hint: &str| -> Result<(), SceneError> {
        if allowed.contains(&ndim) {
            Ok(())
        } else {
            Err(loc.at(
                &kind_span,
                format!("shape \"{name}\" is not available on a {ndim}D grid{hint}"),
            ))
        }
    };
    let axis = |ndim: usize| -> Result<usize, SceneError> {
        let a = fields.axis.expect("checked above");
        let i = a.get_ref().index();
        if i < ndim {
            Ok(i)
        } else {
            Err(loc.at(
                &a.span(),
                format!("axis {} does not exist on a {ndim}D grid", AXES[i]),
            ))
        }
    };
    // Unwraps of keys listed in `takes` cannot fail: their presence was checked above.
    let vec_of = |v: Option<&Spanned<Vec<f64>>>| vector(loc, grid, v.expect("checked above"));
    let pos_of = |v: Option<&Spanned<f64>>| positive(loc, v.expect("checked above"));
    let shape = match kind {
        ShapeKind::Sphere => {
            need_dims(&[3], "; use \"disc\" in 2D")?;
            Shape::Ball {
                centre: vec_of(fields.centre_m)?,
                radius: pos_of(fields.radius_m)?,
            }
        }
        ShapeKind::Disc => {
            need_dims(&[2, 3], "; use \"box\" or \"layer\" in 1D")?;
            let centre = vec_of(fields.centre_m)?;
            let radius = pos_of(fields.radius_m)?;
            if ndim == 3 {
                let axis = axis(3)?;
                if nearest_on_axis(grid, axis, centre[axis]).is_none() {
                    return Err(loc.at(
                        &fields.centre_m.expect("checked above").span(),
                        format!(
                            "the disc's plane ({} = {} m) is outside the grid, which spans {}",
                            AXES[axis],
                            centre[axis],
                            extent_text(grid)
                        ),
                    ));
                }
                Shape::FlatDisc {
                    centre,
                    radius,
                    axis,
                }
            } else {
                Shape::Ball { centre, radius }
            }
        }
        ShapeKind::Box => {
            let min = vec_of(fields.min_m)?;
            let max = vec_of(fields.max_m)?;
            if let Some(a) = (0..ndim).find(|&a| min[a] > max[a]) {
                return Err(loc.at(
                    &fields.max_m.expect("checked above").span(),
                    format!(
                        "max_m must not be below min_m (on {}: {} < {})",
                        AXES[a], max[a], min[a]
                    ),
                ));
            }
            Shape::Box { min, max }
        }
        ShapeKind::Cylinder => {
            need_dims(&[3], "; use \"box\" in 2D")?;
            Shape::Cylinder {
                centre: vec_of(fields.centre_m)?,
                radius: pos_of(fields.radius_m)?,
                axis: axis(3)?,
                length: pos_of(fields.length_m)?,
            }
        }
        ShapeKind::HalfSpace => {
            let point = vec_of(fields.point_m)?;
            let normal = vec_of(fields.normal)?;
            if norm(&normal) == 0.0 {
                return Err(loc.at(
                    &fields.normal.expect("checked above").span(),
                    "must not be the zero vector",
                ));
            }
            Shape::HalfSpace { point, normal }
        }
        ShapeKind::Layer => {
            let axis = axis(ndim)?;
            let from = finite(loc, fields.from_m.expect("checked above"))?;
            let to_span = fields.to_m.expect("checked above");
            let to = finite(loc, to_span)?;
            if to < from {
                return Err(loc.at(
                    &to_span.span(),
                    format!("to_m must not be below from_m ({to} < {from})"),
                ));
            }
            Shape::Layer { axis, from, to }
        }
        ShapeKind::Line => Shape::Line {
            start: vec_of(fields.start_m)?,
            end: vec_of(fields.end_m)?,
        },
        ShapeKind::Arc | ShapeKind::Bowl => {
            if kind == ShapeKind::Arc {
                need_dims(&[2], "; use \"bowl\" in 3D")?;
            } else {
                need_dims(&[3], "; use \"arc\" in 2D")?;
            }
            let position = vec_of(fields.position_m)?;
            let focus = vec_of(fields.focus_m)?;
            let radius = pos_of(fields.radius_m)?;
            let diameter = pos_of(fields.diameter_m)?;
            if diameter > 2.0 * radius {
                return Err(loc.at(
                    &fields.diameter_m.expect("checked above").span(),
                    format!(
                        "the aperture ({diameter} m) cannot exceed twice the radius of \
                         curvature ({} m)",
                        2.0 * radius
                    ),
                ));
            }
            if norm(&sub(&focus, &position)) == 0.0 {
                return Err(loc.at(
                    &fields.focus_m.expect("checked above").span(),
                    "must differ from position_m (it sets the direction the shape faces)",
                ));
            }
            Shape::Cap {
                position,
                radius,
                diameter,
                focus,
            }
        }
    };
    Ok(shape)
}

/// The grid points of a shape, refusing shapes that cover none.
pub(crate) fn shape_points(
    loc: &Locator,
    grid: &Grid,
    fields: &ShapeFields,
    span: &Range<usize>,
) -> Result<Vec<usize>, SceneError> {
    let shape = shape_from_fields(loc, grid, fields, span)?;
    let points = shape.points(grid);
    if points.is_empty() {
        let at = fields.shape.map(|s| s.span()).unwrap_or(span.clone());
        return Err(loc.at(
            &at,
            format!(
                "this {} covers no grid point (the grid spans {})",
                fields.shape.map_or("shape", |s| s.get_ref().name()),
                extent_text(grid)
            ),
        ));
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid2() -> Grid {
        Grid::new(&[16, 12], &[1.0, 1.0]).unwrap()
    }

    #[test]
    fn coordinates_follow_kgrid() {
        let g = grid2();
        assert_eq!(coordinate(&g, 0, 8), 0.0);
        assert_eq!(coordinate(&g, 0, 0), -8.0);
        assert_eq!(coordinate(&g, 1, 11), 5.0);
        assert_eq!(nearest_index(&g, &[0.4, -6.0, 0.0]), Some([8, 0, 0]));
        assert_eq!(nearest_index(&g, &[0.0, -6.6, 0.0]), None);
        assert_eq!(nearest_index(&g, &[7.4, 0.0, 0.0]), Some([15, 6, 0]));
    }

    #[test]
    fn disc_line_arc() {
        let g = grid2();
        let disc = Shape::Ball {
            centre: [0.0; 3],
            radius: 1.0,
        };
        // Centre plus 4 neighbours.
        assert_eq!(disc.points(&g).len(), 5);
        let line = Shape::Line {
            start: [-3.0, -2.0, 0.0],
            end: [3.0, -2.0, 0.0],
        };
        let pts = line.points(&g);
        assert_eq!(pts.len(), 7);
        assert!(pts.iter().all(|&p| g.coords(p)[1] == 4));
        // A quarter-circle-ish arc through the origin facing +x.
        let arc = Shape::Cap {
            position: [0.0; 3],
            radius: 5.0,
            diameter: 6.0,
            focus: [5.0, 0.0, 0.0],
        };
        let pts = arc.points(&g);
        assert!(pts.contains(&g.index(8, 6, 0)));
        for &p in &pts {
            let [x, y, _] = g.coords(p);
            let (px, py) = (coordinate(&g, 0, x), coordinate(&g, 1, y));
            let r = ((px - 5.0).powi(2) + py.powi(2)).sqrt();
            assert!((r - 5.0).abs() <= 0.75, "{px},{py} at {r}");
            assert!(py.abs() <= 3.5);
        }
    }
}
