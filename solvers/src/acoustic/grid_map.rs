//! The simulation grid: the user's grid, or the user's grid with the PML added around it.

use super::input::{Grid, Pml, Property};

#[derive(Clone, Debug)]
pub struct GridMap {
    pub user: Grid,
    /// Shape of the grid the solver steps (user grid plus any outside PML).
    pub shape: [usize; 3],
    /// Index of the user's (0, 0, 0) on the simulation grid.
    pub offset: [usize; 3],
}

impl GridMap {
    pub fn new(user: &Grid, pml: &Pml) -> Self {
        let mut shape = user.shape;
        let mut offset = [0; 3];
        if !pml.inside {
            let used = user.ndim;
            offset[..used].copy_from_slice(&pml.size[..used]);
            for (n, size) in shape.iter_mut().zip(&offset) {
                *n += 2 * size;
            }
        }
        Self {
            user: user.clone(),
            shape,
            offset,
        }
    }

    pub fn num_points(&self) -> usize {
        self.shape.iter().product()
    }

    /// Simulation-grid index of a user-grid index.
    pub fn to_simulation(&self, user_index: usize) -> usize {
        let [x, y, z] = self.user.coords(user_index);
        let [ox, oy, oz] = self.offset;
        (x + ox) + self.shape[0] * ((y + oy) + self.shape[1] * (z + oz))
    }

    /// Expands a user-grid array to the simulation grid, repeating edge values into the
    /// outside PML (as k-Wave's expandMatrix does for medium maps).
    pub fn expand_edges(&self, data: &[f32]) -> Vec<f32> {
        self.expand_with(data, None)
    }

    /// Expands a user-grid array, filling the outside PML with `fill`.
    pub fn expand_fill(&self, data: &[f32], fill: f32) -> Vec<f32> {
        self.expand_with(data, Some(fill))
    }

    fn expand_with(&self, data: &[f32], fill: Option<f32>) -> Vec<f32> {
        if self.offset == [0; 3] {
            return data.to_vec();
        }
        let [nx, ny, nz] = self.shape;
        let [ux, uy, uz] = self.user.shape;
        let mut out = vec![0.0f32; nx * ny * nz];
        for z in 0..nz {
            for y in 0..ny {
                for x in 0..nx {
                    let inside = |i: usize, o: usize, n: usize| i >= o && i < o + n;
                    let value = if inside(x, self.offset[0], ux)
                        && inside(y, self.offset[1], uy)
                        && inside(z, self.offset[2], uz)
                    {
                        None
                    } else {
                        fill
                    };
                    out[x + nx * (y + ny * z)] = value.unwrap_or_else(|| {
                        let clamp = |i: usize, o: usize, n: usize| i.saturating_sub(o).min(n - 1);
                        let (cx, cy, cz) = (
                            clamp(x, self.offset[0], ux),
                            clamp(y, self.offset[1], uy),
                            clamp(z, self.offset[2], uz),
                        );
                        data[cx + ux * (cy + uy * cz)]
                    });
                }
            }
        }
        out
    }

    /// Expands a property (uniform stays uniform).
    pub fn expand_property(&self, p: &Property) -> Property {
        match p {
            Property::Uniform(v) => Property::Uniform(*v),
            Property::Map(m) => Property::Map(self.expand_edges(m)),
        }
    }

    /// Crops a simulation-grid array to the user's grid.
    pub fn crop(&self, data: &[f32]) -> Vec<f32> {
        if self.offset == [0; 3] {
            return data.to_vec();
        }
        let [ux, uy, uz] = self.user.shape;
        let mut out = Vec::with_capacity(ux * uy * uz);
        for z in 0..uz {
            for y in 0..uy {
                let start = self.offset[0]
                    + self.shape[0] * ((y + self.offset[1]) + self.shape[1] * (z + self.offset[2]));
                out.extend_from_slice(&data[start..start + ux]);
            }
        }
        out
    }
}
