use garrison_python::name::same_name;
use garrison_report::{Finding, RuleMeta, declare_rule};

use super::{BDIST_SPEC, PEP427, ReleaseRule, member_finding};
use crate::wheel::{WheelCx, WheelFact, same_version};

declare_rule! {
    /// ## What it checks
    /// That a wheel's file name parses (`name-version[-build]-python-abi-platform.whl`),
    /// that it has exactly one `*.dist-info` directory whose name and version equal the file
    /// name's (names compared after PEP 503 normalization, versions after PEP 440
    /// normalization, as PEP 427 and PEP 491 escape them), that `METADATA` and `WHEEL` exist,
    /// and that METADATA's `Name` and `Version` agree with the file name.
    ///
    /// ## Why it matters
    /// pip refuses wheels whose dist-info does not match their name. A mismatch means the
    /// file was renamed or assembled by hand, and a wheel that claims one project while its
    /// metadata says another is a classic way to slip a look-alike package into a lock file.
    ///
    /// ## Example
    /// `requests-2.32.0-py3-none-any.whl` contains `reqeusts-2.32.0.dist-info/`.
    ///
    /// ## Remediation
    /// Rebuild the wheel with the project's build backend and publish it under the name and
    /// version its metadata declares.
    pub DistInfoMismatch {
        id: "release/dist-info-mismatch",
        summary: "wheel name, dist-info directory and METADATA disagree",
        severity: Medium,
        help: "rebuild the wheel with the build backend; its file name, dist-info directory and METADATA must agree",
        references: [PEP427, BDIST_SPEC],
    }
}

impl ReleaseRule for DistInfoMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn wheel(&self, cx: &WheelCx<'_>, fact: &WheelFact<'_>, out: &mut Vec<Finding>) {
        let finding =
            |route: &str, message: String| member_finding(&Self::META, cx.dist, route, message);
        match fact {
            WheelFact::BadFileName => out.push(
                finding(
                    ".",
                    format!(
                        "`{}` is not a valid wheel file name (name-version[-build]-python-abi-platform.whl)",
                        cx.dist.filename
                    ),
                )
                .build(),
            ),
            WheelFact::DistInfoDirs([]) => out.push(
                finding(".", "wheel has no `*.dist-info` directory".to_string()).build(),
            ),
            WheelFact::DistInfoDirs([_]) => {}
            WheelFact::DistInfoDirs(many) => out.push(
                finding(
                    ".",
                    format!("wheel has {} `*.dist-info` directories", many.len()),
                )
                .evidence("dist_info", many.to_vec())
                .build(),
            ),
            WheelFact::DistInfo(di) => {
                if let Some(f) = &cx.name
                    && !cx.dist_info_matches(di)
                {
                    out.push(
                        finding(
                            di,
                            format!(
                                "`{di}` does not match the file name's `{}` version `{}`",
                                f.name, f.version
                            ),
                        )
                        .build(),
                    );
                }
            }
            WheelFact::MissingFile(path) => {
                out.push(finding(path, format!("`{path}` is missing")).build());
            }
            WheelFact::Metadata { route, headers } => {
                let Some(f) = &cx.name else { return };
                if let Some(n) = headers.get("Name")
                    && !same_name(n, &f.name)
                {
                    out.push(
                        finding(
                            route,
                            format!(
                                "METADATA `Name: {n}` differs from the file name's `{}`",
                                f.name
                            ),
                        )
                        .build(),
                    );
                }
                if let Some(v) = headers.get("Version")
                    && !same_version(v, &f.version)
                {
                    out.push(
                        finding(
                            route,
                            format!(
                                "METADATA `Version: {v}` differs from the file name's `{}`",
                                f.version
                            ),
                        )
                        .build(),
                    );
                }
            }
            _ => {}
        }
    }
}
