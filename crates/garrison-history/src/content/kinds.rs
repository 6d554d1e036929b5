//! The kinds of content signal.

use serde::{Deserialize, Serialize};

/// Kinds of content signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HitKind {
    /// Unicode bidirectional override or isolate control (U+202A–U+202E, U+2066–U+2069).
    Bidi,
    /// Zero-width character (U+200B–U+200D, U+2060, U+FEFF not at file start) touching code.
    ZeroWidth,
    /// An identifier mixing Latin and Cyrillic letters (homoglyph).
    MixedScriptIdentifier,
    /// A long base64 or hex literal (or escaped byte string, or block of such lines) with
    /// high Shannon entropy in a code file.
    HighEntropyLiteral,
    /// Decoding (base64, hex, compression, marshal, rot13) followed by execution (exec, eval,
    /// pickle, shell), or a download or decode piped into a shell or `eval`.
    DecodeExec,
    /// Python `exec`/`eval`/`compile`/`__import__`/`import_module` of a non-literal argument,
    /// builtins looked up by name, code objects built by hand.
    DynamicExec,
    /// A process started from build-time or import-time Python code.
    BuildTimeProcess,
    /// Network access from build-time or import-time code.
    NetworkAtBuildOrImport,
    /// An `import` line in a `.pth` file (runs at every interpreter start).
    StartupHook,
    /// C-level hooking: constructors, ifunc resolvers, init sections, `dlsym`/`RTLD_NEXT`,
    /// dynamic linker audit interfaces, GOT/PLT references, executable mappings.
    CHook,
    /// A build feature probe (CMake `check_*`, autoconf `AC_*_IFELSE`/`AC_CHECK_*`, meson
    /// `cc.compiles`/`cc.has_function`, distutils `config.try_compile`) added, removed or changed.
    FeatureProbeChanged,
    /// Compiler or linker hardening flags or sanitizers added or removed.
    HardeningFlagChanged,
    /// Sandboxing (landlock, seccomp, pledge, unveil, capsicum, no_new_privs, sandbox options)
    /// added or removed.
    SandboxChanged,
    /// A build hook or build-time command: custom build backend, hatch/setuptools/scikit-build/
    /// poetry/pdm hooks, setup.py `cmdclass` and command overrides, meson `run_command`, CMake
    /// `execute_process`, autoconf `AC_CONFIG_COMMANDS`, m4 `syscmd`, changed build requirements.
    BuildHookAdded,
    /// A `.gitignore` pattern that hides build inputs or scripts.
    IgnoreHidesBuildInput,
    /// A `.gitattributes` rule that excludes files from archives or hides source diffs.
    ExportIgnore,
    /// A security contact (email or URL) replaced by another.
    SecurityContactChanged,
    /// Security policy content (contacts, reporting instructions, supported versions) removed.
    SecurityPolicyWeakened,
    /// Tests or checks disabled or their failures ignored.
    TestDisabled,
    /// An exfiltration-style endpoint: chat webhooks, paste sites, tunnels, request catchers,
    /// `.onion`, a URL with a raw public IP address.
    SuspiciousEndpoint,
    /// A reference to a credential store (SSH keys, cloud and package-index credentials,
    /// browser profiles, wallets, `/etc/shadow`).
    CredentialAccess,
}

impl HitKind {
    /// Every kind, in declaration order.
    pub const ALL: [HitKind; 21] = [
        HitKind::Bidi,
        HitKind::ZeroWidth,
        HitKind::MixedScriptIdentifier,
        HitKind::HighEntropyLiteral,
        HitKind::DecodeExec,
        HitKind::DynamicExec,
        HitKind::BuildTimeProcess,
        HitKind::NetworkAtBuildOrImport,
        HitKind::StartupHook,
        HitKind::CHook,
        HitKind::FeatureProbeChanged,
        HitKind::HardeningFlagChanged,
        HitKind::SandboxChanged,
        HitKind::BuildHookAdded,
        HitKind::IgnoreHidesBuildInput,
        HitKind::ExportIgnore,
        HitKind::SecurityContactChanged,
        HitKind::SecurityPolicyWeakened,
        HitKind::TestDisabled,
        HitKind::SuspiciousEndpoint,
        HitKind::CredentialAccess,
    ];

