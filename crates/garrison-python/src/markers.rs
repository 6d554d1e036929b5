//! PEP 508 environment markers: may an entry apply in a narrowed environment?

use std::str::FromStr;

use uv_pep508::MarkerTree;

use crate::error::PythonError;

fn invalid(what: &'static str, input: &str, reason: impl std::fmt::Display) -> PythonError {
    PythonError::Marker {
        what,
        input: input.to_string(),
        reason: reason.to_string(),
    }
}

/// The `sys_platform` value for a user-facing platform name.
fn sys_platform(platform: &str) -> &str {
    match platform.to_ascii_lowercase().as_str() {
        "linux" => "linux",
        "macos" | "darwin" | "mac" | "osx" => "darwin",
        "windows" | "win" | "win32" => "win32",
        _ => platform,
    }
}

/// True if `marker` can be true when the Python version is `python` (`3.11`, or `3.11.4`)
/// and the platform is `platform` (`linux`, `darwin`/`macos`, `win32`/`windows`); unknown
/// parts of the environment (extras, implementation) are left open. Errors when the marker
/// or the arguments do not parse.
pub fn may_apply(
    marker: &str,
    python: Option<&str>,
    platform: Option<&str>,
) -> Result<bool, PythonError> {
    let tree = MarkerTree::from_str(marker).map_err(|e| invalid("marker", marker, e))?;
    let mut assumption = MarkerTree::TRUE;
    if let Some(py) = python {
        let parts: Vec<&str> = py.trim().split('.').collect();
        let text = if parts.len() >= 3 {
            format!("python_full_version == '{py}'")
        } else {
            format!("python_version == '{py}'")
        };
        let t = MarkerTree::from_str(&text).map_err(|e| invalid("Python version", py, e))?;
        assumption = assumption.and(t);
    }
    if let Some(p) = platform {
        let text = format!("sys_platform == '{}'", sys_platform(p));
        let t = MarkerTree::from_str(&text).map_err(|e| invalid("platform", p, e))?;
        assumption = assumption.and(t);
    }
    Ok(!tree.is_disjoint(assumption))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn narrowing() {
        let m = "python_version < '3.10' and sys_platform == 'win32'";
        assert!(may_apply(m, None, None).unwrap());
        assert!(may_apply(m, Some("3.9"), None).unwrap());
        assert!(!may_apply(m, Some("3.11"), None).unwrap());
        assert!(!may_apply(m, Some("3.9"), Some("linux")).unwrap());
        assert!(may_apply(m, Some("3.9"), Some("windows")).unwrap());
        assert!(may_apply("extra == 'test'", Some("3.12"), Some("linux")).unwrap());
        assert!(may_apply("python_full_version >= '3.11.2'", Some("3.11.4"), None).unwrap());
        assert!(may_apply("not a marker", None, None).is_err());
    }
}
