//! Parser and static analysis for GitHub Actions `${{ ... }}` expressions.
//!
//! See <https://docs.github.com/en/actions/learn-github-actions/expressions> for the language.
//! The grammar implemented here follows the official parser (`actions/languageservices`):
//!
//! ```text
//! expr    := or
//! or      := and ( "||" and )*
//! and     := eq ( "&&" eq )*
//! eq      := cmp ( ( "==" | "!=" ) cmp )*
//! cmp     := unary ( ( "<" | "<=" | ">" | ">=" ) unary )*
//! unary   := "!" unary | postfix
//! postfix := primary ( "." ident | ".*" | "[" "*" "]" | "[" expr "]" )*
//! primary := literal | ident "(" args ")" | ident | "(" expr ")"
//! ```
//!
//! Literals are `null`, `true`, `false` (case-sensitive), numbers (`1`, `-1`, `1.5`, `.5`,
//! `1e3`, `0xff`, `0o17`, `0b101`, `NaN`, `Infinity`) and single-quoted strings with `''` as
//! an escaped quote. Identifiers (`[A-Za-z_][A-Za-z0-9_-]*`) and function names are
//! case-insensitive and stored lowercased. Accessors (`.name`, `[i]`) are not allowed directly
//! on literals (as in GitHub), only on contexts, calls and parenthesized expressions.
//!
//! # Robustness
//!
//! Input is treated as hostile. Nothing in this crate panics on any input and all work is
//! linear in the input length. The parser does not recurse at all (it keeps an explicit stack),
//! and neither do the analyses ([`walk`], [`flowing_contexts`], [`all_contexts`], [`calls`]).
//! Syntactic nesting (parentheses, brackets, call arguments, `!`) is still limited to
//! [`MAX_DEPTH`] levels and the height of the produced tree to [`MAX_HEIGHT`], so that `Drop`
//! and any recursive visitor written by a caller stay shallow.
//!
//! # Example
//!
//! ```
//! let embedded = garrison_expr::find_embedded("echo ${{ github.event.issue.title || 'x' }}");
//! assert_eq!(embedded.len(), 1);
//! let expr = embedded[0].parsed.as_ref().map_err(|e| e.to_string())?;
//! let flowing: Vec<String> = garrison_expr::flowing_contexts(expr)
//!     .iter()
//!     .map(|c| c.normalized())
//!     .collect();
//! assert_eq!(flowing, ["github.event.issue.title"]);
//! # Ok::<(), String>(())
//! ```

mod analysis;
mod context;
mod embedded;
mod lexer;
mod parser;

#[cfg(test)]
mod tests;

pub use analysis::{all_contexts, calls, flowing_contexts, walk};
pub use embedded::find_embedded;
pub use parser::{parse, parse_with_offset};

/// Byte range relative to the start of the string given to the function (or, for
/// [`parse_with_offset`] and [`find_embedded`], shifted by the given / enclosing offset).
pub type Range = std::ops::Range<usize>;

/// Maximum syntactic nesting depth (parentheses, index brackets, call arguments, `!`).
/// Deeper input is rejected with [`ExprErrorKind::TooDeep`].
pub const MAX_DEPTH: usize = 64;

/// Maximum height of the expression tree (long `a || b || c ...` chains build tall trees).
/// Taller trees are rejected with [`ExprErrorKind::TooLarge`].
pub const MAX_HEIGHT: usize = 512;

/// A parsed expression node together with its source span.
#[derive(Debug, Clone, PartialEq)]
pub struct SpannedExpr {
    /// The expression.
    pub expr: Expr,
    /// Source range of the expression. For a parenthesized expression this includes the
    /// parentheses.
    pub span: Range,
}

/// An expression node. Parentheses do not produce a node of their own (they only widen the
/// span of the [`SpannedExpr`] they wrap).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `null`, `true`, `false`, a number or a string.
    Literal(Literal),
    /// A context path such as `github.event.issue.title` or `matrix['os']`.
    Context(Context),
    /// A function call. `name` is lowercased (function names are case-insensitive).
    Call {
        /// Lowercased function name, e.g. `tojson` for `toJSON`.
        name: String,
        /// Source range of the function name.
        name_span: Range,
        /// The arguments, in order.
        args: Vec<SpannedExpr>,
    },
    /// Property or index access on something that is not a context, e.g. `fromJSON(x).a[0]`
    /// or `(a || b).c`. `path` never contains a root [`ContextPart::Ident`]; every element is
    /// an accessor applied to `base` in order.
    Access {
        /// The expression being dereferenced.
        base: Box<SpannedExpr>,
        /// The accessors applied to `base`, in order.
        path: Vec<ContextPart>,
    },
    /// A unary operation (`!x`).
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        expr: Box<SpannedExpr>,
    },
    /// A binary operation.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<SpannedExpr>,
        /// Right operand.
        rhs: Box<SpannedExpr>,
    },
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number (`1`, `-1.5`, `0xff`, `1e3`, `NaN`, `Infinity`, ...).
    Number(f64),
    /// A string, with `''` escapes already decoded.
    String(String),
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// Logical not, `!`.
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `||` (returns one of its operands).
    Or,
    /// `&&` (returns one of its operands).
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl BinaryOp {
    /// The operator as written in source, e.g. `"&&"`.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
        }
    }

    /// True for `||` and `&&`, which evaluate to one of their operands rather than a boolean.
    pub fn is_logical(self) -> bool {
        matches!(self, BinaryOp::Or | BinaryOp::And)
    }
}

