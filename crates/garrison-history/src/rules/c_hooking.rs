use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal, best_hit};
use crate::content::HitKind;

declare_rule! {
    /// ## What it checks
    /// Added C, C++ or Cython code using the constructs that let code run before `main` or
    /// intercept other functions: `__attribute__((constructor))`, `ifunc` resolvers,
    /// `.init_array`/`.ctors` sections, `#pragma init`, dynamic-linker audit interfaces
    /// (`la_symbind`, `_dl_audit`), GOT/PLT references, executable memory mappings, and (weighing
    /// less, because extension modules use them legitimately) `dlsym` and `RTLD_NEXT`.
    ///
    /// ## Why it matters
    /// The XZ Utils backdoor used an `ifunc` resolver to run during dynamic linking and
    /// overwrite a GOT entry of OpenSSH's RSA verification. Code that runs at load time or
    /// redirects other libraries' functions is rare in scientific extension modules and is
    /// exactly what a backdoor needs.
    ///
    /// ## Example
    /// `static void __attribute__((constructor)) init(void) { ... }` added to a C source, or
    /// `__attribute__((ifunc("resolve_crc")))`.
    ///
    /// ## Remediation
    /// Ask why load-time code or symbol interposition is needed; read the resolver or
    /// constructor body line by line; prefer explicit initialisation from the module's init
    /// function.
    pub CHooking {
        id: "history/c-hooking",
        summary: "C/C++ load-time hooks or symbol interposition added",
        severity: Medium,
        help: "ask why load-time code or symbol interposition is needed; read it line by line",
        references: [
            "XZ Utils backdoor analysis: https://gist.github.com/thesamesam/223949d5a074ebc3dce9ee78baad9e27",
        ],
    }
}

/// See [`CHooking`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &CHooking::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let weigh = |f: &crate::FileChange, h: &crate::content::ContentHit| {
            if h.kind != HitKind::C_HOOK || h.removed {
                return None;
            }
            let d = h.detail.to_ascii_lowercase();
            let mild = d.contains("dlsym") || d.contains("rtld_next") || d.contains("dlopen");
            let w = if mild { 1.5 } else { 4.0 };
            let w = if super::is_test_path(&f.path) {
                w / 2.0
            } else {
                w
            };
            Some((w, if mild { "dlsym" } else { "load-time" }))
        };
        if let Some(e) = best_hit(cx, &CHooking::META, weigh) {
            out.push(e);
        }
    }
}
