//! Non-recursive parser.
//!
//! Binary operators are handled by operator precedence (shunting-yard) and every nesting
//! construct (`( )`, call arguments, `[ ]`) pushes an explicit [`Level`] instead of recursing, so
//! stack usage is constant regardless of input. Nesting depth is still limited to
//! [`MAX_DEPTH`] and tree height to [`MAX_HEIGHT`] to keep the resulting tree shallow.

use crate::lexer::{Tok, Token, lex};
use crate::{
    BinaryOp, Context, ContextPart, Expr, ExprError, ExprErrorKind, Literal, MAX_DEPTH, MAX_HEIGHT,
    Range, SpannedExpr, UnaryOp,
};

/// Parses a bare expression (the inside of `${{ }}`, without the braces).
///
/// Spans in the result and the error offset are relative to `src`.
///
/// ```
/// let e = garrison_expr::parse("contains(github.event.issue.labels.*.name, 'bug')")?;
/// assert_eq!(e.span, 0..49);
/// # Ok::<(), garrison_expr::ExprError>(())
/// ```
pub fn parse(src: &str) -> Result<SpannedExpr, ExprError> {
    parse_with_offset(src, 0)
}

/// Like [`parse`], but every span and error offset is shifted by `offset`. Use this when `src`
/// is a slice of a larger document and positions should refer to that document.
pub fn parse_with_offset(src: &str, offset: usize) -> Result<SpannedExpr, ExprError> {
    let toks = lex(src, offset)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 1,
        base: offset,
        end: src.len(),
    };
    if p.toks.is_empty() {
        return Err(p.error_at(p.end, ExprErrorKind::Empty));
    }
    p.run()
}

/// An expression plus the height of its tree (a leaf has height 1).
struct Node {
    e: SpannedExpr,
    h: usize,
    /// Whether the expression was written in parentheses (accessors are then allowed even on
    /// literals).
    grouped: bool,
}

/// What the enclosing construct of an expression being parsed is.
enum Frame {
    /// The whole input.
    Top,
    /// `( expr )`; `open` is the (shifted) offset of the `(`.
    Group { open: usize },
    /// Arguments of a call.
    Call {
        name: String,
        name_span: Range,
        args: Vec<SpannedExpr>,
        h: usize,
    },
    /// `base[ expr ]`; `open` is the (shifted) offset of the `[`.
    Index { base: Node, open: usize },
}

/// One expression being parsed by operator precedence.
struct Level {
    frame: Frame,
    operands: Vec<Node>,
    ops: Vec<BinaryOp>,
    /// Shifted offsets of `!` operators waiting for their operand.
    nots: Vec<usize>,
}

impl Level {
    fn new(frame: Frame) -> Self {
        Level {
            frame,
            operands: Vec::new(),
            ops: Vec::new(),
            nots: Vec::new(),
        }
    }
}

enum Mode {
    /// Expecting an operand (possibly preceded by `!`s).
    Operand,
    /// Have an operand; accessors may follow.
    Postfix(Node),
    /// Have a complete operand; expecting a binary operator or the end of the level.
    Operator,
    /// Finished.
    Done(SpannedExpr),
}

fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => 1,
        BinaryOp::And => 2,
        BinaryOp::Eq | BinaryOp::Ne => 3,
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 4,
    }
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    /// Current nesting depth (levels plus pending `!`s), starting at 1.
    depth: usize,
    base: usize,
    /// Length of the source (offset of end-of-input, without base).
    end: usize,
}

impl Parser {
    fn error_at(&self, local: usize, kind: ExprErrorKind) -> ExprError {
        ExprError {
            offset: self.base.saturating_add(local),
            kind,
        }
    }

