//! Giving freed memory back to the system between polls.

/// Return the free pages of every malloc arena to the system. glibc keeps what a thread frees
/// in that thread's arena, and a large account's polls (10,000 keys assembled into a snapshot
/// on the engine's threads, dropped by the screen's thread a poll later) left resident memory
/// growing: 38 MB after 5 minutes and 45 MB after 12 on the 10,000-key account (BENCHMARKS.md).
/// `malloc_trim` hands back every whole free page, not only the top of the heap (glibc 2.8 on).
/// Elsewhere the allocator is left to itself.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory the allocator holds free; it takes the arenas'
    // own locks and may be called from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
