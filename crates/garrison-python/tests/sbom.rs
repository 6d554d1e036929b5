//! CycloneDX SBOMs (`garrison_python::sbom`) of real lock files from `../shared/data/repos`
//! (skipped when missing), validated against the CycloneDX 1.5 JSON schema vendored in
//! `tests/data/cyclonedx/` (see its README for origin and license).
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use garrison_python::sbom::{cyclonedx, cyclonedx_at};
use garrison_python::{Manifest, read};
use serde_json::Value;

fn repos() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/repos"
    ))
}

fn manifest(repo: &str, file: &str) -> Option<Manifest> {
    let text = std::fs::read_to_string(repos().join(repo).join(file)).ok();
    let text =
        garrison_test::require::require(text, &format!("the shared corpus's {repo}/{file}"))?;
    read(file, &text)
}

/// Serves the two schemas `bom-1.5` refers to from the vendored copies.
struct Vendored;

impl jsonschema::Retrieve for Vendored {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = match uri.as_str() {
            u if u.ends_with("/spdx.SNAPSHOT.schema.json") => {
                include_str!("data/cyclonedx/spdx.SNAPSHOT.schema.json")
            }
            u if u.ends_with("/jsf-0.82.SNAPSHOT.schema.json") => {
                include_str!("data/cyclonedx/jsf-0.82.SNAPSHOT.schema.json")
            }
            u => return Err(format!("no vendored schema for {u}").into()),
        };
        Ok(serde_json::from_str(text)?)
    }
}

fn validate(bom: &Value) {
    let schema: Value =
        serde_json::from_str(include_str!("data/cyclonedx/bom-1.5.SNAPSHOT.schema.json")).unwrap();
    let validator = jsonschema::options()
        .with_retriever(Vendored)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(bom)
        .take(20)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "CycloneDX errors:\n{}",
        errors.join("\n")
    );
}

/// Checks what the schema cannot: unique bom-refs equal to purls, sorted, deterministic.
fn common(bom: &Value, manifests: &[Manifest]) -> usize {
    validate(bom);
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.5");
    assert_eq!(bom["version"], 1);
    assert!(bom["metadata"].get("timestamp").is_none());
    assert_eq!(
        bom["metadata"]["tools"]["components"][0]["name"],
        "garrison"
    );
    let comps = bom["components"].as_array().unwrap();
    let refs: BTreeSet<&str> = comps
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), comps.len(), "bom-refs are unique");
    for c in comps {
        assert_eq!(c["bom-ref"], c["purl"]);
        assert!(!c["properties"].as_array().unwrap().is_empty());
    }
    // Same input, same bytes.
    assert_eq!(
        cyclonedx_at(manifests, "0.1.0", None).to_string(),
        bom.to_string()
    );
    comps.len()
}

fn component<'a>(bom: &'a Value, purl: &str) -> &'a Value {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["purl"] == purl)
        .unwrap_or_else(|| panic!("no component {purl}"))
}

fn sources(c: &Value) -> Vec<&str> {
    c["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "garrison:source")
        .map(|p| p["value"].as_str().unwrap())
        .collect()
}

#[test]
fn narwhals_uv_lock() {
    let Some(m) = manifest("narwhals-dev__narwhals", "uv.lock") else {
        return;
    };
    let ms = [m];
    let bom = cyclonedx_at(&ms, "0.1.0", None);
    let n = common(&bom, &ms);
    // uv.lock locks each (name, version) once, so there is one component per entry.
    let distinct: BTreeSet<(String, String)> = ms[0]
        .deps
        .iter()
        .filter(|d| d.version.is_some())
        .map(|d| (d.name.to_string(), format!("{:?}", d.version)))
        .collect();
    assert_eq!(n, distinct.len());
    // Both forked scipy versions, each at its `[[package]]` entry.
    let s = component(&bom, "pkg:pypi/scipy@1.7.3");
    assert_eq!(s["name"], "scipy");
    assert_eq!(s["version"], "1.7.3");
    assert_eq!(sources(s), ["uv.lock:4317"]);
    let hashes = s["hashes"].as_array().unwrap();
    assert!(hashes.len() > 1);
    assert!(hashes.iter().all(|h| h["alg"] == "SHA-256"));
    assert_eq!(
        sources(component(&bom, "pkg:pypi/scipy@1.8.0")),
        ["uv.lock:4339"]
    );
}

#[test]
fn scipy_pixi_lock() {
    let Some(m) = manifest("scipy__scipy", "pixi.lock") else {
        return;
    };
    let ms = [m];
    let bom = cyclonedx_at(&ms, "0.1.0", None);
    common(&bom, &ms);
    // Two builds of scipy 1.16.3 (py312, py313) on conda-forge: one component, both entries,
    // both builds' hashes (as written at pixi.lock:21338-21339 for the first).
    let s = component(&bom, "pkg:conda/scipy@1.16.3?channel=conda-forge");
    let src = sources(s);
    assert!(src.contains(&"pixi.lock:21337"), "{src:?}");
    assert!(src.len() >= 2, "{src:?}");
    let hashes: Vec<(&str, &str)> = s["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["alg"].as_str().unwrap(), h["content"].as_str().unwrap()))
        .collect();
    assert!(hashes.contains(&(
        "SHA-256",
        "dcb7080ccb113d760c94a2f5dd32239452793fe9c9cff743ffec27fa128e4801"
    )));
    assert!(hashes.contains(&("MD5", "c6e0e1f1d9ac014a980574cfe8caa25f")));
    // conda names keep their underscores.
    assert!(bom["components"].as_array().unwrap().iter().any(|c| {
        c["purl"]
            .as_str()
            .unwrap()
            .starts_with("pkg:conda/ld_impl_linux-64@")
    }));
}

#[test]
fn resolved_set_only_and_timestamp() {
    let h = "a".repeat(64);
    let text = format!(
        "numpy==1.26.4 --hash=sha256:{h}\nscipy>=1.7\nTorch==2.0.0+cu118\nnumpy==1.26.4\nweird==2.0.0-beta\n"
    );
    let ms = [read("requirements.txt", &text).unwrap()];
    let bom = cyclonedx_at(&ms, "9.9.9", Some(1_700_000_000));
    validate(&bom);
    assert_eq!(bom["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    assert_eq!(
        bom["metadata"]["tools"]["components"][0]["version"],
        "9.9.9"
    );
    let purls: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["purl"].as_str().unwrap())
        .collect();
    // The declared `scipy>=1.7` is not part of the resolved set; numpy is deduplicated.
    assert_eq!(
        purls,
        [
            "pkg:pypi/numpy@1.26.4",
            "pkg:pypi/torch@2.0.0%2Bcu118",
            // `2.0.0-beta` is PEP 440: normalized.
            "pkg:pypi/weird@2.0.0b0"
        ]
    );
    let numpy = component(&bom, "pkg:pypi/numpy@1.26.4");
    assert_eq!(sources(numpy), ["requirements.txt:1", "requirements.txt:4"]);
    assert_eq!(numpy["hashes"][0]["content"], h.as_str());
    // A different input gives a different serial number.
    let other = cyclonedx(&ms[..0], "9.9.9");
    assert_ne!(other["serialNumber"], bom["serialNumber"]);
    assert_eq!(other["components"], Value::Array(Vec::new()));
}
