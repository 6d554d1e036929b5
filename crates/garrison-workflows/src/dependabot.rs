//! `.github/dependabot.yml`.

use garrison_source::FileError;
use garrison_yaml::Node;

use crate::model::WorkflowFile;

/// One `updates:` entry.
#[derive(Debug, Clone)]
pub struct Update {
    /// Position in `updates`.
    pub index: usize,
    /// `package-ecosystem:`.
    pub ecosystem: Option<String>,
    /// `directory:` / `directories:` (first).
    pub directory: Option<String>,
    /// The entry.
    pub node: Node,
    /// `insecure-external-code-execution:`, if set.
    pub insecure_external_code_execution: Option<Node>,
}

/// A dependabot configuration.
#[derive(Debug, Clone)]
pub struct Dependabot {
    /// The parsed file.
    pub file: WorkflowFile,
    /// `updates:` entries.
    pub updates: Vec<Update>,
}

impl Dependabot {
    /// Parses a `dependabot.yml`.
    pub fn parse(path: &str, text: &str) -> Result<Dependabot, FileError> {
        let file = WorkflowFile::parse(path, text)?;
        let updates = file
            .root
            .get("updates")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(index, n)| Update {
                index,
                ecosystem: n
                    .get("package-ecosystem")
                    .and_then(Node::as_str)
                    .map(str::to_string),
                directory: n
                    .get("directory")
                    .and_then(Node::as_str)
                    .or_else(|| {
                        n.get("directories")
                            .and_then(Node::as_seq)
                            .and_then(|d| d.first())
                            .and_then(Node::as_str)
                    })
                    .map(str::to_string),
                insecure_external_code_execution: n
                    .get("insecure-external-code-execution")
                    .cloned(),
                node: n.clone(),
            })
            .collect();
        Ok(Dependabot { file, updates })
    }

    /// True if an update entry covers `ecosystem` (`github-actions`, `pip`, `uv`, …).
    pub fn covers(&self, ecosystem: &str) -> bool {
        self.updates
            .iter()
            .any(|u| u.ecosystem.as_deref() == Some(ecosystem))
    }
}
