//! Preconditions of tests that need an input from outside the repository (the shared data, a
//! program such as `git` or a Python with packaging tools): missing locally, the test is
//! skipped with a message on standard error; missing under CI (`CI` set and not empty), the
//! test fails, so a suite can never pass by skipping what it was meant to check.

/// Whether the tests run under CI: `CI` is set and not empty.
pub fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// `value` when the precondition holds. `None` skips the test (the caller returns) with a
/// message naming `what` is missing, except under CI, where it panics.
///
/// ```
/// # fn db() -> Option<u32> { Some(1) }
/// let Some(db) = garrison_test::require::require(db(), "the shared advisory database") else {
///     return;
/// };
/// # let _ = db;
/// ```
#[track_caller]
pub fn require<T>(value: Option<T>, what: &str) -> Option<T> {
    if value.is_none() {
        assert!(
            !under_ci(),
            "{what} is missing, and a test under CI must not skip: provide it (see .ci/run)"
        );
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped: {what} is missing (under CI this fails)");
        }
    }
    value
}

/// `require(cond.then_some(()), what).is_some()`: whether to go on.
#[track_caller]
pub fn require_that(cond: bool, what: &str) -> bool {
    require(cond.then_some(()), what).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn present_values_pass_through() {
        assert_eq!(require(Some(3), "three"), Some(3));
        assert!(require_that(true, "truth"));
    }
}
