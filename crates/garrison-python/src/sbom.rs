//! A CycloneDX 1.5 JSON SBOM of the resolved set of dependencies.
//!
//! The resolved set is every [`DepKind::Locked`] or [`DepKind::Pinned`] dependency that has a
//! version (declared ranges are not components). Entries are deduplicated by (ecosystem,
//! name, version); each component lists every place it comes from.
//!
//! - PyPI: `purl` `pkg:pypi/<normalized name>@<version>` (PEP 503 name, version as PEP 440
//!   normalizes it, or as written when it is not PEP 440).
//! - conda: `pkg:conda/<name>@<version>`, with `?channel=<channel>` when the entry's URL names
//!   its channel (`https://conda.anaconda.org/<channel>/…`, `https://prefix.dev/<channel>/…`,
//!   `https://repo.anaconda.com/pkgs/<channel>/…`). The name is the conda name as written,
//!   lowercased (conda names keep their `_`). A conda package that declares its PyPI identity
//!   (a pixi.lock `pkg:pypi` purl) appears twice: as the conda component and as the PyPI
//!   component the readers derive from the purl; the conda artifact's hashes are not attached
//!   to the latter.
//! - `bom-ref` is the purl; `hashes` come from the lock (`sha256:…` → `SHA-256`, also `md5`,
//!   `sha1`, `sha384`, `sha512`; malformed digests are dropped); a `garrison:source` property
//!   `path:line` for each occurrence.
//! - Deterministic: components sorted by ecosystem, name and version; no timestamp unless
//!   `SOURCE_DATE_EPOCH` is set (then `metadata.timestamp` is that instant, RFC 3339 UTC); the
//!   `serialNumber` is a `urn:uuid:` derived from the SHA-256 of the component list without
//!   the `garrison:source` properties (formatted as a version-4 UUID), so the same input gives
//!   the same BOM byte for byte, and the same dependency set the same serial number wherever
//!   its files were read from.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::deps::{DepKind, Ecosystem, Manifest, VersionRef};

#[derive(Default)]
struct Component {
    name: String,
    version: String,
    purl: String,
    hashes: BTreeSet<(String, String)>,
    sources: BTreeSet<(String, u32)>,
}

/// The CycloneDX 1.5 BOM of the resolved set of `manifests` (see the module documentation);
/// `tool_version` is Garrison's version for `metadata.tools`. Reads `SOURCE_DATE_EPOCH` from
/// the environment for the timestamp; [`cyclonedx_at`] takes it as an argument.
pub fn cyclonedx(manifests: &[Manifest], tool_version: &str) -> Value {
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok());
    cyclonedx_at(manifests, tool_version, epoch)
}

/// [`cyclonedx`] with the timestamp given: `Some(seconds since the Unix epoch)` sets
/// `metadata.timestamp`, `None` leaves it out.
pub fn cyclonedx_at(manifests: &[Manifest], tool_version: &str, epoch: Option<i64>) -> Value {
    let mut components: BTreeMap<(u8, String, String), Component> = BTreeMap::new();
    for dep in manifests.iter().flat_map(|m| m.deps.iter()) {
        if !matches!(dep.kind, DepKind::Locked | DepKind::Pinned) {
            continue;
        }
        let Some(version) = dep.version.as_ref() else {
            continue;
        };
        let version = match version {
            VersionRef::Pep440(v) => v.to_string(),
            VersionRef::Raw(s) => s.trim().to_string(),
        };
        if version.is_empty() {
            continue;
        }
        let (rank, name) = match dep.ecosystem {
            Ecosystem::PyPI => (0, dep.name.as_str().to_string()),
            Ecosystem::Conda => (1, dep.raw_name.trim().to_ascii_lowercase()),
        };
        if name.is_empty() {
            continue;
        }
        let c = components
            .entry((rank, name.clone(), version.clone()))
            .or_insert_with(|| {
                let purl = match dep.ecosystem {
                    Ecosystem::PyPI => {
                        format!("pkg:pypi/{}@{}", encode(&name), encode(&version))
                    }
                    Ecosystem::Conda => {
                        let mut p = format!("pkg:conda/{}@{}", encode(&name), encode(&version));
                        if let Some(ch) = dep.url.as_deref().and_then(conda_channel) {
                            p.push_str("?channel=");
                            p.push_str(&encode(&ch));
                        }
                        p
                    }
                };
                Component {
                    name,
                    version,
                    purl,
                    ..Component::default()
                }
            });
        let conda_artifact = dep.ecosystem == Ecosystem::PyPI
            && dep
                .url
                .as_deref()
                .is_some_and(|u| u.ends_with(".conda") || u.ends_with(".tar.bz2"));
        if !conda_artifact {
            c.hashes.extend(dep.hashes.iter().filter_map(|h| hash(h)));
        }
        c.sources.insert((dep.path.clone(), dep.span.start_line));
    }

    let list: Vec<Value> = components
        .into_values()
        .map(|c| {
            let mut o = json!({
                "type": "library",
                "bom-ref": c.purl,
                "name": c.name,
                "version": c.version,
                "purl": c.purl,
            });
            if !c.hashes.is_empty() {
                o["hashes"] = c
                    .hashes
                    .into_iter()
                    .map(|(alg, content)| json!({"alg": alg, "content": content}))
                    .collect();
            }
            o["properties"] = c
                .sources
                .into_iter()
                .map(|(p, l)| json!({"name": "garrison:source", "value": format!("{p}:{l}")}))
                .collect();
            o
        })
        .collect();
    let components = Value::Array(list);
    let serial = serial_number(&components);
    let mut metadata = json!({
        "tools": {
            "components": [
                {"type": "application", "name": "garrison", "version": tool_version}
            ]
        }
    });
    if let Some(t) = epoch.and_then(rfc3339) {
        metadata["timestamp"] = Value::String(t);
    }
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": serial,
        "version": 1,
        "metadata": metadata,
        "components": components,
    })
}

