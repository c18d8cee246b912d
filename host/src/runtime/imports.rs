//! Which imports a plugin may have: the WASI 0.2 command-world interfaces that
//! language toolchains bring along (granting nothing through them) and the
//! contract's own types. Anything else is refused at load, every such import named.

use wasmtime::Engine;
use wasmtime::component::Component;

/// Packages whose interfaces are linked (and grant nothing).
const WASI_PACKAGES: &[&str] = &[
    "wasi:cli/",
    "wasi:io/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:filesystem/",
    "wasi:sockets/",
];

use super::Contract;

fn allowed(name: &str) -> bool {
    if Contract::from_import(name).is_some() {
        return true;
    }
    WASI_PACKAGES.iter().any(|p| name.starts_with(p))
        && name
            .split_once('@')
            .is_some_and(|(_, v)| v.starts_with("0.2."))
}

/// The contract version `component` names by importing its types; the newest
/// when it imports none (its exports are then checked against that one).
pub(crate) fn contract(engine: &Engine, component: &Component) -> Contract {
    component
        .component_type()
        .imports(engine)
        .find_map(|(name, _)| Contract::from_import(name))
        .unwrap_or(Contract::V1_1)
}

/// Every import of `component` the host refuses, sorted.
pub(crate) fn forbidden(engine: &Engine, component: &Component) -> Vec<String> {
    let mut refused: Vec<String> = component
        .component_type()
        .imports(engine)
        .map(|(name, _)| name.to_string())
        .filter(|name| !allowed(name))
        .collect();
    refused.sort();
    refused
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn wasi_command_world_and_contract_types_only() {
        for ok in [
            "wasi:cli/environment@0.2.4",
            "wasi:io/streams@0.2.0",
            "wasi:filesystem/preopens@0.2.3",
            "wasi:sockets/tcp@0.2.4",
            "thuocdo:scorecard/types@1.0.0",
            "thuocdo:scorecard/types@1.1.0",
        ] {
            assert!(allowed(ok), "{ok}");
        }
        for refused in [
            "wasi:http/outgoing-handler@0.2.4",
            "wasi:cli/environment@0.3.0",
            "wasi:keyvalue/store@0.2.0",
            "evil:exfiltrate/send",
            "wasi:cli/environment",
            "thuocdo:scorecard/types@2.0.0",
        ] {
            assert!(!allowed(refused), "{refused}");
        }
    }
}