    /// Kebab-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            HitKind::Bidi => "bidi-control",
            HitKind::ZeroWidth => "zero-width",
            HitKind::MixedScriptIdentifier => "mixed-script-identifier",
            HitKind::HighEntropyLiteral => "high-entropy-literal",
            HitKind::DecodeExec => "decode-exec",
            HitKind::DynamicExec => "dynamic-exec",
            HitKind::BuildTimeProcess => "build-time-process",
            HitKind::NetworkAtBuildOrImport => "network-at-build-or-import",
            HitKind::StartupHook => "startup-hook",
            HitKind::CHook => "c-hook",
            HitKind::FeatureProbeChanged => "feature-probe-changed",
            HitKind::HardeningFlagChanged => "hardening-flag-changed",
            HitKind::SandboxChanged => "sandbox-changed",
            HitKind::BuildHookAdded => "build-hook-added",
            HitKind::IgnoreHidesBuildInput => "ignore-hides-build-input",
            HitKind::ExportIgnore => "export-ignore",
            HitKind::SecurityContactChanged => "security-contact-changed",
            HitKind::SecurityPolicyWeakened => "security-policy-weakened",
            HitKind::TestDisabled => "test-disabled",
            HitKind::SuspiciousEndpoint => "suspicious-endpoint",
            HitKind::CredentialAccess => "credential-access",
        }
    }

    /// One-line description.
    pub const fn description(self) -> &'static str {
        match self {
            HitKind::Bidi => "Unicode bidirectional control character (Trojan Source)",
            HitKind::ZeroWidth => "zero-width character inside code",
            HitKind::MixedScriptIdentifier => "identifier mixing Latin and Cyrillic letters",
            HitKind::HighEntropyLiteral => "long high-entropy base64/hex literal in code",
            HitKind::DecodeExec => "decoded or downloaded data is executed",
            HitKind::DynamicExec => "code executed or imported from a non-literal value",
            HitKind::BuildTimeProcess => "process started by build-time or import-time code",
            HitKind::NetworkAtBuildOrImport => "network access at build or import time",
            HitKind::StartupHook => ".pth line executed at every interpreter start",
            HitKind::CHook => "C-level hook: constructor, ifunc, symbol interposition",
            HitKind::FeatureProbeChanged => "build feature probe added, removed or changed",
            HitKind::HardeningFlagChanged => "compiler/linker hardening flag added or removed",
            HitKind::SandboxChanged => "sandboxing code or option added or removed",
            HitKind::BuildHookAdded => "build hook or configure-time command",
            HitKind::IgnoreHidesBuildInput => ".gitignore pattern hides build inputs or scripts",
            HitKind::ExportIgnore => ".gitattributes excludes files from archives or hides diffs",
            HitKind::SecurityContactChanged => "security contact replaced",
            HitKind::SecurityPolicyWeakened => "security policy content removed",
            HitKind::TestDisabled => "tests disabled or their failures ignored",
            HitKind::SuspiciousEndpoint => "exfiltration-style endpoint (webhook, paste, raw IP)",
            HitKind::CredentialAccess => "reference to a credential store",
        }
    }

    /// Severity order used only to choose which hits survive the per-file cap.
    pub(super) const fn cap_rank(self) -> u8 {
        match self {
            HitKind::DecodeExec => 30,
            HitKind::Bidi => 29,
            HitKind::StartupHook => 28,
            HitKind::CHook => 27,
            HitKind::SuspiciousEndpoint => 26,
            HitKind::CredentialAccess => 25,
            HitKind::NetworkAtBuildOrImport => 24,
            HitKind::FeatureProbeChanged => 23,
            HitKind::IgnoreHidesBuildInput => 22,
            HitKind::HighEntropyLiteral => 21,
            HitKind::DynamicExec => 20,
            HitKind::SandboxChanged => 19,
            HitKind::HardeningFlagChanged => 18,
            HitKind::BuildHookAdded => 17,
            HitKind::SecurityContactChanged => 16,
            HitKind::SecurityPolicyWeakened => 15,
            HitKind::ZeroWidth => 14,
            HitKind::MixedScriptIdentifier => 13,
            HitKind::ExportIgnore => 12,
            HitKind::BuildTimeProcess => 11,
            HitKind::TestDisabled => 10,
        }
    }

    pub(super) fn index(self) -> usize {
        HitKind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}
