//! Tests disabled or their failures ignored.

use super::kinds::HitKind;
use super::lines::Line;
use super::sink::Sink;
use super::text::*;
use crate::classify::{Lang, PathClass};

pub(super) fn scan_test_disabled(sink: &mut Sink, line: &Line<'_>, lang: Lang, class: PathClass) {
    let lc = lower(line.text);
    let t = trim(&lc);
    if lang == Lang::Yaml && t.starts_with(b"continue-on-error:") && contains(t, b"true") {
        sink.push(
            HitKind::TEST_DISABLED,
            line,
            false,
            0,
            "continue-on-error: true (weak)",
        );
        return;
    }
    for ignore in [&b"|| true"[..], b"||true", b"|| :", b"|| exit 0"] {
        if let Some(p) = find(&lc, ignore) {
            let before = head(&lc, p);
            let testy = [
                "pytest",
                "ctest",
                "make check",
                "make test",
                "tox",
                "nox",
                "meson test",
                "spin test",
                "runtests",
                "unittest",
                "test.py",
                "ninja test",
            ]
            .iter()
            .find(|w| contains(before, w.as_bytes()));
            if let Some(w) = testy {
                sink.push(
                    HitKind::TEST_DISABLED,
                    line,
                    false,
                    p,
                    &format!("{w} failure ignored"),
                );
                return;
            }
        }
    }
    for (pat, d) in [
        (&b"build_testing=off"[..], "BUILD_TESTING=OFF"),
        (b"build_testing off", "BUILD_TESTING OFF"),
        (b"--disable-tests", "--disable-tests"),
        (b"--without-tests", "--without-tests"),
        (b"skip_tests=1", "SKIP_TESTS=1"),
        (b"skip_tests=true", "SKIP_TESTS=true"),
    ] {
        if let Some(p) = find(&lc, pat) {
            sink.push(
                HitKind::TEST_DISABLED,
                line,
                false,
                p,
                &format!("{d} (weak)"),
            );
            return;
        }
    }
    if lang.is_pythonish() && class.contains(PathClass::TEST_PATH) && indent(line.text) == 0 {
        let raw = trim(line.text);
        if (raw.starts_with(b"pytestmark")
            && contains(raw, b"pytest.mark.skip")
            && !contains(raw, b"skipif"))
            || raw.starts_with(b"pytest.skip(")
            || raw.starts_with(b"raise unittest.SkipTest")
            || raw.starts_with(b"raise SkipTest")
        {
            sink.push(
                HitKind::TEST_DISABLED,
                line,
                false,
                0,
                "module-level unconditional skip (weak)",
            );
        }
    }
}
