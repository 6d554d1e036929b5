//! Reading OSV records from YAML (with line numbers) and JSON.
//!
//! Both formats are read into a small tree view (a private `Tree` trait) and converted by one function, so a
//! YAML and a JSON record with the same content give the same [`Record`]. Unknown fields are
//! ignored, as the OSV schema asks.

use garrison_yaml::{Node, Value as YValue};
use serde_json::Value as JValue;

use crate::model::{
    Affected, Credit, Event, EventKind, Package, Range, RangeKind, Record, Reference, SeverityScore,
};

/// Why a record could not be read: a message and, when known, a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line, when the format gives one.
    pub line: Option<u32>,
    /// 1-based column, when the format gives one.
    pub column: Option<u32>,
    /// What is wrong, naming the field (`affected[0].ranges[1].events[2]`).
    pub message: String,
}

/// Reads an OSV record from YAML text.
pub fn record_from_yaml(text: &str) -> Result<Record, ParseError> {
    let node = garrison_yaml::parse(text).map_err(|e| ParseError {
        line: Some(e.line),
        column: Some(e.column),
        message: e.message,
    })?;
    record_from_tree(&node)
}

/// Reads an OSV record from JSON text.
pub fn record_from_json(text: &str) -> Result<Record, ParseError> {
    let value: JValue = serde_json::from_str(text).map_err(|e| ParseError {
        line: u32::try_from(e.line()).ok(),
        column: u32::try_from(e.column()).ok(),
        message: e.to_string(),
    })?;
    record_from_tree(&value)
}

/// A read-only view of a parsed document.
trait Tree: Sized {
    fn get(&self, key: &str) -> Option<&Self>;
    fn text(&self) -> Option<String>;
    fn items(&self) -> Option<Vec<&Self>>;
    fn entries(&self) -> Option<Vec<(String, &Self)>>;
    fn line(&self) -> Option<u32>;
    fn column(&self) -> Option<u32>;
    fn to_json(&self) -> JValue;
}

impl Tree for Node {
    fn get(&self, key: &str) -> Option<&Self> {
        Node::get(self, key).filter(|n| !n.is_null())
    }
    fn text(&self) -> Option<String> {
        if self.is_null() {
            return None;
        }
        self.as_str().map(str::to_string)
    }
    fn items(&self) -> Option<Vec<&Self>> {
        self.as_seq().map(|s| s.iter().collect())
    }
    fn entries(&self) -> Option<Vec<(String, &Self)>> {
        self.as_map().map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v)))
                .collect()
        })
    }
    fn line(&self) -> Option<u32> {
        Some(self.span.start_line)
    }
    fn column(&self) -> Option<u32> {
        Some(self.span.start_column)
    }
    fn to_json(&self) -> JValue {
        match &self.value {
            YValue::Scalar(s, style) => {
                if *style == garrison_yaml::Style::Plain {
                    if Node::is_null(self) {
                        return JValue::Null;
                    }
                    if let Ok(b) = s.parse::<bool>() {
                        return JValue::Bool(b);
                    }
                    if let Ok(i) = s.parse::<i64>() {
                        return JValue::from(i);
                    }
                    if let Ok(f) = s.parse::<f64>()
                        && let Some(n) = serde_json::Number::from_f64(f)
                    {
                        return JValue::Number(n);
                    }
                }
                JValue::String(s.clone())
            }
            YValue::Seq(items) => JValue::Array(items.iter().map(Tree::to_json).collect()),
            YValue::Map(entries) => JValue::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

impl Tree for JValue {
    fn get(&self, key: &str) -> Option<&Self> {
        self.as_object()?.get(key).filter(|v| !v.is_null())
    }
    fn text(&self) -> Option<String> {
        match self {
            JValue::String(s) => Some(s.clone()),
            // Numbers are accepted where a string is expected (`introduced: 0` in hand-written files).
            JValue::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    fn items(&self) -> Option<Vec<&Self>> {
        self.as_array().map(|a| a.iter().collect())
    }
    fn entries(&self) -> Option<Vec<(String, &Self)>> {
        self.as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v)).collect())
    }
    fn line(&self) -> Option<u32> {
        None
    }
    fn column(&self) -> Option<u32> {
        None
    }
    fn to_json(&self) -> JValue {
        self.clone()
    }
}

fn err<T: Tree>(node: &T, field: &str, what: &str) -> ParseError {
    ParseError {
        line: node.line(),
        column: node.column(),
        message: format!("`{field}`: {what}"),
    }
}

fn req_str<T: Tree>(parent: &T, key: &str, field: &str) -> Result<String, ParseError> {
    let node = parent
        .get(key)
        .ok_or_else(|| err(parent, field, "required field is missing"))?;
    node.text()
        .ok_or_else(|| err(node, field, "expected a string"))
}

fn opt_str<T: Tree>(parent: &T, key: &str, field: &str) -> Result<Option<String>, ParseError> {
    match parent.get(key) {
        None => Ok(None),
        Some(node) => node
            .text()
            .map(Some)
            .ok_or_else(|| err(node, field, "expected a string")),
    }
}

fn str_list<T: Tree>(parent: &T, key: &str, field: &str) -> Result<Vec<String>, ParseError> {
    let Some(node) = parent.get(key) else {
        return Ok(Vec::new());
    };
    let items = node
        .items()
        .ok_or_else(|| err(node, field, "expected a list"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.text()
                .ok_or_else(|| err(*item, &format!("{field}[{i}]"), "expected a string"))
        })
        .collect()
}

fn list<'a, T: Tree>(parent: &'a T, key: &str, field: &str) -> Result<Vec<&'a T>, ParseError> {
    match parent.get(key) {
        None => Ok(Vec::new()),
        Some(node) => node
            .items()
            .ok_or_else(|| err(node, field, "expected a list")),
    }
}

