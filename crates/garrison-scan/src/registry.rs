//! The one registry of every rule Garrison knows, composed from each analysis crate's list, and
//! configuration loading checked against it.

use std::path::Path;
use std::sync::OnceLock;

use garrison_report::Registry;
use garrison_report::config::{self, Config};

use crate::ScanError;

/// Every rule of every analysis (workflow, posture, dependency, history and release rules).
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        Registry::new([
            garrison_actions::rules(),
            garrison_posture::rules(),
            garrison_advisories::audit::rules(),
            garrison_history::registry::rules(),
            garrison_release::registry::rules(),
        ])
    })
}

/// The configuration for `root`: `explicit` (`--config`) when given, nothing when `isolated`
/// (or when `root` is not a directory), else the discovered `garrison.toml` /
/// `[tool.garrison]`. Every rule it names must exist.
pub fn load_config(
    root: &Path,
    explicit: Option<&Path>,
    isolated: bool,
) -> Result<Config, ScanError> {
    let (cfg, source) = match explicit {
        Some(p) => (Config::load(p)?, Some(p.to_path_buf())),
        None if isolated || !root.is_dir() => (Config::default(), None),
        None => Config::discover(root)?,
    };
    cfg.check_rules(registry(), source.as_deref())?;
    Ok(cfg)
}

/// Checks rule selectors given outside a configuration file: `select` and `ignore` as the
/// command line's `--select` and `--ignore`.
pub fn check_selectors(select: &[String], ignore: &[String]) -> Result<(), ScanError> {
    config::check_selectors(registry(), "--select", select)?;
    config::check_selectors(registry(), "--ignore", ignore)?;
    Ok(())
}