/// `sha256:<hex>` → (`SHA-256`, lowercase hex), when the digest has the algorithm's length.
fn hash(h: &str) -> Option<(String, String)> {
    let (alg, hex) = h.split_once([':', '='])?;
    let (name, len) = match alg.trim().to_ascii_lowercase().as_str() {
        "md5" => ("MD5", 32),
        "sha1" => ("SHA-1", 40),
        "sha256" => ("SHA-256", 64),
        "sha384" => ("SHA-384", 96),
        "sha512" => ("SHA-512", 128),
        _ => return None,
    };
    let hex = hex.trim();
    (hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| (name.to_string(), hex.to_ascii_lowercase()))
}

/// The channel named by a conda package URL, if the host is a known channel server.
fn conda_channel(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    let mut segs = path.split('/').filter(|s| !s.is_empty());
    let channel = match host {
        "conda.anaconda.org" | "prefix.dev" | "repo.prefix.dev" => segs.next()?,
        "repo.anaconda.com" => {
            if segs.next()? != "pkgs" {
                return None;
            }
            segs.next()?
        }
        _ => return None,
    };
    // A channel is followed by at least a subdir and a file.
    (segs.count() >= 2).then(|| channel.to_string())
}

/// Percent-encodes a purl component (everything but unreserved characters).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `urn:uuid:` of the SHA-256 of the serialized components, as a version-4, RFC 4122 variant
/// UUID.
fn serial_number(components: &Value) -> String {
    // The components without their `garrison:source` properties: the paths the dependency
    // files were named by (relative, absolute, a temporary directory) do not change the
    // serial number of the same dependency set.
    let mut identity = components.clone();
    if let Some(list) = identity.as_array_mut() {
        for c in list {
            if let Some(o) = c.as_object_mut() {
                o.remove("properties");
            }
        }
    }
    let digest = Sha256::digest(identity.to_string().as_bytes());
    let mut b = [0u8; 16];
    for (dst, src) in b.iter_mut().zip(digest.iter()) {
        *dst = *src;
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

use garrison_source::time::rfc3339;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            rfc3339(1_700_000_000).as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
        assert_eq!(
            rfc3339(951_782_400).as_deref(),
            Some("2000-02-29T00:00:00Z")
        );
        assert_eq!(rfc3339(i64::MAX), None);
        assert_eq!(encode("2.0.0+cu118"), "2.0.0%2Bcu118");
        assert_eq!(
            conda_channel("https://conda.anaconda.org/conda-forge/linux-64/x-1-0.conda").as_deref(),
            Some("conda-forge")
        );
        assert_eq!(
            conda_channel("https://repo.anaconda.com/pkgs/main/linux-64/x-1-0.conda").as_deref(),
            Some("main")
        );
        assert_eq!(conda_channel("https://example.com/a/b/c.conda"), None);
        assert_eq!(hash("sha256:ABC"), None);
        assert_eq!(
            hash(&format!("md5:{}", "A".repeat(32))),
            Some(("MD5".to_string(), "a".repeat(32)))
        );
        let s = serial_number(&json!([]));
        assert!(s.starts_with("urn:uuid:"), "{s}");
        assert_eq!(s.len(), "urn:uuid:".len() + 36);
        assert_eq!(&s[23..24], "4");
    }
}
