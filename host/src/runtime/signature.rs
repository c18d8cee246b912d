//! Says which export of a component breaks the contract, and how:
//! "export evaluate: expected …, found …".

use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::{ComponentFunc, ComponentItem, Type};

const DESCRIBE: &str = "func() -> plugin-info";
const EVALUATE: &str = "func(input: evaluation-input) -> result<evaluation, evaluation-error>";

/// A type, shallowly: records and variants by their field or case names.
fn render(t: &Type) -> String {
    match t {
        Type::Bool => "bool".into(),
        Type::S8 => "s8".into(),
        Type::U8 => "u8".into(),
        Type::S16 => "s16".into(),
        Type::U16 => "u16".into(),
        Type::S32 => "s32".into(),
        Type::U32 => "u32".into(),
        Type::S64 => "s64".into(),
        Type::U64 => "u64".into(),
        Type::Float32 => "f32".into(),
        Type::Float64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::List(l) => format!("list<{}>", render(&l.ty())),
        Type::Option(o) => format!("option<{}>", render(&o.ty())),
        Type::Result(r) => format!(
            "result<{}, {}>",
            r.ok().map_or("_".into(), |t| render(&t)),
            r.err().map_or("_".into(), |t| render(&t))
        ),
        Type::Record(r) => {
            let fields: Vec<&str> = r.fields().map(|f| f.name).collect();
            format!("record {{ {} }}", fields.join(", "))
        }
        Type::Enum(e) => format!("enum {{ {} }}", e.names().collect::<Vec<_>>().join(", ")),
        Type::Variant(v) => {
            let cases: Vec<&str> = v.cases().map(|c| c.name).collect();
            format!("variant {{ {} }}", cases.join(", "))
        }
        other => format!("{other:?}"),
    }
}

fn render_func(f: &ComponentFunc) -> String {
    let params: Vec<String> = f
        .params()
        .map(|(n, t)| format!("{n}: {}", render(&t)))
        .collect();
    let results: Vec<String> = f.results().map(|t| render(&t)).collect();
    match results.as_slice() {
        [] => format!("func({})", params.join(", ")),
        _ => format!("func({}) -> {}", params.join(", "), results.join(", ")),
    }
}

fn looks_right(name: &str, f: &ComponentFunc) -> bool {
    let params: Vec<Type> = f.params().map(|(_, t)| t).collect();
    let results: Vec<Type> = f.results().collect();
    match name {
        "describe" => {
            params.is_empty()
                && matches!(results.as_slice(), [Type::Record(r)] if r.fields().any(|f| f.name == "indicators"))
        }
        _ => {
            matches!(params.as_slice(), [Type::Record(r)] if r.fields().any(|f| f.name == "facts"))
                && matches!(results.as_slice(), [Type::Result(_)])
        }
    }
}

/// What is wrong with the component's `describe` and `evaluate` exports, when
/// something is; `detail` is the engine's own account, used when the shapes
/// look right but the types still differ.
pub(crate) fn mismatch(engine: &Engine, component: &Component, detail: &str) -> String {
    let exports: Vec<(String, ComponentItem)> = component
        .component_type()
        .exports(engine)
        .map(|(n, e)| (n.to_string(), e.ty))
        .collect();
    let mut problems = Vec::new();
    for (name, expected) in [("describe", DESCRIBE), ("evaluate", EVALUATE)] {
        match exports.iter().find(|(n, _)| n == name) {
            None => problems.push(format!("export {name}: missing (expected {expected})")),
            Some((_, ComponentItem::ComponentFunc(f))) if looks_right(name, f) => {}
            Some((_, ComponentItem::ComponentFunc(f))) => problems.push(format!(
                "export {name}: expected {expected}, found {}",
                render_func(f)
            )),
            Some((_, _)) => problems.push(format!("export {name}: expected a function")),
        }
    }
    if problems.is_empty() {
        let found: Vec<&str> = exports.iter().map(|(n, _)| n.as_str()).collect();
        format!("{detail} (exports: {})", found.join(", "))
    } else {
        problems.join("; ")
    }
}
