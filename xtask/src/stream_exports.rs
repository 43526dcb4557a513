//! The post-build hook's first step (`release.rs`): the module and its glue without the three
//! stream classes nothing calls.
//!
//! Leptos always builds `server_fn`, and `server_fn` depends on `wasm-streams`, whose
//! `IntoUnderlyingSource`, `IntoUnderlyingByteSource` and `IntoUnderlyingSink` are
//! `#[wasm_bindgen]` classes: wasm-bindgen exports their 13 methods from the module and writes
//! a JavaScript class for each into the glue. The app never makes a stream, so nothing calls
//! them, but an export is a root no optimizer may remove. This step drops those exports from
//! the module and the classes from the glue; the next step's wasm-opt
//! (`--remove-unused-module-elements`, `wasm_order.rs`) then removes the code only they
//! reached.
//!
//! It fails, rather than ship a glue calling what the module no longer has, when the glue
//! does not have the form it expects.

use std::path::Path;

use wasm_encoder::Encode;
use wasmparser::Payload;

use crate::wasm_order::{index, read, with_sections};

/// The classes, as the glue names them; their exports are named after them in lowercase.
const CLASSES: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// Drops the stream classes' exports from `module` and their classes from `glue`, in place.
pub fn drop(module: &Path, glue: &Path) -> Result<(), String> {
    let bytes = read(module)?;
    let text = std::fs::read_to_string(glue)
        .map_err(|e| format!("cannot read {}: {e}", glue.display()))?;
    let bytes = without_exports(&bytes)?;
    let text = without_classes(&text)?;
    std::fs::write(module, bytes).map_err(|e| format!("cannot write {}: {e}", module.display()))?;
    std::fs::write(glue, text).map_err(|e| format!("cannot write {}: {e}", glue.display()))
}

/// Whether an export of the module belongs to one of the stream classes
/// (`intounderlyingsink_write`, `__wbg_intounderlyingsink_free`).
fn is_stream_export(name: &str) -> bool {
    let name = name.strip_prefix("__wbg_").unwrap_or(name);
    CLASSES.iter().any(|class| {
        name.strip_prefix(class.to_ascii_lowercase().as_str())
            .is_some_and(|rest| rest.starts_with('_'))
    })
}

/// The module with every other section as it was and the export section without the stream
/// classes' exports.
fn without_exports(bytes: &[u8]) -> Result<Vec<u8>, String> {
    with_sections(bytes, |payload, range| {
        let Payload::ExportSection(exports) = payload else {
            return Ok(None);
        };
        // Each export is its name, a kind byte and an index: kept byte for byte.
        let mut starts = Vec::new();
        for export in exports.clone().into_iter_with_offsets() {
            let (at, export) = export.map_err(|e| format!("not a valid module: {e}"))?;
            starts.push((index(at)?, export.name));
        }
        let mut kept: Vec<&[u8]> = Vec::new();
        for (i, &(start, name)) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map_or(range.end, |next| next.0);
            if !is_stream_export(name) {
                kept.push(&bytes[start..end]);
            }
        }
        let mut data = Vec::new();
        u32::try_from(kept.len())
            .map_err(|_| "too many exports".to_owned())?
            .encode(&mut data);
        for export in kept {
            data.extend_from_slice(export);
        }
        Ok(Some(data))
    })
}

