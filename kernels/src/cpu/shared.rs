//! Disjoint mutable access to one array from several rayon workers.

/// A raw view of a slice that workers write through at indices no other worker touches
/// during the same pass (a z plane each, a block of spectral lines each, one sensor each).
#[derive(Clone, Copy)]
pub struct SharedMut<T> {
    ptr: *mut T,
    len: usize,
}

// SAFETY: users guarantee that concurrent accesses touch disjoint indices.
unsafe impl<T: Send> Send for SharedMut<T> {}
unsafe impl<T: Send> Sync for SharedMut<T> {}

impl<T> SharedMut<T> {
    pub fn new(data: &mut [T]) -> Self {
        Self {
            ptr: data.as_mut_ptr(),
            len: data.len(),
        }
    }

    pub fn as_ptr(&self) -> *const T {
        self.ptr
    }

    /// # Safety
    /// No other live reference may overlap `start..start + len`.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn slice(&self, start: usize, len: usize) -> &mut [T] {
        assert!(start + len <= self.len, "SharedMut slice out of bounds");
        std::slice::from_raw_parts_mut(self.ptr.add(start), len)
    }

    /// # Safety
    /// No other thread may access `index` concurrently.
    #[inline]
    pub unsafe fn write(&self, index: usize, value: T) {
        assert!(index < self.len, "SharedMut index out of bounds");
        *self.ptr.add(index) = value;
    }
}

/// Hints the cache to load `len` values from `start`: for runs of memory the hardware
/// prefetcher does not foresee (short rows far apart).
#[inline(always)]
pub fn prefetch<T>(start: *const T, len: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        let base = start as *const i8;
        let bytes = len * std::mem::size_of::<T>();
        for offset in (0..bytes).step_by(64) {
            // SAFETY: prefetching is a hint; it never faults, even outside an allocation.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    base.wrapping_add(offset),
                )
            };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (start, len);
}