/// A context path such as `github.event.pull_request.title`, `steps.x.outputs.y`,
/// `github.event.commits[0].message`, `github.event.pages.*.page_name`, `secrets.TOKEN` or
/// `inputs['foo']`.
///
/// `parts[0]` is always a [`ContextPart::Ident`] (the root, e.g. `github`) for contexts
/// produced by the parser.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// Root identifier followed by the accessors, in source order.
    pub parts: Vec<ContextPart>,
    /// Source range from the root identifier to the end of the last accessor.
    pub span: Range,
}

/// One element of a [`Context`] path or of an [`Expr::Access`] path.
#[derive(Debug, Clone, PartialEq)]
pub enum ContextPart {
    /// The root identifier or a `.name` property. `name` is ASCII-lowercased (identifiers are
    /// case-insensitive); use `span` to recover the original spelling.
    Ident {
        /// Lowercased identifier.
        name: String,
        /// Source range of the accessor, including the leading `.` for properties.
        span: Range,
    },
    /// The object filter `.*` (`bracketed == false`) or `[*]` (`bracketed == true`).
    Wildcard {
        /// Whether it was written `[*]` rather than `.*`.
        bracketed: bool,
        /// Source range of the accessor.
        span: Range,
    },
    /// An index `[expr]`, e.g. `[0]`, `['foo']` or `[matrix.key]`.
    Index {
        /// The index expression.
        expr: Box<SpannedExpr>,
        /// Source range of the accessor, including the brackets.
        span: Range,
    },
}

impl ContextPart {
    /// Source range of this accessor.
    pub fn span(&self) -> &Range {
        match self {
            ContextPart::Ident { span, .. }
            | ContextPart::Wildcard { span, .. }
            | ContextPart::Index { span, .. } => span,
        }
    }
}

/// Why an expression could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExprErrorKind {
    /// The expression contains no tokens.
    #[error("empty expression")]
    Empty,
    /// A character sequence that is not a valid token (e.g. `=`, `&`, `$foo`).
    #[error("unexpected symbol `{0}`")]
    UnexpectedSymbol(String),
    /// A token that looks like a number but is not a valid one (e.g. `1abc`, `0x`).
    #[error("invalid number `{0}`")]
    InvalidNumber(String),
    /// A string literal without its closing `'`.
    #[error("unterminated string literal")]
    UnterminatedString,
    /// A valid token in a place where it is not allowed.
    #[error("unexpected `{found}`, expected {expected}")]
    UnexpectedToken {
        /// The token found (possibly truncated).
        found: String,
        /// What the parser expected instead.
        expected: &'static str,
    },
    /// The input ended while more was expected.
    #[error("unexpected end of expression, expected {expected}")]
    UnexpectedEnd {
        /// What the parser expected.
        expected: &'static str,
    },
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("expression nested too deeply (more than {MAX_DEPTH} levels)")]
    TooDeep,
    /// Expression tree taller than [`MAX_HEIGHT`].
    #[error("expression too large (tree height above {MAX_HEIGHT})")]
    TooLarge,
    /// A `${{` without a matching `}}` (reported by [`find_embedded`]).
    #[error("`${{{{` is not closed by `}}}}`")]
    Unterminated,
}

/// A parse error: what went wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct ExprError {
    /// Byte offset of the error, relative to the string given to [`parse`] (or shifted by the
    /// offset given to [`parse_with_offset`] / the position inside the text given to
    /// [`find_embedded`]).
    pub offset: usize,
    /// What went wrong.
    pub kind: ExprErrorKind,
}

impl ExprError {
    /// Human-readable message without the offset.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

/// One `${{ ... }}` occurrence found in a larger string (a `run:` script, an `if:`, a `with:`
/// value) by [`find_embedded`].
#[derive(Debug, Clone, PartialEq)]
pub struct Embedded {
    /// Covers `${{` .. `}}` inclusive (to the end of the text when unterminated).
    pub outer: Range,
    /// The text between the delimiters.
    pub inner: Range,
    /// The parsed expression. All spans and error offsets are relative to the text given to
    /// [`find_embedded`], not to `inner`.
    pub parsed: Result<SpannedExpr, ExprError>,
}
