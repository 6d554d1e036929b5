//! A YAML 1.2 tree in which every node carries its exact source span.
//!
//! Garrison reads YAML that attackers write (workflows, actions, dependabot and pre-commit
//! configuration), so parsing is bounded: a size limit, a nesting limit, and an alias budget
//! that stops "billion laughs" documents. Errors name the line and column.
//!
//! Scalars are kept as strings together with their style: GitHub Actions interprets values
//! itself (`on:` is a key, not `true`), so typing is the reader's job.

use std::borrow::Cow;
use std::collections::HashMap;

use garrison_source::{SourceFile, Span};
use granit_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

/// Limits for one parse.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted nesting of collections.
    pub max_depth: usize,
    /// Most nodes the tree may hold after alias expansion.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 8 * 1024 * 1024,
            max_depth: 128,
            max_nodes: 1_000_000,
        }
    }
}

/// Why a document could not be read, with a 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct YamlError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `foo`
    Plain,
    /// `'foo'`
    SingleQuoted,
    /// `"foo"`
    DoubleQuoted,
    /// `|`
    Literal,
    /// `>`
    Folded,
}

/// A node's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar (its text after YAML unescaping and folding).
    Scalar(String, Style),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order.
    Map(Vec<(Node, Node)>),
}

/// A YAML node with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The content.
    pub value: Value,
    /// Where it is in the source.
    pub span: Span,
}

impl Node {
    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// The scalar style, if this is a scalar.
    pub fn style(&self) -> Option<Style> {
        match &self.value {
            Value::Scalar(_, st) => Some(*st),
            _ => None,
        }
    }

    /// True for an empty node or a plain `null`/`~`.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s, Style::Plain) if matches!(s.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// True for a plain `true` (any case).
    pub fn is_true(&self) -> bool {
        matches!(&self.value, Value::Scalar(s, _) if s.eq_ignore_ascii_case("true"))
    }

    /// True for a `false` scalar (any case, quoted or not, surrounding spaces ignored).
    pub fn is_false(&self) -> bool {
        self.as_str()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("false"))
    }

    /// The items, if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(v) => Some(v),
            _ => None,
        }
    }

    /// The entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(v) => Some(v),
            _ => None,
        }
    }

    /// The value of `key` in a mapping (keys compared as scalar text).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// The mapping's entries as `(key text, value)` for scalar keys.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.as_map()
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?, v)))
    }

    /// The raw source text of this node.
    pub fn source<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.span.start_offset..self.span.end_offset)
            .unwrap_or("")
    }
}

/// Parses the first document of `text` with default [`Limits`]. An empty input is a plain
/// empty scalar.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    parse_with(text, Limits::default())
}

/// Parses the first document of `text` with `limits`.
pub fn parse_with(text: &str, limits: Limits) -> Result<Node, YamlError> {
    if text.len() > limits.max_bytes {
        return Err(YamlError {
            line: 1,
            column: 1,
            message: format!(
                "file is {} bytes, over the {} byte limit",
                text.len(),
                limits.max_bytes
            ),
        });
    }
    let source = SourceFile::new(text);
    let mut b = Builder {
        text,
        source: &source,
        limits,
        nodes: 0,
        anchors: Vec::new(),
        stack: Vec::new(),
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| scan_error(&e))?;
        match event {
            Event::StreamStart | Event::DocumentStart(..) => {}
            Event::StreamEnd => break,
            Event::DocumentEnd if b.root.is_some() => break,
            Event::DocumentEnd => {}
            Event::Alias(id) => {
                let node = b
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map(|(_, n)| n.clone())
                    .ok_or_else(|| b.error(span.start, "alias to an unknown anchor"))?;
                let count = count_nodes(&node);
                b.nodes = b.nodes.saturating_add(count);
                if b.nodes > b.limits.max_nodes {
                    return Err(b.error(
                        span.start,
                        "alias expansion exceeds the node budget (possible alias bomb)",
                    ));
                }
                b.push_node(node, 0)?;
            }
            Event::Scalar(value, style, anchor, _tag) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                let sp = b.span(span.start, span.end);
                b.count(span.start)?;
                let node = Node {
                    value: Value::Scalar(Cow::into_owned(value), style),
                    span: sp,
                };
                b.push_node(node, anchor)?;
            }
            Event::SequenceStart(_, anchor, _) => {
                b.open(span.start, Frame::seq(anchor, b.span(span.start, span.end)))?
            }
            Event::MappingStart(_, anchor, _) => {
                b.open(span.start, Frame::map(anchor, b.span(span.start, span.end)))?
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = b
                    .stack
                    .pop()
                    .ok_or_else(|| b.error(span.start, "unbalanced collection end"))?;
                let end = b.span(span.start, span.end);
                let anchor = frame.anchor;
                let node = frame.finish(end);
                b.push_node(node, anchor)?;
            }
            Event::UnresolvedAlias(name) => {
                return Err(b.error(span.start, &format!("alias `*{name}` to an unknown anchor")));
            }
            _ => {}
        }
    }
    Ok(b.root.unwrap_or(Node {
        value: Value::Scalar(String::new(), Style::Plain),
        span: Span {
            start_line: 1,
            start_column: 1,
            end_line: 1,
            end_column: 1,
            start_offset: 0,
            end_offset: 0,
        },
    }))
}

