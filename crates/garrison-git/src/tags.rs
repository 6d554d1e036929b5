//! Tags: what they point at, who made them and when, and whether they carry a signature.

use std::path::Path;

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::objs::{CommitRef, TagRef};

use crate::mine::Skipped;
use crate::{GitError, Identity, Tag};

/// Peeling depth for tags pointing at tags.
const MAX_TAG_CHAIN: usize = 8;

/// The repository's tags, sorted by name (taggers as recorded, without `.mailmap`).
///
/// Tags that cannot be read are left out; the reasons are returned as warnings.
pub fn tags(path: &Path) -> Result<(Vec<Tag>, Vec<String>), GitError> {
    let repo = crate::open(path)?;
    let mut warnings = Vec::new();
    let tags = read_tags(&repo, &mut warnings).map_err(|e| GitError::Walk(e.to_string()))?;
    Ok((tags, warnings))
}

pub(crate) fn identity(sig: &gix::actor::SignatureRef<'_>) -> Identity {
    let t = sig.trim();
    Identity {
        name: t.name.to_str_lossy().into_owned(),
        email: t.email.to_str_lossy().into_owned(),
    }
}

pub(crate) fn sig_time(sig: &gix::actor::SignatureRef<'_>) -> (i64, i32) {
    match sig.time() {
        Ok(t) => (t.seconds, t.offset / 60),
        Err(_) => (sig.seconds(), 0),
    }
}

/// Every tag, sorted by name; unreadable ones become warnings. Fails only when the references
/// cannot be listed at all.
pub(crate) fn read_tags(
    repo: &gix::Repository,
    warnings: &mut Vec<String>,
) -> Result<Vec<Tag>, Skipped> {
    let mut tags = Vec::new();
    let platform = repo
        .references()
        .map_err(|e| Skipped::Tags(e.to_string()))?;
    let iter = platform.tags().map_err(|e| Skipped::Tags(e.to_string()))?;
    for r in iter {
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                warnings.push(format!("tag: {e}"));
                continue;
            }
        };
        let name = r.name().shorten().to_str_lossy().into_owned();
        let Some(mut id) = r.target().try_id().map(ToOwned::to_owned) else {
            continue;
        };
        let mut tag = Tag {
            name,
            target: String::new(),
            tagger: None,
            time: None,
            signed: false,
            annotated: false,
            created: None,
        };
        for _ in 0..MAX_TAG_CHAIN {
            let Ok(obj) = repo.find_object(id) else {
                warnings.push(format!("tag {}: cannot read {id}", tag.name));
                break;
            };
            if obj.kind == gix::objs::Kind::Commit {
                if tag.created.is_none()
                    && let Ok(c) = CommitRef::from_bytes(&obj.data, repo.object_hash())
                    && let Ok(committer) = c.committer()
                {
                    tag.created = Some(sig_time(&committer).0);
                }
                break;
            }
            if obj.kind != gix::objs::Kind::Tag {
                break;
            }
            let Ok(t) = TagRef::from_bytes(&obj.data, repo.object_hash()) else {
                warnings.push(format!("tag {}: cannot parse {id}", tag.name));
                break;
            };
            if !tag.annotated {
                tag.annotated = true;
                tag.signed = t.signature.is_some() || has_signature(t.message);
                if let Ok(Some(sig)) = t.tagger() {
                    tag.tagger = Some(identity(&sig));
                    tag.time = Some(sig_time(&sig).0);
                    tag.created = tag.time;
                }
            }
            match ObjectId::from_hex(t.target) {
                Ok(next) => id = next,
                Err(_) => break,
            }
        }
        tag.target = id.to_hex().to_string();
        tags.push(tag);
    }
    tags.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tags)
}

fn has_signature(message: &BStr) -> bool {
    message.find(b"-----BEGIN PGP SIGNATURE-----").is_some()
        || message.find(b"-----BEGIN SSH SIGNATURE-----").is_some()
}
