//! Iterative analyses over parsed expressions.

use crate::{BinaryOp, Context, ContextPart, Expr, SpannedExpr};

fn index_exprs(parts: &[ContextPart]) -> impl Iterator<Item = &SpannedExpr> {
    parts.iter().filter_map(|p| match p {
        ContextPart::Index { expr, .. } => Some(&**expr),
        _ => None,
    })
}

impl SpannedExpr {
    /// The direct sub-expressions of this node, in source order: index expressions of a
    /// context, the base then index expressions of an access, call arguments, operands.
    pub fn children(&self) -> Vec<&SpannedExpr> {
        let mut out = Vec::new();
        match &self.expr {
            Expr::Literal(_) => {}
            Expr::Context(ctx) => out.extend(index_exprs(&ctx.parts)),
            Expr::Access { base, path } => {
                out.push(&**base);
                out.extend(index_exprs(path));
            }
            Expr::Call { args, .. } => out.extend(args.iter()),
            Expr::Unary { expr, .. } => out.push(&**expr),
            Expr::Binary { lhs, rhs, .. } => {
                out.push(&**lhs);
                out.push(&**rhs);
            }
        }
        out
    }

    /// If this node is a context, returns it.
    pub fn as_context(&self) -> Option<&Context> {
        match &self.expr {
            Expr::Context(c) => Some(c),
            _ => None,
        }
    }
}

/// Calls `f` on every node of the tree in pre-order (a node before its children, children in
/// source order). Iterative: uses an explicit stack, never recursion.
pub fn walk<'a>(expr: &'a SpannedExpr, mut f: impl FnMut(&'a SpannedExpr)) {
    let mut stack = vec![expr];
    while let Some(node) = stack.pop() {
        f(node);
        stack.extend(node.children().into_iter().rev());
    }
}

/// Indexes of the arguments of function `name` (lowercase) whose values can become part of the
/// function's result, given `argc` arguments.
fn flowing_args(name: &str, argc: usize) -> Vec<usize> {
    match name {
        // Booleans, hashes and status checks: no argument value reaches the result.
        "contains" | "startswith" | "endswith" | "success" | "failure" | "always" | "cancelled"
        | "hashfiles" => Vec::new(),
        // case(pred1, val1, pred2, val2, ..., default): the values and the default flow, the
        // predicates (which must be booleans) do not.
        "case" => (0..argc).filter(|i| i % 2 == 1 || *i + 1 == argc).collect(),
        // format, join, tojson, fromjson and unknown functions: every argument flows.
        _ => (0..argc).collect(),
    }
}

/// Contexts whose *value* can flow into the result of the expression, i.e. could be injected
/// when the result is interpolated into a shell script. In source order.
///
/// - a bare context flows (including its index, as one context); index expressions do not;
/// - literals do not;
/// - `a || b`, `a && b`: both operands may flow (GitHub returns an operand, not a boolean);
/// - `!x`, `==`, `!=`, `<`, `<=`, `>`, `>=` produce booleans: nothing flows;
/// - `contains`, `startsWith`, `endsWith`, `success`, `failure`, `always`, `cancelled`,
///   `hashFiles`: nothing flows; `case(p, v, ..., d)`: the values and the default flow;
///   `format`, `join`, `toJSON`, `fromJSON` and unknown functions: every argument flows;
/// - an access on a non-context, e.g. `fromJSON(x).a` or `(a || b)[0]`: whatever flows from the
///   base (`x`; `a` and `b`), reported without the accessor suffix.
pub fn flowing_contexts(expr: &SpannedExpr) -> Vec<&Context> {
    let mut out = Vec::new();
    let mut stack = vec![expr];
    while let Some(node) = stack.pop() {
        match &node.expr {
            Expr::Literal(_) | Expr::Unary { .. } => {}
            Expr::Context(ctx) => out.push(ctx),
            Expr::Access { base, .. } => stack.push(base),
            Expr::Binary { op, lhs, rhs } => {
                if matches!(op, BinaryOp::Or | BinaryOp::And) {
                    stack.push(rhs);
                    stack.push(lhs);
                }
            }
            Expr::Call { name, args, .. } => {
                let idx = flowing_args(name, args.len());
                stack.extend(idx.iter().rev().filter_map(|&i| args.get(i)));
            }
        }
    }
    out
}

/// Every context referenced anywhere in the expression, in pre-order (a context before the
/// contexts used in its index expressions). Useful for `if:` analysis and secret detection.
pub fn all_contexts(expr: &SpannedExpr) -> Vec<&Context> {
    let mut out = Vec::new();
    walk(expr, |e| {
        if let Expr::Context(c) = &e.expr {
            out.push(c);
        }
    });
    out
}

/// Every function call in the expression, in pre-order, as `(lowercased name, arguments)`,
/// e.g. `("tojson", [secrets])` for `toJSON(secrets)`.
pub fn calls(expr: &SpannedExpr) -> Vec<(&str, &[SpannedExpr])> {
    let mut out = Vec::new();
    walk(expr, |e| {
        if let Expr::Call { name, args, .. } = &e.expr {
            out.push((name.as_str(), args.as_slice()));
        }
    });
    out
}
