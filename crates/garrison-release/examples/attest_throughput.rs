//! PEP 740 verification throughput as `garrison verify --lock` does it per attestation
//! (`pep740::verify_attestation_signer`, then the signer compared with the expected publisher),
//! repeated N times on one real attestation, in parallel (rayon, all cores) and on one thread.
//! Used by `bench/verify-lock.sh`.
//!
//! ```sh
//! cargo run --release -p garrison-release --example attest_throughput -- \
//!   ATTESTATION DIST_FILENAME SHA256 "github:OWNER/REPO workflow=FILE" N [--staging]
//! ```
//!
//! Prints `parallel_ms sequential_ms` (wall time for N verifications each).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::Instant;

use garrison_release::lock::{parse_publisher, parse_sha256};
use garrison_sigstore::TrustedRoot;
use garrison_sigstore::pep740::{Publisher, verify_attestation_signer};
use rayon::prelude::*;

fn once(json: &[u8], name: &str, digest: [u8; 32], want: &Publisher, root: &TrustedRoot) -> bool {
    matches!(
        verify_attestation_signer(json, name, digest, root),
        Ok((_, Some(p))) if p.same_as(want)
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, name, sha, publisher, n, rest @ ..] = args.as_slice() else {
        eprintln!(
            "usage: attest_throughput ATTESTATION DIST_FILENAME SHA256 PUBLISHER N [--staging]"
        );
        return ExitCode::from(2);
    };
    let (Ok(json), Some(digest), Ok(want), Ok(n)) = (
        std::fs::read(path),
        parse_sha256(sha),
        parse_publisher(publisher),
        n.parse::<usize>(),
    ) else {
        eprintln!("attest_throughput: bad arguments");
        return ExitCode::from(2);
    };
    let root = if rest.iter().any(|a| a == "--staging") {
        TrustedRoot::staging()
    } else {
        TrustedRoot::production()
    };
    let Ok(root) = root else {
        eprintln!("attest_throughput: cannot load the trust root");
        return ExitCode::from(2);
    };
    if !once(&json, name, digest, &want, &root) {
        eprintln!("attest_throughput: the attestation does not verify against {want}");
        return ExitCode::from(1);
    }
    let t = Instant::now();
    let ok = (0..n)
        .into_par_iter()
        .filter(|_| once(&json, name, digest, &want, &root))
        .count();
    let parallel = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let ok_seq = (0..n)
        .filter(|_| once(&json, name, digest, &want, &root))
        .count();
    let sequential = t.elapsed().as_secs_f64() * 1000.0;
    if ok != n || ok_seq != n {
        eprintln!("attest_throughput: only {ok}/{n} and {ok_seq}/{n} verified");
        return ExitCode::from(1);
    }
    println!("{parallel:.1} {sequential:.1}");
    ExitCode::SUCCESS
}
