//! The kinds of content signal, in ONE table: the `kinds!` invocation below gives each built-in
//! kind its constant, its name (what the cache stores), its description and its rank under the
//! per-file cap. A content rule with a detector of its own declares its kind in its rule file
//! ([`KindMeta`] + [`HitKind::new`]) and is found through the registry.

use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a kind of content signal is.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct KindMeta {
    /// Kebab-case name, unique among kinds; stored in the history cache.
    pub name: &'static str,
    /// One-line description (it starts the message of evidence quoting a hit).
    pub description: &'static str,
    /// Severity order used only to choose which hits survive the per-file cap (higher first).
    pub cap_rank: u8,
}

/// A kind of content signal: one of the built-in kinds (`HitKind::BIDI`, …) or a content rule's
/// own ([`HitKind::new`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HitKind(&'static KindMeta);

/// Declares the built-in kinds: `CONSTANT = "name", cap RANK, "description";` with the
/// constant's documentation above it. Table order is the order hits of one line are listed in.
macro_rules! kinds {
    ($($(#[$doc:meta])* $konst:ident = $name:literal, cap $rank:literal, $desc:literal;)*) => {
        impl HitKind {
            $(
                $(#[$doc])*
                pub const $konst: HitKind = HitKind(&KindMeta {
                    name: $name,
                    description: $desc,
                    cap_rank: $rank,
                });
            )*
        }

        /// The built-in kinds, in table order.
        pub(crate) const BUILTIN: &[HitKind] = &[$(HitKind::$konst),*];
    };
}

kinds! {
    /// Unicode bidirectional override or isolate control (U+202A–U+202E, U+2066–U+2069).
    BIDI = "bidi-control", cap 29,
        "Unicode bidirectional control character (Trojan Source)";
    /// Zero-width character (U+200B–U+200D, U+2060, U+FEFF not at file start) touching code.
    ZERO_WIDTH = "zero-width", cap 14,
        "zero-width character inside code";
    /// An identifier mixing Latin and Cyrillic letters (homoglyph).
    MIXED_SCRIPT_IDENTIFIER = "mixed-script-identifier", cap 13,
        "identifier mixing Latin and Cyrillic letters";
    /// A long base64 or hex literal (or escaped byte string, or block of such lines) with
    /// high Shannon entropy in a code file.
    HIGH_ENTROPY_LITERAL = "high-entropy-literal", cap 21,
        "long high-entropy base64/hex literal in code";
    /// Decoding (base64, hex, compression, marshal, rot13) followed by execution (exec, eval,
    /// pickle, shell), or a download or decode piped into a shell or `eval`.
    DECODE_EXEC = "decode-exec", cap 30,
        "decoded or downloaded data is executed";
    /// Python `exec`/`eval`/`compile`/`__import__`/`import_module` of a non-literal argument,
    /// builtins looked up by name, code objects built by hand.
    DYNAMIC_EXEC = "dynamic-exec", cap 20,
        "code executed or imported from a non-literal value";
    /// A process started from build-time or import-time Python code.
    BUILD_TIME_PROCESS = "build-time-process", cap 11,
        "process started by build-time or import-time code";
    /// Network access from build-time or import-time code.
    NETWORK_AT_BUILD_OR_IMPORT = "network-at-build-or-import", cap 24,
        "network access at build or import time";
    /// An `import` line in a `.pth` file (runs at every interpreter start).
    STARTUP_HOOK = "startup-hook", cap 28,
        ".pth line executed at every interpreter start";
    /// C-level hooking: constructors, ifunc resolvers, init sections, `dlsym`/`RTLD_NEXT`,
    /// dynamic linker audit interfaces, GOT/PLT references, executable mappings.
    C_HOOK = "c-hook", cap 27,
        "C-level hook: constructor, ifunc, symbol interposition";
    /// A build feature probe (CMake `check_*`, autoconf `AC_*_IFELSE`/`AC_CHECK_*`, meson
    /// `cc.compiles`/`cc.has_function`, distutils `config.try_compile`) added, removed or changed.
    FEATURE_PROBE_CHANGED = "feature-probe-changed", cap 23,
        "build feature probe added, removed or changed";
    /// Compiler or linker hardening flags or sanitizers added or removed.
    HARDENING_FLAG_CHANGED = "hardening-flag-changed", cap 18,
        "compiler/linker hardening flag added or removed";
    /// Sandboxing (landlock, seccomp, pledge, unveil, capsicum, no_new_privs, sandbox options)
    /// added or removed.
    SANDBOX_CHANGED = "sandbox-changed", cap 19,
        "sandboxing code or option added or removed";
    /// A build hook or build-time command: custom build backend, hatch/setuptools/scikit-build/
    /// poetry/pdm hooks, setup.py `cmdclass` and command overrides, meson `run_command`, CMake
    /// `execute_process`, autoconf `AC_CONFIG_COMMANDS`, m4 `syscmd`, changed build requirements.
    BUILD_HOOK_ADDED = "build-hook-added", cap 17,
        "build hook or configure-time command";
    /// A `.gitignore` pattern that hides build inputs or scripts.
    IGNORE_HIDES_BUILD_INPUT = "ignore-hides-build-input", cap 22,
        ".gitignore pattern hides build inputs or scripts";
    /// A `.gitattributes` rule that excludes files from archives or hides source diffs.
    EXPORT_IGNORE = "export-ignore", cap 12,
        ".gitattributes excludes files from archives or hides diffs";
    /// A security contact (email or URL) replaced by another.
    SECURITY_CONTACT_CHANGED = "security-contact-changed", cap 16,
        "security contact replaced";
    /// Security policy content (contacts, reporting instructions, supported versions) removed.
    SECURITY_POLICY_WEAKENED = "security-policy-weakened", cap 15,
        "security policy content removed";
    /// Tests or checks disabled or their failures ignored.
    TEST_DISABLED = "test-disabled", cap 10,
        "tests disabled or their failures ignored";
    /// An exfiltration-style endpoint: chat webhooks, paste sites, tunnels, request catchers,
    /// `.onion`, a URL with a raw public IP address.
    SUSPICIOUS_ENDPOINT = "suspicious-endpoint", cap 26,
        "exfiltration-style endpoint (webhook, paste, raw IP)";
    /// A reference to a credential store (SSH keys, cloud and package-index credentials,
    /// browser profiles, wallets, `/etc/shadow`).
    CREDENTIAL_ACCESS = "credential-access", cap 25,
        "reference to a credential store";
    /// A third-party package added to a manifest's runtime dependencies (`[project]
    /// dependencies`, `install_requires`, a runtime requirements file, `package.json`
    /// `dependencies`) that the file did not name before.
    NEW_RUNTIME_DEPENDENCY = "new-runtime-dependency", cap 9,
        "new third-party runtime dependency";
    /// The package's release version changed in its manifest or version module.
    VERSION_BUMP = "release-version-bump", cap 8,
        "release version bumped";
    /// A workflow given a privileged trigger (`pull_request_target`, `workflow_run`,
    /// `issue_comment`), `permissions: write-all` or `secrets: inherit`.
    WORKFLOW_PRIVILEGED = "workflow-privileged", cap 12,
        "workflow given a privileged trigger or permissions";
}

impl HitKind {
    /// A kind declared outside the table (by a content rule's detector).
    pub const fn new(meta: &'static KindMeta) -> HitKind {
        HitKind(meta)
    }

    /// Every kind: the built-in table, then the kinds of the registered content rules'
    /// detectors ([`crate::registry::detectors`]).
    pub fn all() -> Vec<HitKind> {
        all().to_vec()
    }

    /// Kebab-case name.
    pub const fn as_str(self) -> &'static str {
        self.0.name
    }

    /// One-line description.
    pub const fn description(self) -> &'static str {
        self.0.description
    }

    /// Severity order used only to choose which hits survive the per-file cap.
    pub(crate) const fn cap_rank(self) -> u8 {
        self.0.cap_rank
    }

    /// Position in [`HitKind::all`] (kinds not found there come last).
    fn order(self) -> usize {
        let all = all();
        all.iter().position(|k| *k == self).unwrap_or(all.len())
    }

    /// The kind called `name`, among [`HitKind::all`].
    pub fn from_name(name: &str) -> Option<HitKind> {
        all().iter().copied().find(|k| k.as_str() == name)
    }
}

/// [`HitKind::all`], computed once.
fn all() -> &'static [HitKind] {
    static ALL: OnceLock<Vec<HitKind>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut v = BUILTIN.to_vec();
        v.extend(crate::registry::detectors().map(|d| d.kind()));
        v
    })
}

impl fmt::Debug for HitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HitKind({})", self.0.name)
    }
}

impl Ord for HitKind {
    /// Table order (built-in kinds first, in the order of their table), then by name.
    fn cmp(&self, other: &HitKind) -> Ordering {
        self.order()
            .cmp(&other.order())
            .then_with(|| self.as_str().cmp(other.as_str()))
    }
}

impl PartialOrd for HitKind {
    fn partial_cmp(&self, other: &HitKind) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for HitKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for HitKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<HitKind, D::Error> {
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = HitKind;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the name of a content hit kind")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<HitKind, E> {
                HitKind::from_name(v)
                    .ok_or_else(|| E::custom(format!("unknown content hit kind `{v}`")))
            }
        }
        d.deserialize_str(Name)
    }
}