fn json_text<T: Tree>(parent: &T, key: &str) -> Option<String> {
    parent.get(key).map(|n| n.to_json().to_string())
}

fn severities<T: Tree>(parent: &T, field: &str) -> Result<Vec<SeverityScore>, ParseError> {
    list(parent, "severity", field)?
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let f = format!("{field}[{i}]");
            Ok(SeverityScore {
                kind: req_str(s, "type", &format!("{f}.type"))?,
                score: req_str(s, "score", &format!("{f}.score"))?,
            })
        })
        .collect()
}

fn record_from_tree<T: Tree>(root: &T) -> Result<Record, ParseError> {
    if root.entries().is_none() {
        return Err(err(
            root,
            "(document)",
            "expected a mapping (an OSV record)",
        ));
    }
    let id = req_str(root, "id", "id")?;
    let mut affected = Vec::new();
    for (i, a) in list(root, "affected", "affected")?.into_iter().enumerate() {
        affected.push(read_affected(a, i, &id)?);
    }
    let mut references = Vec::new();
    for (i, r) in list(root, "references", "references")?
        .into_iter()
        .enumerate()
    {
        let f = format!("references[{i}]");
        references.push(Reference {
            kind: req_str(r, "type", &format!("{f}.type"))?,
            url: req_str(r, "url", &format!("{f}.url"))?,
        });
    }
    let mut credits = Vec::new();
    for (i, c) in list(root, "credits", "credits")?.into_iter().enumerate() {
        let f = format!("credits[{i}]");
        credits.push(Credit {
            name: req_str(c, "name", &format!("{f}.name"))?,
            contact: str_list(c, "contact", &format!("{f}.contact"))?,
            kind: opt_str(c, "type", &format!("{f}.type"))?,
        });
    }
    Ok(Record {
        modified: opt_str(root, "modified", "modified")?.unwrap_or_default(),
        published: opt_str(root, "published", "published")?,
        withdrawn: opt_str(root, "withdrawn", "withdrawn")?,
        aliases: str_list(root, "aliases", "aliases")?,
        related: str_list(root, "related", "related")?,
        summary: opt_str(root, "summary", "summary")?,
        details: opt_str(root, "details", "details")?,
        severity: severities(root, "severity")?,
        affected,
        references,
        credits,
        database_specific: json_text(root, "database_specific"),
        schema_version: opt_str(root, "schema_version", "schema_version")?,
        id,
    })
}

