//! How each commit reached the main line, and who put it there.
//!
//! The main line is the first-parent chain from the walked head. A commit on it that is not a
//! merge was pushed (or fast-forwarded) by its committer, unless the committer is GitHub's
//! web-flow identity, in which case it was squash- or rebase-merged through the web UI. Commits
//! reachable from a merge's other parents (and not already on the main line or landed by an
//! earlier merge) were brought in by that merge, and the merger is the merge's committer (or its
//! author when GitHub committed it, as the web UI does).

use std::collections::HashMap;

use crate::{Commit, History, Identity};

/// How a commit landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LandingKind {
    /// On the main line, committed by someone other than GitHub: pushed directly.
    Direct,
    /// Brought in by a merge commit on the main line.
    Merge,
    /// On the main line, committed by GitHub's web UI (squash or rebase merge of a pull request;
    /// the person who pressed the button is not recorded).
    WebUi,
    /// Not on the main line of the walk (a range under review, or a side branch never merged).
    Unlanded,
}

/// How one commit landed and who landed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landing {
    /// How.
    pub kind: LandingKind,
    /// Who pushed or merged it, when known.
    pub by: Option<Identity>,
    /// The merge commit that brought it in (hex), for [`LandingKind::Merge`].
    pub merge: Option<String>,
}

/// GitHub's web-flow committer (`GitHub <noreply@github.com>`).
pub fn is_github_committer(id: &Identity) -> bool {
    id.email.eq_ignore_ascii_case("noreply@github.com")
}

fn merger(m: &Commit) -> Identity {
    if is_github_committer(&m.committer) {
        m.author.clone()
    } else {
        m.committer.clone()
    }
}

/// Landing of every commit of `history`, aligned with [`History::commits`].
pub fn landings(history: &History) -> Vec<Landing> {
    let commits = &history.commits;
    let index: HashMap<&str, usize> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut out: Vec<Option<Landing>> = vec![None; commits.len()];

    // First-parent chain from the head.
    let mut chain = Vec::new();
    let mut cur = history.head.as_deref().and_then(|h| index.get(h).copied());
    while let Some(i) = cur {
        if out.get(i).is_some_and(Option::is_some) {
            break; // defensive: a cycle cannot happen in git, but never loop
        }
        let Some(c) = commits.get(i) else { break };
        let landing = if is_github_committer(&c.committer) {
            Landing {
                kind: LandingKind::WebUi,
                by: None,
                merge: None,
            }
        } else {
            Landing {
                kind: LandingKind::Direct,
                by: Some(c.committer.clone()),
                merge: None,
            }
        };
        if let Some(slot) = out.get_mut(i) {
            *slot = Some(landing);
        }
        chain.push(i);
        cur = c
            .parents
            .first()
            .and_then(|p| index.get(p.as_str()).copied());
    }

    // Merges, oldest first: everything their side parents reach that is not landed yet.
    let mut stack = Vec::new();
    for &m in chain.iter().rev() {
        let Some(mc) = commits.get(m) else { continue };
        if mc.parents.len() < 2 {
            continue;
        }
        let by = merger(mc);
        for p in mc.parents.iter().skip(1) {
            if let Some(&j) = index.get(p.as_str()) {
                stack.push(j);
            }
        }
        while let Some(j) = stack.pop() {
            let Some(slot) = out.get_mut(j) else { continue };
            if slot.is_some() {
                continue;
            }
            *slot = Some(Landing {
                kind: LandingKind::Merge,
                by: Some(by.clone()),
                merge: Some(mc.id.clone()),
            });
            if let Some(c) = commits.get(j) {
                for p in &c.parents {
                    if let Some(&k) = index.get(p.as_str())
                        && out.get(k).is_some_and(Option::is_none)
                    {
                        stack.push(k);
                    }
                }
            }
        }
    }

    out.into_iter()
        .map(|l| {
            l.unwrap_or(Landing {
                kind: LandingKind::Unlanded,
                by: None,
                merge: None,
            })
        })
        .collect()
}
