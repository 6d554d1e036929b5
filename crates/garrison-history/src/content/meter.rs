//! A step counter for the scanner's own tests: "every scan is linear in its input" is checked
//! by counting the bytes the scanner's loops and searches touch, not by timing. Outside the
//! crate's tests [`step`] is an empty inline function, so the scan pays nothing for it.

#[cfg(test)]
thread_local! {
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts `n` steps of work (bytes examined) on this thread.
#[inline(always)]
pub(super) fn step(n: usize) {
    #[cfg(test)]
    STEPS.with(|s| s.set(s.get().saturating_add(n as u64)));
    #[cfg(not(test))]
    let _ = n;
}

/// Runs `f` and returns the steps it counted on this thread.
#[cfg(test)]
pub(super) fn count(f: impl FnOnce()) -> u64 {
    let before = STEPS.with(std::cell::Cell::get);
    f();
    STEPS.with(std::cell::Cell::get) - before
}
