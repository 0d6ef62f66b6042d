//! Large field arrays on transparent huge pages: the line pass reads every z plane of a
//! buffer per block of lines, so with 4 KiB pages each block would walk hundreds of pages.

/// A zeroed vector of `len` values whose pages the kernel is asked to back with huge pages
/// (Linux `madvise(MADV_HUGEPAGE)`; elsewhere a plain vector). The advice is given before the
/// pages are first touched.
pub fn zeroed<T: Copy + Default>(len: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(len);
    advise(v.as_ptr(), len * std::mem::size_of::<T>());
    v.resize(len, T::default());
    v
}

#[cfg(target_os = "linux")]
fn advise<T>(ptr: *const T, bytes: usize) {
    const HUGE: usize = 2 << 20;
    if bytes < 2 * HUGE {
        return;
    }
    let start = ptr as usize;
    let aligned = start.next_multiple_of(HUGE);
    let end = (start + bytes) / HUGE * HUGE;
    if end > aligned {
        // SAFETY: the range lies inside the vector's allocation (its capacity); the advice changes no data.
        // A refusal (THP disabled) is harmless, so the result is ignored.
        unsafe {
            libc::madvise(
                aligned as *mut libc::c_void,
                end - aligned,
                libc::MADV_HUGEPAGE,
            );
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise<T>(_: *const T, _: usize) {}
