//! CVSS v3.x base scores computed from the vector string, and the mapping to Garrison's
//! [`Severity`].
//!
//! The formula is the one of the CVSS v3.1 specification (section 7.1), with its `Roundup`
//! defined on integers to avoid floating-point artefacts (Appendix A). CVSS v3.0 vectors use the
//! same base formula; v3.0 defined `Roundup` as a plain ceiling to one decimal, which the v3.1
//! definition corrects for floating-point error only, so the v3.1 definition is used for both.
//! CVSS v4 vectors are kept raw: their score is not computed.

use garrison_report::{Confidence, Severity};

use crate::model::{SeverityScore, Vulnerability};

/// Why a CVSS vector could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CVSS vector `{vector}`: {reason}")]
pub struct CvssError {
    /// The vector as given.
    pub vector: String,
    /// What is wrong.
    pub reason: String,
}

/// The CVSS v3.1 `Roundup`: the smallest number with one decimal that is ≥ `x`.
pub fn roundup(x: f64) -> f64 {
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

/// Computes the base score of a `CVSS:3.0/…` or `CVSS:3.1/…` vector. Temporal and
/// environmental metrics, if present, are ignored (the base score is what advisories publish).
pub fn cvss3_base_score(vector: &str) -> Result<f64, CvssError> {
    let fail = |reason: String| CvssError {
        vector: vector.to_string(),
        reason,
    };
    let mut parts = vector.trim().split('/');
    match parts.next() {
        Some("CVSS:3.0" | "CVSS:3.1") => {}
        other => {
            return Err(fail(format!(
                "expected a `CVSS:3.0/` or `CVSS:3.1/` prefix, found `{}`",
                other.unwrap_or_default()
            )));
        }
    }
    let mut metrics: [Option<&str>; 8] = [None; 8];
    const NAMES: [&str; 8] = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"];
    for part in parts {
        let (k, v) = part
            .split_once(':')
            .ok_or_else(|| fail(format!("`{part}` is not `metric:value`")))?;
        if let Some(i) = NAMES.iter().position(|n| *n == k) {
            if metrics[i].is_some() {
                return Err(fail(format!("metric `{k}` appears twice")));
            }
            metrics[i] = Some(v);
        }
    }
    let mut got = [""; 8];
    for (i, m) in metrics.iter().enumerate() {
        got[i] = m.ok_or_else(|| fail(format!("base metric `{}` is missing", NAMES[i])))?;
    }
    let [av, ac, pr, ui, s, c, i, a] = got;
    let bad = |k: &str, v: &str| fail(format!("`{k}:{v}` is not a valid value"));
    let changed = match s {
        "U" => false,
        "C" => true,
        _ => return Err(bad("S", s)),
    };
    let av = match av {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return Err(bad("AV", av)),
    };
    let ac = match ac {
        "L" => 0.77,
        "H" => 0.44,
        _ => return Err(bad("AC", ac)),
    };
    let pr = match (pr, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return Err(bad("PR", pr)),
    };
    let ui = match ui {
        "N" => 0.85,
        "R" => 0.62,
        _ => return Err(bad("UI", ui)),
    };
    let cia = |k: &str, v: &str| match v {
        "H" => Ok(0.56),
        "L" => Ok(0.22),
        "N" => Ok(0.0),
        _ => Err(bad(k, v)),
    };
    let (c, i, a) = (cia("C", c)?, cia("I", i)?, cia("A", a)?);
    let iss = 1.0 - ((1.0 - c) * (1.0 - i) * (1.0 - a));
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02_f64).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Ok(0.0);
    }
    Ok(if changed {
        roundup(f64::min(1.08 * (impact + exploitability), 10.0))
    } else {
        roundup(f64::min(impact + exploitability, 10.0))
    })
}

/// Garrison severity of a CVSS base score: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, > 0 low,
/// 0 info.
pub fn severity_of_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Info
    }
}

/// The severity Garrison reports for a vulnerability, and how it was obtained.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The severity.
    pub severity: Severity,
    /// How sure: high from a computed CVSS v3 score, medium from a database's label, low when
    /// the advisory gives nothing usable.
    pub confidence: Confidence,
    /// The CVSS v3 base score, when computed.
    pub score: Option<f64>,
    /// The vector the score was computed from (or the raw v4 vector), if any.
    pub vector: Option<String>,
    /// How the severity was obtained, for evidence (`CVSS 3.1 base score 9.8`, `no severity
    /// in advisory`, …).
    pub note: String,
}

/// Whether the advisory reports a malicious release rather than a flaw: an OSV `MAL-` record
/// (or alias), or a PyPA record whose text says the project was taken over, shipped a
/// backdoor or malware, or is a malicious package. A flaw's wording ("a malicious user could",
/// "account takeovers") does not match.
pub fn is_malicious(vuln: &Vulnerability) -> bool {
    if vuln.id.starts_with("MAL-")
        || vuln.aliases.iter().any(|a| a.starts_with("MAL-"))
        || vuln.record_ids.iter().any(|a| a.starts_with("MAL-"))
    {
        return true;
    }
    let text = format!(
        "{} {}",
        vuln.summary.as_deref().unwrap_or(""),
        vuln.details.as_deref().unwrap_or("")
    )
    .to_ascii_lowercase();
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text.trim_start().starts_with("malicious package")
        || text.contains("was taken over")
        || text.contains("backdoor")
        || text.contains("new malicious release")
        || text.contains("contained malware")
        || text.contains("contains malware")
}