/// The glue without each stream class: its doc comment, its `export class` block up to the
/// line that gives it `Symbol.dispose`, and its three-line `…Finalization` registry.
fn without_classes(glue: &str) -> Result<String, String> {
    let lines: Vec<&str> = glue.split_inclusive('\n').collect();
    let mut keep = vec![true; lines.len()];
    for class in CLASSES {
        let open = format!("export class {class} {{");
        let dispose = format!("if (Symbol.dispose) {class}.prototype[Symbol.dispose]");
        let registry = format!("const {class}Finalization = ");
        let find = |text: &str, from: usize| {
            (from..lines.len()).find(|&i| lines[i].trim_start().starts_with(text))
        };
        let not_found = |what: &str| format!("the glue has no `{what}`: its form changed");
        let start = find(&open, 0).ok_or_else(|| not_found(&open))?;
        let end = find(&dispose, start).ok_or_else(|| not_found(&dispose))?;
        let is_doc = |line: &str| {
            let line = line.trim_start();
            line.starts_with("/**") || line.starts_with('*')
        };
        let mut first = start;
        while first > 0 && is_doc(lines[first - 1]) {
            first -= 1;
        }
        keep[first..=end].fill(false);
        let at = find(&registry, 0).ok_or_else(|| not_found(&registry))?;
        let last = (at..lines.len())
            .find(|&i| lines[i].trim_end().ends_with(");"))
            .ok_or_else(|| not_found(&registry))?;
        keep[at..=last].fill(false);
    }
    let text: String = lines
        .iter()
        .zip(&keep)
        .filter(|(_, keep)| **keep)
        .map(|(line, _)| *line)
        .collect();
    if let Some(left) = CLASSES.iter().find(|class| text.contains(**class)) {
        return Err(format!(
            "the glue still names {left} after its class was dropped"
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::*;
    use wasmparser::Parser;

    /// A module exporting a function under each name.
    fn module(names: &[&str]) -> Vec<u8> {
        let mut module = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        module.section(&types);
        let mut functions = FunctionSection::new();
        functions.function(0);
        module.section(&functions);
        let mut exports = ExportSection::new();
        for name in names {
            exports.export(name, ExportKind::Func, 0);
        }
        module.section(&exports);
        let mut code = CodeSection::new();
        let mut body = Function::new([]);
        body.instruction(&Instruction::End);
        code.function(&body);
        module.section(&code);
        module.finish()
    }

    fn exports(bytes: &[u8]) -> Vec<String> {
        let mut names = Vec::new();
        for payload in Parser::new(0).parse_all(bytes) {
            if let Payload::ExportSection(exports) = payload.unwrap() {
                names.extend(exports.into_iter().map(|e| e.unwrap().name.to_owned()));
            }
        }
        names
    }

    #[test]
    fn only_the_stream_classes_exports_go() {
        let bytes = module(&[
            "mount",
            "memory_like",
            "intounderlyingsink_write",
            "__wbg_intounderlyingsource_free",
            "intounderlyingbytesource_autoAllocateChunkSize",
            "__wbg_botsstatus_free",
            "intounderlyingsinkhole",
        ]);
        let kept = without_exports(&bytes).unwrap();
        assert_eq!(
            exports(&kept),
            [
                "mount",
                "memory_like",
                "__wbg_botsstatus_free",
                "intounderlyingsinkhole"
            ]
        );
    }

    const GLUE: &str = "\
export class BotsStatus {
    free() { wasm.__wbg_botsstatus_free(this.__wbg_ptr, 0); }
}
if (Symbol.dispose) BotsStatus.prototype[Symbol.dispose] = BotsStatus.prototype.free;

export class IntoUnderlyingByteSource {
    pull(controller) { return wasm.intounderlyingbytesource_pull(this.__wbg_ptr, controller); }
}
if (Symbol.dispose) IntoUnderlyingByteSource.prototype[Symbol.dispose] = IntoUnderlyingByteSource.prototype.free;

/**
 * A sink.
 */
export class IntoUnderlyingSink {
    close() { return wasm.intounderlyingsink_close(this.__wbg_ptr); }
}
if (Symbol.dispose) IntoUnderlyingSink.prototype[Symbol.dispose] = IntoUnderlyingSink.prototype.free;

export class IntoUnderlyingSource {
    cancel() { wasm.intounderlyingsource_cancel(this.__wbg_ptr); }
}
if (Symbol.dispose) IntoUnderlyingSource.prototype[Symbol.dispose] = IntoUnderlyingSource.prototype.free;

export function mount(root) { return wasm.mount(root); }
const BotsStatusFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_botsstatus_free(ptr, 1));
const IntoUnderlyingByteSourceFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingbytesource_free(ptr, 1));
const IntoUnderlyingSinkFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsink_free(ptr, 1));
const IntoUnderlyingSourceFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsource_free(ptr, 1));
let cachedView = null;
";

    #[test]
    fn the_stream_classes_leave_the_glue_and_the_rest_stays() {
        let text = without_classes(GLUE).unwrap();
        assert_eq!(
            text,
            "\
export class BotsStatus {
    free() { wasm.__wbg_botsstatus_free(this.__wbg_ptr, 0); }
}
if (Symbol.dispose) BotsStatus.prototype[Symbol.dispose] = BotsStatus.prototype.free;




export function mount(root) { return wasm.mount(root); }
const BotsStatusFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_botsstatus_free(ptr, 1));
let cachedView = null;
"
        );
    }

    #[test]
    fn a_glue_of_another_form_is_refused() {
        let without_registry = GLUE.replace("const IntoUnderlyingSinkFinalization", "let x");
        let refused = without_classes(&without_registry).unwrap_err();
        assert!(
            refused.contains("IntoUnderlyingSinkFinalization"),
            "{refused}"
        );
        let renamed = GLUE.replace("export class IntoUnderlyingSource {", "class S {");
        assert!(without_classes(&renamed).is_err());
    }
}
