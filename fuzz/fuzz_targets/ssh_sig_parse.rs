//! Fuzz target for `garrison-sign`'s parsers of untrusted input: the first byte picks the
//! armored SSH signature parser (then re-armoring and verification of whatever parsed), the
//! allowed_signers parser (then an authorization check of a real signature against every
//! parsed file), or the public-key parser. Nothing may panic; a parsed signature must re-armor
//! to one that parses to the same value; no signature may verify over the wrong message.

#![no_main]

use garrison_sign::{AllowedSigners, PublicKey, Signature, Signer, verify};
use libfuzzer_sys::fuzz_target;

/// `ssh-keygen -Y sign -n file` of the 4 bytes `fuzz` with the key below.
const SIG: &str = "-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgSG0X4v3NTl+zpq3ebVDP1cHAXA
d8bUGRcGa9D3s/ekgAAAAEZmlsZQAAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gtZWQyNTUx
OQAAAEAseW008XMA1xvu1+PqSeCi9QVdd94w8aO8l+ZlBezVBlhT2GY/k6ooPJIPNKmIWX
zJVZUEq50BjF7KVN8mABUJ
-----END SSH SIGNATURE-----
";
const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEhtF+L9zU5fs6at3m1Qz9XBwFwHfG1BkXBmvQ97P3pI";

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    match sel % 3 {
        0 => {
            let Ok(sig) = Signature::parse(bytes) else {
                return;
            };
            let again = Signature::parse(sig.to_armored().as_bytes());
            assert_eq!(again.as_ref().ok(), Some(&sig), "re-armoring changed the signature");
            let _ = (sig.namespace(), sig.hash_algorithm(), sig.key_fingerprint());
            let key = sig.public_key();
            let ns = sig.namespace().to_string();
            // The fixed message `fuzz` was signed only by the real signature; a fuzzed one
            // verifying over another message would be a forgery.
            let r = verify(&sig, &mut &b"not fuzz"[..], &ns, &Signer::PublicKey(&key));
            assert!(r.is_err(), "a fuzzed signature verified over an unrelated message");
        }
        1 => {
            let Ok(text) = std::str::from_utf8(bytes) else {
                return;
            };
            let Ok(signers) = AllowedSigners::parse(text) else {
                return;
            };
            let lines = text.lines().count();
            for e in &signers.entries {
                assert!(e.line >= 1 && e.line <= lines);
                assert!(!e.principals.is_empty());
            }
            let sig = Signature::parse(SIG.as_bytes()).expect("embedded signature");
            for principal in ["a@example.org", "*", ""] {
                let signer = Signer::AllowedSigners {
                    signers: &signers,
                    principal,
                    now: 1_767_225_600,
                };
                if let Ok(v) = verify(&sig, &mut &b"fuzz"[..], "file", &signer) {
                    // Only an entry holding the signing key may allow it.
                    let (_, line) = v.principal.expect("allowed_signers result");
                    let entry = signers.entries.iter().find(|e| e.line == line);
                    assert_eq!(
                        entry.map(|e| e.key.fingerprint()),
                        Some(sig.key_fingerprint())
                    );
                }
            }
        }
        _ => {
            let Ok(text) = std::str::from_utf8(bytes) else {
                return;
            };
            if let Ok(key) = PublicKey::parse(text) {
                let _ = (key.fingerprint(), key.algorithm());
                let again = PublicKey::parse(&key.to_openssh());
                assert_eq!(again.ok().as_ref(), Some(&key), "round trip changed the key");
                let _ = PublicKey::parse(KEY);
            }
        }
    }
});