fn read_affected<T: Tree>(a: &T, i: usize, record_id: &str) -> Result<Affected, ParseError> {
    let f = format!("affected[{i}]");
    let package = match a.get("package") {
        Some(p) => {
            let field = format!("{f}.package.name");
            let package = Package {
                ecosystem: req_str(p, "ecosystem", &format!("{f}.package.ecosystem"))?,
                name: req_str(p, "name", &field)?,
                purl: opt_str(p, "purl", &format!("{f}.package.purl"))?,
            };
            // A PyPI entry must name a package an index could serve.
            if package.ecosystem.eq_ignore_ascii_case("PyPI")
                && let Err(e) = garrison_python::PackageName::new(&package.name)
            {
                return Err(err(p.get("name").unwrap_or(p), &field, &e.to_string()));
            }
            package
        }
        // OSV allows an affected entry without a package (GIT-only); it is kept, never indexed.
        None => Package::default(),
    };
    let mut ranges = Vec::new();
    for (j, r) in list(a, "ranges", &format!("{f}.ranges"))?
        .into_iter()
        .enumerate()
    {
        let rf = format!("{f}.ranges[{j}]");
        let kind = RangeKind::parse(&req_str(r, "type", &format!("{rf}.type"))?);
        let mut events = Vec::new();
        for (k, e) in list(r, "events", &format!("{rf}.events"))?
            .into_iter()
            .enumerate()
        {
            let ef = format!("{rf}.events[{k}]");
            let entries = e
                .entries()
                .ok_or_else(|| err(e, &ef, "expected a mapping"))?;
            let mut found = None;
            for (key, value) in entries {
                let kind = match key.as_str() {
                    "introduced" => EventKind::Introduced,
                    "fixed" => EventKind::Fixed,
                    "last_affected" => EventKind::LastAffected,
                    "limit" => EventKind::Limit,
                    _ => continue,
                };
                if found.is_some() {
                    return Err(err(
                        e,
                        &ef,
                        "an event must have exactly one of introduced, fixed, last_affected, limit",
                    ));
                }
                let version = value
                    .text()
                    .ok_or_else(|| err(value, &format!("{ef}.{key}"), "expected a string"))?;
                found = Some(Event { kind, version });
            }
            events.push(found.ok_or_else(|| {
                err(
                    e,
                    &ef,
                    "expected one of introduced, fixed, last_affected, limit",
                )
            })?);
        }
        ranges.push(Range {
            kind,
            repo: opt_str(r, "repo", &format!("{rf}.repo"))?,
            events,
            database_specific: json_text(r, "database_specific"),
        });
    }
    Ok(Affected {
        record_id: record_id.to_string(),
        severity: severities(a, &format!("{f}.severity"))?,
        versions: str_list(a, "versions", &format!("{f}.versions"))?,
        ecosystem_specific: json_text(a, "ecosystem_specific"),
        database_specific: json_text(a, "database_specific"),
        package,
        ranges,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const YAML: &str = "id: PYSEC-1\nmodified: '2024-01-01T00:00:00Z'\naliases:\n- CVE-1\naffected:\n- package:\n    name: Foo\n    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: '0'\n    - fixed: 1.0.1\n  versions:\n  - 1.0.0\n";

    #[test]
    fn yaml_and_json_agree() {
        let y = record_from_yaml(YAML).unwrap();
        let json = r#"{"id":"PYSEC-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-1"],
            "affected":[{"package":{"name":"Foo","ecosystem":"PyPI"},
            "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0.1"}]}],
            "versions":["1.0.0"]}]}"#;
        let j = record_from_json(json).unwrap();
        assert_eq!(y, j);
        assert_eq!(y.affected[0].ranges[0].events[1].version, "1.0.1");
    }

    #[test]
    fn errors_name_field_and_line() {
        let bad = YAML.replace("    - fixed: 1.0.1\n", "    - fixed: [1]\n");
        let e = record_from_yaml(&bad).unwrap_err();
        assert_eq!(e.line, Some(13));
        assert!(
            e.message.contains("affected[0].ranges[0].events[1].fixed"),
            "{e:?}"
        );
        let e = record_from_yaml("id: [\n").unwrap_err();
        assert!(e.line.is_some());
        let e = record_from_json("{\"id\": 1,\n \"affected\": 3}").unwrap_err();
        assert!(e.message.contains("affected"), "{e:?}");
        // A PyPI package name that is not a valid name is an error on its line.
        let e = record_from_yaml(&YAML.replace("name: Foo", "name: -Foo")).unwrap_err();
        assert_eq!(e.line, Some(7));
        assert!(
            e.message
                .starts_with("`affected[0].package.name`: `-Foo` is not a valid package name"),
            "{e:?}"
        );
    }
}
