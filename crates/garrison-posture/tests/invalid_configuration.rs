//! The checks on a workspace whose configuration files do not load.

use std::path::Path;

use garrison_workspace::{Inputs, Workspace};

#[test]
fn invalid_configuration_does_not_stop_the_checks() {
    let ws = Workspace::from_files(
        Path::new("/nonexistent"),
        vec![
            (
                "pyproject.toml".to_string(),
                b"[build-system\nrequires = 1".to_vec(),
            ),
            (".pre-commit-config.yaml".to_string(), b"repos: [".to_vec()),
            (".github/workflows/ci.yml".to_string(), vec![0xff, 0xfe]),
        ],
        Inputs::All,
    );
    assert_eq!(ws.errors.len(), 3, "{:?}", ws.errors);
    let findings = garrison_posture::run(&ws, &|_| true);
    assert!(findings.iter().any(|f| f.rule == "info/not-evaluated"));
}
