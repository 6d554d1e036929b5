//! Rule documentation in `docs/rules/` is generated from the rules' own doc comments; this
//! test fails when they disagree. Regenerate with `GARRISON_UPDATE_DOCS=1 cargo test -p garrison --test docs`.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;

#[test]
fn rule_docs_are_generated_from_code() {
    let out = Command::cargo_bin("garrison")
        .unwrap()
        .args(["rules", "-f", "json"])
        .output()
        .unwrap();
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let update = std::env::var_os("GARRISON_UPDATE_DOCS").is_some();
    let mut index = String::from(
        "# Rules\n\nGenerated from the rules' documentation (`garrison rules`). Do not edit.\n\n| rule | severity | summary |\n|---|---|---|\n",
    );
    let mut stale = Vec::new();
    for r in &rules {
        let id = r["id"].as_str().unwrap();
        let text = r["docs"].as_str().unwrap();
        index.push_str(&format!(
            "| [`{id}`]({id}.md) | {} | {} |\n",
            r["default_severity"].as_str().unwrap(),
            r["summary"].as_str().unwrap()
        ));
        let path = docs.join(format!("{id}.md"));
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            stale.push(id.to_string());
        }
    }
    let index_path = docs.join("README.md");
    if update {
        std::fs::write(&index_path, &index).unwrap();
    } else if std::fs::read_to_string(&index_path).ok().as_deref() != Some(index.as_str()) {
        stale.push("README.md".into());
    }
    assert!(
        stale.is_empty(),
        "docs/rules is stale for {stale:?}; run GARRISON_UPDATE_DOCS=1 cargo test -p garrison --test docs"
    );
}
