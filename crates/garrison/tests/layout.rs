//! The binary's shape (issue 10, "a thin CLI"): its modules form no import cycle, `output` is a
//! leaf, and the crate stays under 2,000 lines. The module graph is read from the sources:
//! `crate::<module>` paths (also inside `use crate::{…}` groups) in each module, and the
//! `<module>::` paths of `main.rs`; a `crate::<item>` that is not a module is an edge to `main`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Most lines the binary crate may have (`wc -l` of every `.rs` file under `src/`).
const MAX_LINES: usize = 2_000;

/// Module name → source text of every `.rs` file under `src/` (a `mod.rs` is named by its
/// directory, `main.rs` is `main`).
fn sources() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let name = if stem == "mod" {
                let parent = path.parent().and_then(Path::file_name);
                parent.and_then(|p| p.to_str()).unwrap_or_default()
            } else {
                stem
            };
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.insert(name.to_string(), text);
        }
    }
    out
}

/// The code of `text` without comment lines (doc comments may name any module).
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first path segments after each `crate::` in `code`, including each member of a
/// `crate::{a, b::c}` group (nested groups are not used in this crate; the test fails on one).
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        // `garrison_crate::` or `my_crate::` are not `crate::`.
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            let inner = &group[..end];
            assert!(!inner.contains('{'), "nested use group: crate::{{{inner}}}");
            out.extend(
                inner
                    .split(',')
                    .map(|m| ident(m.trim()).to_string())
                    .filter(|m| !m.is_empty()),
            );
        } else {
            out.push(ident(rest).to_string());
        }
    }
    out
}

/// Module → the modules it refers to.
fn graph(sources: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<&str> = sources.keys().map(String::as_str).collect();
    let mut graph = BTreeMap::new();
    for (name, text) in sources {
        let code = code(text);
        let mut to: BTreeSet<String> = crate_paths(&code)
            .into_iter()
            .map(|m| {
                if modules.contains(m.as_str()) {
                    m
                } else {
                    "main".to_string()
                }
            })
            .collect();
        if name == "main" {
            // The crate root names its modules without `crate::`.
            for m in &modules {
                let used = code.match_indices(&format!("{m}::")).any(|(i, _)| {
                    let before = code[..i].chars().next_back();
                    !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
                });
                if used {
                    to.insert(m.to_string());
                }
            }
        }
        to.remove(name);
        graph.insert(name.clone(), to);
    }
    graph
}

/// A cycle of `graph` as `a -> b -> a`, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<&'a str>,
        path: &mut Vec<&'a str>,
    ) -> Option<String> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut names = path[at..].to_vec();
            names.push(node);
            return Some(names.join(" -> "));
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, done, path) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut done, &mut Vec::new()))
}

#[test]
fn modules_form_no_cycle() {
    let graph = graph(&sources());
    assert!(
        graph.len() > 5,
        "the binary's modules were not found: {graph:?}"
    );
    assert!(
        graph["main"].contains("commands"),
        "main's module references were not read: {graph:?}"
    );
    if let Some(c) = cycle(&graph) {
        panic!("import cycle among the binary's modules: {c}\n{graph:#?}");
    }
}

#[test]
fn output_is_a_leaf() {
    let graph = graph(&sources());
    let mut uses = graph.get("output").expect("src/output.rs").clone();
    // Argument types only, were they in the binary again.
    uses.remove("cli");
    assert!(
        uses.is_empty(),
        "output.rs must use no other module of the binary (only garrison-cli's argument types), but uses {uses:?}"
    );
}

#[test]
fn the_binary_stays_small() {
    let sources = sources();
    let lines: usize = sources.values().map(|t| t.lines().count()).sum();
    let mut sizes: Vec<_> = sources
        .iter()
        .map(|(m, t)| (t.lines().count(), m))
        .collect();
    sizes.sort_by(|a, b| b.cmp(a));
    assert!(
        lines <= MAX_LINES,
        "the binary crate has {lines} lines, over {MAX_LINES}: move library logic to its crate (largest modules: {:?})",
        &sizes[..sizes.len().min(5)]
    );
}

/// The graph reader and the cycle search on made-up sources, so the tests above cannot pass
/// by reading nothing.
#[test]
fn the_reader_finds_edges_and_cycles() {
    let mut s = BTreeMap::new();
    s.insert(
        "main".to_string(),
        "mod a;\nfn main() { a::run() }".to_string(),
    );
    s.insert(
        "a".to_string(),
        "// crate::c in a comment is not an edge\nuse crate::{b, output::finish};\nuse garrison_crate::x;"
            .to_string(),
    );
    s.insert("b".to_string(), "fn f() { crate::c::g() }".to_string());
    s.insert("output".to_string(), String::new());
    s.insert("c".to_string(), "use crate::b::h;".to_string());
    let g = graph(&s);
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(g["main"], set(&["a"]));
    assert_eq!(g["a"], set(&["b", "output"]));
    assert_eq!(g["b"], set(&["c"]));
    assert_eq!(cycle(&g).as_deref(), Some("b -> c -> b"));
    s.insert("c".to_string(), "use crate::output;".to_string());
    assert_eq!(cycle(&graph(&s)), None);
    // An item of the crate root is an edge to main: `main -> a -> main`.
    let mut r = BTreeMap::new();
    r.insert(
        "main".to_string(),
        "fn helper() {}\nfn main() { a::run() }".to_string(),
    );
    r.insert("a".to_string(), "fn run() { crate::helper() }".to_string());
    assert_eq!(cycle(&graph(&r)).as_deref(), Some("a -> main -> a"));
}
