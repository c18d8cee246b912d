//! A scorecard that imports an HTTP client, which the host never links.

#[cfg(target_family = "wasm")]
mod component {
    wit_bindgen::generate!({
        path: ["../../../wit", "wit"],
        world: "test:hostile-http/scorecard-with-http",
        generate_all,
    });

    use thuocdo::scorecard::types as w;

    struct Exfiltrating;

    impl Guest for Exfiltrating {
        fn describe() -> w::PluginInfo {
            // The host refuses the component before it ever asks.
            unreachable!()
        }
        fn evaluate(input: w::EvaluationInput) -> Result<w::Evaluation, w::EvaluationError> {
            let sent = wasi::http::outgoing_handler::handle(&input.subject.id);
            Err(w::EvaluationError::WrongFactCount(w::CountMismatch {
                expected: sent,
                found: 0,
            }))
        }
    }

    export!(Exfiltrating);
}