/// Assesses a vulnerability: a malicious release ([`is_malicious`]) is critical; else the
/// highest CVSS v3 base score among its (record-level and the package's affected-level) scores;
/// else the GitHub label in `database_specific.severity`
/// (`LOW`, `MODERATE`, `HIGH`, `CRITICAL`); else medium with low confidence. A CVSS v4 vector
/// alone is kept raw and not scored (said in the note).
pub fn assess(vuln: &Vulnerability, package: Option<&str>) -> Assessment {
    if is_malicious(vuln) {
        return Assessment {
            severity: Severity::Critical,
            confidence: Confidence::High,
            score: None,
            vector: None,
            note: "malicious release: the advisory reports a taken-over project, a backdoor or malware (whatever runs it is compromised; CVSS does not apply)".to_string(),
        };
    }
    let mut scores: Vec<&SeverityScore> = vuln.severity.iter().collect();
    for a in &vuln.affected {
        if package.is_none_or(|p| {
            garrison_python::PackageName::new(&a.package.name).is_ok_and(|n| n.as_str() == p)
        }) {
            scores.extend(a.severity.iter());
        }
    }
    let mut best: Option<(f64, &str)> = None;
    for s in &scores {
        if s.kind == "CVSS_V3"
            && let Ok(v) = cvss3_base_score(&s.score)
            && best.is_none_or(|(b, _)| v > b)
        {
            best = Some((v, &s.score));
        }
    }
    if let Some((score, vector)) = best {
        let version = if vector.starts_with("CVSS:3.0") {
            "3.0"
        } else {
            "3.1"
        };
        return Assessment {
            severity: severity_of_score(score),
            confidence: Confidence::High,
            score: Some(score),
            vector: Some(vector.to_string()),
            note: format!("CVSS {version} base score {score:.1}"),
        };
    }
    for ds in &vuln.database_specific {
        let label = serde_json::from_str::<serde_json::Value>(ds)
            .ok()
            .and_then(|v| v.get("severity")?.as_str().map(str::to_ascii_uppercase));
        let severity = match label.as_deref() {
            Some("CRITICAL") => Severity::Critical,
            Some("HIGH") => Severity::High,
            Some("MODERATE" | "MEDIUM") => Severity::Medium,
            Some("LOW") => Severity::Low,
            _ => continue,
        };
        return Assessment {
            severity,
            confidence: Confidence::Medium,
            score: None,
            vector: None,
            note: format!(
                "database label {} (no CVSS v3 vector)",
                label.unwrap_or_default()
            ),
        };
    }
    let v4 = scores.iter().find(|s| s.kind == "CVSS_V4");
    Assessment {
        severity: Severity::Medium,
        confidence: Confidence::Low,
        score: None,
        vector: v4.map(|s| s.score.clone()),
        note: if v4.is_some() {
            "CVSS v4 vector only: score not computed".to_string()
        } else {
            "no severity in advisory".to_string()
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn known_vectors() {
        for (v, want) in [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O", 9.8),
        ] {
            assert_eq!(cvss3_base_score(v).unwrap(), want, "{v}");
        }
    }

    #[test]
    fn roundup_is_the_31_definition() {
        assert_eq!(roundup(4.000_000_2), 4.0);
        assert_eq!(roundup(4.02), 4.1);
        assert_eq!(roundup(4.0), 4.0);
    }

    #[test]
    fn bad_vectors() {
        assert!(
            cvss3_base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
                .is_err()
        );
        assert!(cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H").is_err());
        assert!(cvss3_base_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_err());
        assert!(cvss3_base_score("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_err());
    }

    #[test]
    fn mapping() {
        assert_eq!(severity_of_score(9.8), Severity::Critical);
        assert_eq!(severity_of_score(7.0), Severity::High);
        assert_eq!(severity_of_score(6.1), Severity::Medium);
        assert_eq!(severity_of_score(3.9), Severity::Low);
        assert_eq!(severity_of_score(0.0), Severity::Info);
        let mut v = Vulnerability::default();
        let a = assess(&v, None);
        assert_eq!(
            (a.severity, a.confidence, a.note.as_str()),
            (Severity::Medium, Confidence::Low, "no severity in advisory")
        );
        v.severity.push(SeverityScore {
            kind: "CVSS_V4".into(),
            score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N".into(),
        });
        let a = assess(&v, None);
        assert!(a.note.contains("v4"), "{a:?}");
        v.severity.push(SeverityScore {
            kind: "CVSS_V3".into(),
            score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N".into(),
        });
        let a = assess(&v, None);
        assert_eq!((a.severity, a.score), (Severity::Medium, Some(5.9)));
    }
}