fn count_nodes(n: &Node) -> usize {
    let mut count = 0usize;
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.value {
            Value::Scalar(..) => {}
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(entries) => {
                for (k, v) in entries {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
    }
    count
}

fn scan_error(e: &ScanError) -> YamlError {
    YamlError {
        line: u32::try_from(e.marker().line()).unwrap_or(u32::MAX),
        column: u32::try_from(e.marker().col() + 1).unwrap_or(u32::MAX),
        message: e.info(),
    }
}

enum Kind {
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>, Option<Node>, HashMap<String, u32>),
}

struct Frame {
    anchor: usize,
    start: Span,
    kind: Kind,
}

impl Frame {
    fn seq(anchor: usize, start: Span) -> Frame {
        Frame {
            anchor,
            start,
            kind: Kind::Seq(Vec::new()),
        }
    }

    fn map(anchor: usize, start: Span) -> Frame {
        Frame {
            anchor,
            start,
            kind: Kind::Map(Vec::new(), None, HashMap::new()),
        }
    }

    /// Builds the collection node. Its span runs from the collection start (the first item for
    /// block collections, the bracket for flow ones) to the end of its last child, or to the
    /// closing bracket: block collections' end events sit at the next token, which may be
    /// lines further down, after comments.
    fn finish(self, end: Span) -> Node {
        let mut span = self.start;
        let last_end = match &self.kind {
            Kind::Seq(items) => items.last().map(|n| n.span),
            Kind::Map(entries, _, _) => entries.last().map(|(_, v)| v.span),
        };
        let close = if end.end_offset > end.start_offset {
            Some(end)
        } else {
            None
        };
        let tail = close.or(last_end).unwrap_or(self.start);
        if tail.end_offset >= span.start_offset {
            span.end_line = tail.end_line;
            span.end_column = tail.end_column;
            span.end_offset = tail.end_offset;
        }
        let value = match self.kind {
            Kind::Seq(items) => Value::Seq(items),
            Kind::Map(entries, _, _) => Value::Map(entries),
        };
        Node { value, span }
    }
}

struct Builder<'a> {
    text: &'a str,
    source: &'a SourceFile,
    limits: Limits,
    nodes: usize,
    anchors: Vec<(usize, Node)>,
    stack: Vec<Frame>,
    root: Option<Node>,
}

impl Builder<'_> {
    fn offset(&self, m: Marker) -> usize {
        if let Some(b) = m.byte_offset() {
            return b.min(self.text.len());
        }
        let Some(start) = self.source.line_start(m.line()) else {
            return self.text.len();
        };
        let line = self.source.line(m.line()).unwrap_or("");
        let within = line
            .char_indices()
            .nth(m.col())
            .map_or(line.len(), |(i, _)| i);
        // The column may point just past the line's text (at its line break).
        (start + within + m.col().saturating_sub(line.chars().count())).min(self.text.len())
    }

    /// Spans take line and column from the byte offsets through [`SourceFile`], so they agree
    /// with every other span Garrison computes (a lone `\r` is a YAML line break but not a
    /// line for editors or for `SourceFile`).
    fn span(&self, start: Marker, end: Marker) -> Span {
        let start_offset = self.offset(start);
        let end_offset = self.offset(end).max(start_offset);
        self.source.span(start_offset, end_offset)
    }

    fn error(&self, m: Marker, message: &str) -> YamlError {
        YamlError {
            line: u32::try_from(m.line()).unwrap_or(u32::MAX),
            column: u32::try_from(m.col() + 1).unwrap_or(u32::MAX),
            message: message.to_string(),
        }
    }

    fn count(&mut self, at: Marker) -> Result<(), YamlError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(self.error(at, "document has too many nodes"));
        }
        Ok(())
    }

    fn open(&mut self, at: Marker, frame: Frame) -> Result<(), YamlError> {
        self.count(at)?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.error(
                at,
                &format!("nesting deeper than {} levels", self.limits.max_depth),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn push_node(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame {
                kind: Kind::Seq(items),
                ..
            }) => items.push(node),
            Some(Frame {
                kind: Kind::Map(entries, pending, seen),
                ..
            }) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    if let Some(k) = key.as_str() {
                        if let Some(first) = seen.get(k) {
                            return Err(YamlError {
                                line: key.span.start_line,
                                column: key.span.start_column,
                                message: format!(
                                    "duplicate key `{k}` (first defined on line {first})"
                                ),
                            });
                        }
                        seen.insert(k.to_string(), key.span.start_line);
                    }
                    entries.push((key, node));
                }
            },
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
