use garrison_report::{Confidence, Finding, Location, RuleMeta, Severity, declare_rule};

use super::{PEP621, ReleaseRule};
use crate::metadata::{self, Project};
use crate::source::{CompareCx, SourceEvent, line_span};
use crate::wheel::Headers;

declare_rule! {
    /// ## What it checks
    /// The distribution's core metadata (`METADATA` in a wheel, `PKG-INFO` in an sdist)
    /// against `pyproject.toml`'s `[project]` table at the release tag: the name, the version
    /// (the declared one, or the tag's when the version is `dynamic`), `Requires-Python`, and
    /// every `Requires-Dist` (name, extra and specifiers; markers other than `extra` are not
    /// compared). A dependency the distribution requires but the project does not declare, or
    /// declares with other specifiers, is high; a declared dependency the metadata lacks, a
    /// version or `Requires-Python` difference is medium. Fields listed in `dynamic` are not
    /// compared.
    ///
    /// ## Why it matters
    /// Installers act on the metadata, not on `pyproject.toml`: a build that adds a
    /// dependency (a typo-squat, an attacker's package) or loosens a pin changes what every
    /// user installs, without a change anyone reviewed.
    ///
    /// ## Example
    /// `sci_pkg-1.2.0.dist-info/METADATA` has `Requires-Dist: evil-helper>=0.1`, which
    /// `pyproject.toml` does not declare.
    ///
    /// ## Remediation
    /// Rebuild from the tag and compare the metadata; find the build step that changed it.
    pub MetadataMismatch {
        id: "release/metadata-mismatch",
        summary: "distribution metadata disagrees with pyproject.toml",
        severity: High,
        help: "rebuild from the tag and compare the metadata; a build must not add or loosen dependencies",
        references: [PEP621, "https://packaging.python.org/en/latest/specifications/core-metadata/"],
    }
}

impl ReleaseRule for MetadataMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn source(&self, cx: &CompareCx<'_>, event: &SourceEvent<'_>, out: &mut Vec<Finding>) {
        if let SourceEvent::Metadata { dist_info } = event {
            metadata_check(cx, *dist_info, out);
        }
    }
}

/// METADATA or PKG-INFO against `pyproject.toml`'s `[project]`.
fn metadata_check(cx: &CompareCx<'_>, dist_info: Option<&str>, out: &mut Vec<Finding>) {
    let wheel = cx.wheel();
    let meta_path = if wheel {
        format!("{}/METADATA", dist_info.unwrap_or(""))
    } else {
        "PKG-INFO".to_string()
    };
    let Some(meta) = cx
        .dist
        .files
        .iter()
        .find(|m| m.rel() == meta_path)
        .and_then(|m| std::str::from_utf8(&m.data).ok())
    else {
        return;
    };
    let Some(pyproject) = cx.src.data("pyproject.toml") else {
        return;
    };
    let text = String::from_utf8_lossy(pyproject);
    let project = match Project::parse(&text) {
        Ok(Some(p)) => p,
        Ok(None) => return,
        Err(e) => {
            out.push(
                Finding::builder(&MetadataMismatch::META)
                    .severity(Severity::Low)
                    .confidence(Confidence::Low)
                    .message(format!("pyproject.toml in {} is not valid TOML, so the metadata was not compared: {}", cx.src.label, e.to_string().lines().next().unwrap_or("")))
                    .location(Location::file("pyproject.toml"))
                    .key("pyproject")
                    .build(),
            );
            return;
        }
    };
    let headers = Headers::parse(meta);
    for m in metadata::compare(&headers, &project, cx.src.tag_version.as_deref(), wheel) {
        let mut src_loc = Location::file("pyproject.toml");
        if let Some(l) = m.line {
            src_loc = Location::span("pyproject.toml", line_span(pyproject, l));
        }
        let f = Finding::builder(&MetadataMismatch::META)
            .severity(if m.serious {
                Severity::High
            } else {
                Severity::Medium
            })
            .confidence(Confidence::High)
            .message(m.message.clone())
            .location(cx.loc(&meta_path))
            .location(src_loc.with_note(format!("the declaration in {}", cx.src.label)))
            .evidence("field", m.field)
            .evidence("dist", m.dist.clone())
            .evidence("source", m.source.clone())
            .key(format!("{}:{}{}", m.field, m.dist, m.source))
            .build();
        out.push(f);
    }
}