    fn span(&self, r: &Range) -> Range {
        self.base.saturating_add(r.start)..self.base.saturating_add(r.end)
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos.saturating_add(n)).map(|t| &t.tok)
    }

    /// Error for the current token (or end of input) when `expected` was wanted.
    fn unexpected(&self, expected: &'static str) -> ExprError {
        match self.toks.get(self.pos) {
            Some(t) => self.error_at(
                t.span.start,
                ExprErrorKind::UnexpectedToken {
                    found: t.tok.describe(),
                    expected,
                },
            ),
            None => self.error_at(self.end, ExprErrorKind::UnexpectedEnd { expected }),
        }
    }

    /// Consumes a token equal to `want` and returns its shifted span, or errors.
    fn expect(&mut self, want: &Tok, expected: &'static str) -> Result<Range, ExprError> {
        match self.toks.get(self.pos) {
            Some(t) if &t.tok == want => {
                let span = self.span(&t.span);
                self.pos += 1;
                Ok(span)
            }
            _ => Err(self.unexpected(expected)),
        }
    }

    /// Increments the nesting depth, failing beyond [`MAX_DEPTH`]. `at` is a shifted offset.
    fn deeper(&mut self, at: usize) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError {
                offset: at,
                kind: ExprErrorKind::TooDeep,
            });
        }
        Ok(())
    }

    fn shallower(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn check_height(h: usize, span: &Range) -> Result<(), ExprError> {
        if h > MAX_HEIGHT {
            return Err(ExprError {
                offset: span.start,
                kind: ExprErrorKind::TooLarge,
            });
        }
        Ok(())
    }

    fn run(&mut self) -> Result<SpannedExpr, ExprError> {
        let mut cur = Level::new(Frame::Top);
        let mut parents: Vec<Level> = Vec::new();
        let mut mode = Mode::Operand;
        loop {
            mode = match mode {
                Mode::Operand => self.operand(&mut cur, &mut parents)?,
                Mode::Postfix(node) => self.postfix(&mut cur, &mut parents, node)?,
                Mode::Operator => self.operator(&mut cur, &mut parents)?,
                Mode::Done(e) => return Ok(e),
            }
        }
    }

    /// Starts a nested level with `frame`.
    fn push_level(
        &mut self,
        cur: &mut Level,
        parents: &mut Vec<Level>,
        frame: Frame,
        at: usize,
    ) -> Result<(), ExprError> {
        self.deeper(at)?;
        parents.push(std::mem::replace(cur, Level::new(frame)));
        Ok(())
    }

    fn operand(&mut self, cur: &mut Level, parents: &mut Vec<Level>) -> Result<Mode, ExprError> {
        let Some(t) = self.toks.get(self.pos).cloned() else {
            return Err(self.unexpected("an expression"));
        };
        self.pos += 1;
        let span = self.span(&t.span);
        let leaf = |expr: Expr| {
            Mode::Postfix(Node {
                e: SpannedExpr {
                    expr,
                    span: span.clone(),
                },
                h: 1,
                grouped: false,
            })
        };
        Ok(match t.tok {
            Tok::Bang => {
                self.deeper(span.start)?;
                cur.nots.push(span.start);
                Mode::Operand
            }
            Tok::Null => leaf(Expr::Literal(Literal::Null)),
            Tok::True => leaf(Expr::Literal(Literal::Bool(true))),
            Tok::False => leaf(Expr::Literal(Literal::Bool(false))),
            Tok::Number(n) => leaf(Expr::Literal(Literal::Number(n))),
            Tok::Str(s) => leaf(Expr::Literal(Literal::String(s))),
            Tok::LParen => {
                self.push_level(cur, parents, Frame::Group { open: span.start }, span.start)?;
                Mode::Operand
            }
            Tok::Ident(name) => {
                let name = name.to_ascii_lowercase();
                if self.peek() == Some(&Tok::LParen) {
                    self.pos += 1;
                    if self.peek() == Some(&Tok::RParen) {
                        let close = self.expect(&Tok::RParen, "`)`")?;
                        Mode::Postfix(Node {
                            e: SpannedExpr {
                                expr: Expr::Call {
                                    name,
                                    name_span: span.clone(),
                                    args: Vec::new(),
                                },
                                span: span.start..close.end,
                            },
                            h: 1,
                            grouped: false,
                        })
                    } else {
                        let frame = Frame::Call {
                            name,
                            name_span: span.clone(),
                            args: Vec::new(),
                            h: 1,
                        };
                        self.push_level(cur, parents, frame, span.start)?;
                        Mode::Operand
                    }
                } else {
                    leaf(Expr::Context(Context {
                        parts: vec![ContextPart::Ident {
                            name,
                            span: span.clone(),
                        }],
                        span: span.clone(),
                    }))
                }
            }
            _ => {
                self.pos -= 1;
                return Err(self.unexpected("an expression"));
            }
        })
    }

    fn postfix(
        &mut self,
        cur: &mut Level,
        parents: &mut Vec<Level>,
        node: Node,
    ) -> Result<Mode, ExprError> {
        let accessible = node.grouped
            || matches!(
                node.e.expr,
                Expr::Context(_) | Expr::Access { .. } | Expr::Call { .. }
            );
        if accessible {
            match self.peek() {
                Some(Tok::Dot) => {
                    let dot = self.toks.get(self.pos).map_or(0, |t| t.span.start);
                    self.pos += 1;
                    let part = match self.toks.get(self.pos) {
                        Some(Token {
                            tok: Tok::Ident(name),
                            span,
                        }) => ContextPart::Ident {
                            name: name.to_ascii_lowercase(),
                            span: self.span(&(dot..span.end)),
                        },
                        Some(Token {
                            tok: Tok::Star,
                            span,
                        }) => ContextPart::Wildcard {
                            bracketed: false,
                            span: self.span(&(dot..span.end)),
                        },
                        _ => return Err(self.unexpected("a property name or `*` after `.`")),
                    };
                    self.pos += 1;
                    return Ok(Mode::Postfix(attach(node, part, 0)?));
                }
                Some(Tok::LBracket) => {
                    let open = self.toks.get(self.pos).map_or(0, |t| t.span.start);
                    let open = self.base.saturating_add(open);
                    self.pos += 1;
                    if self.peek() == Some(&Tok::Star) && self.peek_at(1) == Some(&Tok::RBracket) {
                        self.pos += 1;
                        let close = self.expect(&Tok::RBracket, "`]`")?;
                        let part = ContextPart::Wildcard {
                            bracketed: true,
                            span: open..close.end,
                        };
                        return Ok(Mode::Postfix(attach(node, part, 0)?));
                    }
                    self.push_level(cur, parents, Frame::Index { base: node, open }, open)?;
                    return Ok(Mode::Operand);
                }
                _ => {}
            }
        }
        // The operand is complete: apply pending `!`s (innermost first).
        let mut node = node;
        while let Some(start) = cur.nots.pop() {
            self.shallower();
            let span = start..node.e.span.end;
            let h = node.h + 1;
            Self::check_height(h, &span)?;
            node = Node {
                e: SpannedExpr {
                    expr: Expr::Unary {
                        op: UnaryOp::Not,
                        expr: Box::new(node.e),
                    },
                    span,
                },
                h,
                grouped: false,
            };
        }
        cur.operands.push(node);
        Ok(Mode::Operator)
    }

    fn operator(&mut self, cur: &mut Level, parents: &mut Vec<Level>) -> Result<Mode, ExprError> {
        let op = match self.peek() {
            Some(Tok::Or) => Some(BinaryOp::Or),
            Some(Tok::And) => Some(BinaryOp::And),
            Some(Tok::EqEq) => Some(BinaryOp::Eq),
            Some(Tok::Ne) => Some(BinaryOp::Ne),
            Some(Tok::Lt) => Some(BinaryOp::Lt),
            Some(Tok::Le) => Some(BinaryOp::Le),
            Some(Tok::Gt) => Some(BinaryOp::Gt),
            Some(Tok::Ge) => Some(BinaryOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.pos += 1;
            self.reduce(cur, precedence(op))?;
            cur.ops.push(op);
            return Ok(Mode::Operand);
        }

        // End of the current level's expression.
        self.reduce(cur, 0)?;
        let node = match cur.operands.pop() {
            Some(n) if cur.operands.is_empty() => n,
            // Unreachable: every level ends after an operand and reduce leaves exactly one.
            _ => return Err(self.unexpected("an expression")),
        };
        let Some(parent) = parents.pop() else {
            if self.pos < self.toks.len() {
                return Err(self.unexpected("an operator or end of expression"));
            }
            return Ok(Mode::Done(node.e));
        };
        let finished = std::mem::replace(cur, parent);
        self.shallower();
        match finished.frame {
            Frame::Top => Err(self.unexpected("an operator or end of expression")),
            Frame::Group { open } => {
                let close = self.expect(&Tok::RParen, "`)`")?;
                Ok(Mode::Postfix(Node {
                    e: SpannedExpr {
                        expr: node.e.expr,
                        span: open..close.end,
                    },
                    h: node.h,
                    grouped: true,
                }))
            }
            Frame::Index { base, open } => {
                let close = self.expect(&Tok::RBracket, "`]`")?;
                let part = ContextPart::Index {
                    expr: Box::new(node.e),
                    span: open..close.end,
                };
                Ok(Mode::Postfix(attach(base, part, node.h)?))
            }
            Frame::Call {
                name,
                name_span,
                mut args,
                h,
            } => {
                let h = h.max(node.h + 1);
                args.push(node.e);
                let close = match self.peek() {
                    Some(Tok::Comma) => {
                        self.pos += 1;
                        if self.peek() == Some(&Tok::RParen) {
                            // Trailing comma, accepted as in GitHub's parser.
                            self.expect(&Tok::RParen, "`)`")?
                        } else {
                            let at = name_span.start;
                            let frame = Frame::Call {
                                name,
                                name_span,
                                args,
                                h,
                            };
                            self.push_level(cur, parents, frame, at)?;
                            return Ok(Mode::Operand);
                        }
                    }
                    Some(Tok::RParen) => self.expect(&Tok::RParen, "`)`")?,
                    _ => return Err(self.unexpected("`,` or `)`")),
                };
                let span = name_span.start..close.end;
                Self::check_height(h, &span)?;
                Ok(Mode::Postfix(Node {
                    e: SpannedExpr {
                        expr: Expr::Call {
                            name,
                            name_span,
                            args,
                        },
                        span,
                    },
                    h,
                    grouped: false,
                }))
            }
        }
    }

    /// Applies pending operators of precedence `>= min_prec` (all of them for 0).
    fn reduce(&self, cur: &mut Level, min_prec: u8) -> Result<(), ExprError> {
        while let Some(&op) = cur.ops.last() {
            if precedence(op) < min_prec {
                break;
            }
            cur.ops.pop();
            let (Some(rhs), Some(lhs)) = (cur.operands.pop(), cur.operands.pop()) else {
                // Unreachable: operators are only pushed after an operand.
                return Err(self.unexpected("an expression"));
            };
            let span = lhs.e.span.start..rhs.e.span.end;
            let h = 1 + lhs.h.max(rhs.h);
            Self::check_height(h, &span)?;
            cur.operands.push(Node {
                e: SpannedExpr {
                    expr: Expr::Binary {
                        op,
                        lhs: Box::new(lhs.e),
                        rhs: Box::new(rhs.e),
                    },
                    span,
                },
                h,
                grouped: false,
            });
        }
        Ok(())
    }
}

/// Applies an accessor to `node`, extending a context/access path where possible. `part_h` is
/// the height of the index expression (0 for non-index accessors).
fn attach(node: Node, part: ContextPart, part_h: usize) -> Result<Node, ExprError> {
    let end = part.span().end;
    let Node { e, h, grouped } = node;
    let start = e.span.start;
    let (expr, new_h) = match e.expr {
        Expr::Context(mut ctx) => {
            ctx.parts.push(part);
            // When the context was parenthesized, the path now starts at the `(`.
            ctx.span = ctx.span.start.min(start)..end;
            (Expr::Context(ctx), h.max(part_h + 1))
        }
        Expr::Access { base, mut path } if !grouped => {
            path.push(part);
            (Expr::Access { base, path }, h.max(part_h + 1))
        }
        other => {
            let base = SpannedExpr {
                expr: other,
                span: e.span,
            };
            let expr = Expr::Access {
                base: Box::new(base),
                path: vec![part],
            };
            (expr, (h + 1).max(part_h + 1))
        }
    };
    let span = start..end;
    Parser::check_height(new_h, &span)?;
    Ok(Node {
        e: SpannedExpr { expr, span },
        h: new_h,
        grouped: false,
    })
}
