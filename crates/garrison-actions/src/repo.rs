//! The workflow-relevant files of a repository checkout.

use std::path::Path;

use garrison_report::{FileError, SourceMap};
use garrison_workflows::{Action, Dependabot, Workflow};

/// Largest workflow/action file read (GitHub's own limit is far lower).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Parsed workflows, actions and dependabot configuration of one repository.
#[derive(Debug, Default)]
pub struct Repo {
    /// `.github/workflows/*.yml|yaml`.
    pub workflows: Vec<Workflow>,
    /// `action.yml|yaml` files (root and any directory, e.g. `.github/actions/x/`).
    pub actions: Vec<Action>,
    /// `.github/dependabot.yml|yaml`.
    pub dependabot: Option<Dependabot>,
    /// Files that could not be parsed.
    pub errors: Vec<FileError>,
}

/// What kind of GitHub file a path is, by its location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A workflow.
    Workflow,
    /// An action definition.
    Action,
    /// Dependabot configuration.
    Dependabot,
}

/// Classifies a repository-relative path.
pub fn classify(rel: &str) -> Option<Kind> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    if !yaml {
        return None;
    }
    if rel.starts_with(".github/workflows/") && !rel[".github/workflows/".len()..].contains('/') {
        return Some(Kind::Workflow);
    }
    if name == "action.yml" || name == "action.yaml" {
        return Some(Kind::Action);
    }
    if rel == ".github/dependabot.yml" || rel == ".github/dependabot.yaml" {
        return Some(Kind::Dependabot);
    }
    None
}

impl Repo {
    /// Adds one file by its repository-relative path. Unknown kinds are ignored.
    pub fn add(&mut self, rel: &str, text: &str) {
        self.add_as(rel, text, classify(rel));
    }

    /// Adds one file as the given kind.
    pub fn add_as(&mut self, rel: &str, text: &str, kind: Option<Kind>) {
        match kind {
            Some(Kind::Workflow) => match Workflow::parse(rel, text) {
                Ok(w) => self.workflows.push(w),
                Err(e) => self.errors.push(e),
            },
            Some(Kind::Action) => match Action::parse(rel, text) {
                Ok(a) => self.actions.push(a),
                Err(e) => self.errors.push(e),
            },
            Some(Kind::Dependabot) => match Dependabot::parse(rel, text) {
                Ok(d) => self.dependabot = Some(d),
                Err(e) => self.errors.push(e),
            },
            None => {}
        }
    }

    /// Loads the GitHub files of the checkout at `root`, given the repository-relative paths
    /// of its files (from the caller's walk). Unreadable or oversized files become errors.
    pub fn load<'a>(root: &Path, files: impl IntoIterator<Item = &'a str>) -> Repo {
        let mut repo = Repo::default();
        for rel in files {
            let Some(kind) = classify(rel) else {
                continue;
            };
            let path = root.join(rel);
            match read_limited(&path) {
                Ok(text) => repo.add_as(rel, &text, Some(kind)),
                Err(message) => repo.errors.push(FileError {
                    path: rel.to_string(),
                    line: None,
                    column: None,
                    message,
                }),
            }
        }
        repo.workflows.sort_by(|a, b| a.path().cmp(b.path()));
        repo.actions.sort_by(|a, b| a.path().cmp(b.path()));
        repo
    }

    /// The texts of every parsed file, for rendering snippets.
    pub fn sources(&self) -> SourceMap {
        let mut m = SourceMap::default();
        for w in &self.workflows {
            m.insert(w.path(), w.file.source.clone());
        }
        for a in &self.actions {
            m.insert(a.path(), a.file.source.clone());
        }
        if let Some(d) = &self.dependabot {
            m.insert(d.file.path.clone(), d.file.source.clone());
        }
        m
    }

    /// Number of files parsed or attempted.
    pub fn file_count(&self) -> usize {
        self.workflows.len()
            + self.actions.len()
            + usize::from(self.dependabot.is_some())
            + self.errors.len()
    }

    /// The local composite action at `./path` (a directory holding `action.yml`).
    pub fn local_action(&self, path: &str) -> Option<&Action> {
        let dir = path.trim_start_matches("./").trim_end_matches('/');
        self.actions.iter().find(|a| {
            let p = a.path();
            p.strip_suffix("action.yml")
                .or_else(|| p.strip_suffix("action.yaml"))
                .is_some_and(|d| d.trim_end_matches('/') == dir)
        })
    }

    /// The local reusable workflow at `./.github/workflows/x.yml`.
    pub fn local_workflow(&self, path: &str) -> Option<&Workflow> {
        let p = path.trim_start_matches("./");
        self.workflows.iter().find(|w| w.path() == p)
    }
}

/// Reads a file as UTF-8 with the size limit; the error is a sentence for the user.
pub fn read_limited(path: &Path) -> Result<String, String> {
    garrison_source::read::read_text(path, MAX_FILE_BYTES).map_err(|e| e.to_string())
}
