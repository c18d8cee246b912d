//! Exports named `describe` and `evaluate`, with types the contract does not have.

#[cfg(target_family = "wasm")]
mod component {
    wit_bindgen::generate!({
        inline: "
            package test:wrong-types;
            world scorecard {
                export describe: func() -> string;
                export evaluate: func(input: u32) -> u32;
            }
        ",
    });

    struct WrongTypes;

    impl Guest for WrongTypes {
        fn describe() -> String {
            "not a plugin-info".into()
        }
        fn evaluate(input: u32) -> u32 {
            input
        }
    }

    export!(WrongTypes);
}
