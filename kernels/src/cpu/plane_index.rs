//! Grid points grouped by z plane, so a plane pass finds its points without searching.

/// For each z plane, the (item, in-plane offset) pairs of the points that lie on it.
#[derive(Clone, Debug, Default)]
pub struct PlaneIndex {
    starts: Vec<usize>,
    entries: Vec<(usize, usize)>,
}

impl PlaneIndex {
    /// Groups linear indices `points` (item k at `points[k]`) by plane of `plane_len` points.
    pub fn new(points: &[usize], plane_len: usize, planes: usize) -> Self {
        let mut counts = vec![0usize; planes + 1];
        for &p in points {
            counts[p / plane_len + 1] += 1;
        }
        for z in 0..planes {
            counts[z + 1] += counts[z];
        }
        let mut fill = counts.clone();
        let mut entries = vec![(0, 0); points.len()];
        for (k, &p) in points.iter().enumerate() {
            let z = p / plane_len;
            entries[fill[z]] = (k, p % plane_len);
            fill[z] += 1;
        }
        Self {
            starts: counts,
            entries,
        }
    }

    #[inline]
    pub fn plane(&self, z: usize) -> &[(usize, usize)] {
        if self.entries.is_empty() {
            return &[];
        }
        &self.entries[self.starts[z]..self.starts[z + 1]]
    }

    pub fn bytes(&self) -> usize {
        self.starts.len() * 8 + self.entries.len() * 16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_points_by_plane_keeping_item_numbers() {
        let index = PlaneIndex::new(&[7, 1, 4, 5], 4, 2);
        assert_eq!(index.plane(0), &[(1, 1)]);
        assert_eq!(index.plane(1), &[(0, 3), (2, 0), (3, 1)]);
    }
}
