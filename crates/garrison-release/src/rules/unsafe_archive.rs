use garrison_report::{Finding, Location, RuleMeta, declare_rule};

use super::{ReleaseRule, SPEC8};
use crate::archive::ReleaseError;

declare_rule! {
    /// ## What it checks
    /// Whether an sdist or wheel can be read safely. Garrison reads distributions in memory
    /// and rejects the whole archive on: absolute member paths, `..` components, backslashes
    /// or drive letters, NUL bytes or non-UTF-8 names, duplicate member paths, symbolic links
    /// resolving outside the archive (following the archive's own links) or members stored
    /// below a symlink, hard links outside the archive, device files and FIFOs, encrypted zip
    /// entries, sizes that disagree with the data (zip64 lies), decompression bombs (more
    /// than 200:1 past 16 MiB), and archives over the size, member-count, path-length or
    /// depth limits. The evidence gives the problem code (`parent-component`,
    /// `symlink-escape`, `bomb`, …) and the member. A file that is not a readable archive at
    /// all (a truncated download) is not a finding: `garrison release verify` refuses it as an
    /// input error ("truncated or not an archive", exit 2).
    ///
    /// ## Why it matters
    /// Tools that unpack distributions (installers, build front-ends, mirrors, scanners) have
    /// repeatedly been tricked into writing outside their target directory (CVE-2007-4559 in
    /// Python's `tarfile`, CVE-2025-4517) or exhausting memory. No legitimate build backend
    /// produces such an archive: it was made to attack whoever opens it.
    ///
    /// ## Example
    /// An sdist with a member `pkg-1.0/../../.bashrc`, or a symlink `pkg-1.0/data -> /etc`
    /// followed by `pkg-1.0/data/cron.d/job`.
    ///
    /// ## Remediation
    /// Do not install or unpack the archive. Report it to the package index and the project;
    /// a maintainer publishing it on purpose is not possible with a standard build backend.
    pub UnsafeArchive {
        id: "release/unsafe-archive",
        summary: "distribution archive is unsafe to unpack and was rejected",
        severity: High,
        help: "do not install or unpack this archive; report it to the package index and the project",
        references: [
            SPEC8,
            "https://peps.python.org/pep-0706/",
        ],
    }
}

impl ReleaseRule for UnsafeArchive {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Located at the archive with the member (or `.`) as route.
    fn rejected(&self, err: &ReleaseError, out: &mut Vec<Finding>) {
        let route = err.member.clone().unwrap_or_else(|| ".".to_string());
        out.push(
            Finding::builder(&Self::META)
                .message(format!("archive rejected: {err}"))
                .location(Location::file(err.archive.clone()).with_route(route.clone()))
                .evidence("problem", err.problem.code())
                .evidence("member", route.clone())
                .evidence("detail", err.problem.to_string())
                .key(format!("{}:{route}", err.problem.code()))
                .build(),
        );
    }
}
