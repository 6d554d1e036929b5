//! A small, deterministic isolation forest (Liu, Ting & Zhou, 2008).
//!
//! Each tree isolates points of a random subsample by random axis-aligned cuts; points that are
//! isolated after few cuts are unusual. The anomaly score is `2^(-E[h(x)] / c(n))`: about 0.5
//! for ordinary points, approaching 1 for outliers. Trees are built iteratively (no recursion)
//! with a depth limit of `ceil(log2(sample))`, and the random numbers come from a seeded
//! xorshift generator so results are reproducible.

/// A fitted forest.
#[derive(Debug, Clone, Default)]
pub(crate) struct Forest {
    trees: Vec<Vec<Node>>,
    sample: usize,
}

#[derive(Debug, Clone, Copy)]
enum Node {
    /// `value` = depth of the leaf + c(points in it), precomputed at fit time.
    Leaf { value: f64 },
    Split {
        feature: usize,
        value: f64,
        left: usize,
        right: usize,
    },
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next() % (n as u64)).unwrap_or(0)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Average path length of an unsuccessful BST search over `n` points.
fn c(n: usize) -> f64 {
    if n <= 1 {
        return 0.0;
    }
    let n = n as f64;
    2.0 * ((n - 1.0).ln() + 0.577_215_664_9) - 2.0 * (n - 1.0) / n
}

impl Forest {
    /// Fit `trees` trees on subsamples of `sample` rows of `rows`.
    pub(crate) fn fit(rows: &[Vec<f64>], trees: usize, sample: usize, seed: u64) -> Forest {
        let n = rows.len();
        if n == 0 {
            return Forest::default();
        }
        let sample = sample.min(n).max(1);
        let max_depth = (sample as f64).log2().ceil() as usize;
        let dims = rows.first().map_or(0, Vec::len);
        let mut rng = Rng(seed | 1);
        let mut out = Vec::with_capacity(trees);
        for _ in 0..trees {
            // Subsample without replacement (partial Fisher–Yates over indices).
            let mut idx: Vec<usize> = (0..n).collect();
            for i in 0..sample {
                let j = i + rng.below(n - i);
                idx.swap(i, j);
            }
            idx.truncate(sample);
            out.push(build(rows, idx, dims, max_depth, &mut rng));
        }
        Forest { trees: out, sample }
    }

    /// Anomaly score of `x` in (0, 1]; 0.5 when the forest is empty.
    pub(crate) fn score(&self, x: &[f64]) -> f64 {
        if self.trees.is_empty() {
            return 0.5;
        }
        let mut total = 0.0;
        for t in &self.trees {
            total += path_length(t, x);
        }
        let mean = total / self.trees.len() as f64;
        let cn = c(self.sample);
        if cn <= 0.0 {
            return 0.5;
        }
        2f64.powf(-mean / cn)
    }
}

fn build(
    rows: &[Vec<f64>],
    idx: Vec<usize>,
    dims: usize,
    max_depth: usize,
    rng: &mut Rng,
) -> Vec<Node> {
    let mut nodes = vec![Node::Leaf {
        value: c(idx.len()),
    }];
    // (node slot, member rows, depth)
    let mut stack = vec![(0usize, idx, 0usize)];
    while let Some((slot, members, depth)) = stack.pop() {
        if depth >= max_depth || members.len() <= 1 || dims == 0 {
            continue;
        }
        // Pick a feature that varies among the members (a few tries), then a cut.
        let mut split = None;
        for _ in 0..dims.min(8) {
            let f = rng.below(dims);
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for &m in &members {
                let v = rows.get(m).and_then(|r| r.get(f)).copied().unwrap_or(0.0);
                lo = lo.min(v);
                hi = hi.max(v);
            }
            if hi > lo {
                split = Some((f, lo + rng.unit() * (hi - lo)));
                break;
            }
        }
        let Some((feature, value)) = split else {
            continue;
        };
        let (l, r): (Vec<usize>, Vec<usize>) = members.into_iter().partition(|&m| {
            rows.get(m)
                .and_then(|r| r.get(feature))
                .copied()
                .unwrap_or(0.0)
                < value
        });
        let left = nodes.len();
        nodes.push(Node::Leaf {
            value: (depth + 1) as f64 + c(l.len()),
        });
        let right = nodes.len();
        nodes.push(Node::Leaf {
            value: (depth + 1) as f64 + c(r.len()),
        });
        if let Some(n) = nodes.get_mut(slot) {
            *n = Node::Split {
                feature,
                value,
                left,
                right,
            };
        }
        stack.push((left, l, depth + 1));
        stack.push((right, r, depth + 1));
    }
    nodes
}

fn path_length(tree: &[Node], x: &[f64]) -> f64 {
    let mut i = 0;
    let mut depth = 0.0;
    // Leaves carry their depth; `depth` only matters for a malformed tree.
    // Depth is bounded by the build's max depth; the guard bounds a malformed tree too.
    for _ in 0..=tree.len() {
        match tree.get(i) {
            Some(Node::Split {
                feature,
                value,
                left,
                right,
            }) => {
                let v = x.get(*feature).copied().unwrap_or(0.0);
                i = if v < *value { *left } else { *right };
                depth += 1.0;
            }
            Some(Node::Leaf { value }) => return *value,
            None => return depth,
        }
    }
    depth
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outliers_score_higher() {
        let mut rows = Vec::new();
        let mut rng = Rng(7);
        for _ in 0..1000 {
            rows.push(vec![rng.unit(), rng.unit(), rng.unit()]);
        }
        let f = Forest::fit(&rows, 100, 256, 42);
        let inlier = f.score(&[0.5, 0.5, 0.5]);
        let outlier = f.score(&[5.0, -3.0, 0.5]);
        assert!(inlier < 0.5, "{inlier}");
        assert!(outlier > 0.6 && outlier > inlier + 0.15, "{outlier}");
        // Deterministic.
        let g = Forest::fit(&rows, 100, 256, 42);
        assert!((g.score(&[5.0, -3.0, 0.5]) - outlier).abs() < 1e-12);
    }

    #[test]
    fn degenerate_inputs() {
        assert!((Forest::fit(&[], 10, 256, 1).score(&[1.0]) - 0.5).abs() < 1e-12);
        let same = vec![vec![1.0, 2.0]; 50];
        let f = Forest::fit(&same, 10, 256, 1);
        let s = f.score(&[1.0, 2.0]);
        assert!(s.is_finite());
    }
}
