//! What the tests share that is not a server or a browser: saying what was
//! not run where a machine lacks what a test needs.

use std::io::Write;

/// Says that `test` did not run because `what` is missing, and how to get
/// it — on standard error itself, which the test harness does not capture.
/// Where `THUOCDO_TEST_REQUIRE` names `what` (or is `all`), as `.ci/run`
/// sets it, a missing part is a failure instead.
pub(crate) fn unavailable(what: &str, test: &str, how: &str) {
    let required = std::env::var("THUOCDO_TEST_REQUIRE").unwrap_or_default();
    if required
        .split(',')
        .any(|r| r.trim() == what || r.trim() == "all")
    {
        panic!("{test} needs {how}; THUOCDO_TEST_REQUIRE={required} makes it required");
    }
    let _ = writeln!(
        std::io::stderr(),
        "not run: {test}, which needs {how} (bash .ci/run provides it)"
    );
}
