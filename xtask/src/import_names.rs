//! The post-build hook's second step (`release.rs`): shorter names for the functions the
//! module imports from wasm-bindgen's glue.
//!
//! wasm-bindgen names each import after what it calls and a hash of its signature,
//! `__wbg_append_5f2c0a8b1d3e4f67`: 223 of them in this app, each written once in the module's
//! import section and once in the glue's import object. Sixteen random hex digits compress
//! to about eight bytes each time, so the names cost 8.8 KB of the gzipped download. This step
//! names them `_0`, `_1`, … in both files. Nothing else changes: the module's code calls
//! imports by index, and the glue looks them up by these keys only.
//!
//! It renames only names of that hashed form, and only whole identifiers of the glue; it fails
//! if a hashed import is not in the glue (the glue's form changed), so a module and a glue
//! that no longer agree are never shipped.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use wasm_encoder::Encode;
use wasmparser::{Imports, Payload};

use crate::wasm_order::{index, read, with_sections};

/// Renames the hashed imports of `module` and their keys in `glue`, in place.
pub fn shorten(module: &Path, glue: &Path) -> Result<(), String> {
    let bytes = read(module)?;
    let text = std::fs::read_to_string(glue)
        .map_err(|e| format!("cannot read {}: {e}", glue.display()))?;
    let (bytes, text) = renamed(&bytes, &text)?;
    std::fs::write(module, bytes).map_err(|e| format!("cannot write {}: {e}", module.display()))?;
    std::fs::write(glue, text).map_err(|e| format!("cannot write {}: {e}", glue.display()))
}

/// The module and the glue with every hashed import renamed in both.
pub fn renamed(bytes: &[u8], glue: &str) -> Result<(Vec<u8>, String), String> {
    let mut names: HashMap<String, String> = HashMap::new();
    let module = with_sections(bytes, |payload, range| {
        let Payload::ImportSection(imports) = payload else {
            return Ok(None);
        };
        // Each import is its module's name, its own name and its type, in that order; the
        // type's bytes are kept as they are.
        let mut starts = Vec::new();
        for group in imports.clone().into_iter_with_offsets() {
            let (at, group) = group.map_err(|e| format!("not a valid module: {e}"))?;
            let Imports::Single(_, import) = group else {
                return Err(
                    "the module uses compact imports, which this step does not read".into(),
                );
            };
            starts.push((index(at)?, import.module, import.name));
        }
        let mut data = Vec::new();
        u32::try_from(starts.len())
            .map_err(|_| "too many imports".to_owned())?
            .encode(&mut data);
        for (i, &(start, from, name)) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map_or(range.end, |next| next.0);
            let mut head = Vec::new();
            from.encode(&mut head);
            name.encode(&mut head);
            let entry = &bytes[start..end];
            let ty = entry
                .strip_prefix(head.as_slice())
                .ok_or_else(|| format!("import {name} is not where the module says"))?;
            let short = if hashed(name) {
                let next = format!("_{}", base36(names.len()));
                names.entry(name.to_owned()).or_insert(next).clone()
            } else {
                name.to_owned()
            };
            from.encode(&mut data);
            short.as_str().encode(&mut data);
            data.extend_from_slice(ty);
        }
        Ok(Some(data))
    })?;
    let (glue, found) = rename_identifiers(glue, &names);
    if let Some(missing) = names.keys().find(|n| !found.contains(n.as_str())) {
        return Err(format!("the glue does not name the import {missing}"));
    }
    Ok((module, glue))
}

/// wasm-bindgen's form of a generated import's name: `__wbg_`, a name, `_` and 16 hex digits.
fn hashed(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("__wbg_") else {
        return false;
    };
    match rest.rsplit_once('_') {
        Some((what, hash)) => {
            !what.is_empty()
                && hash.len() == 16
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        None => false,
    }
}

/// `text` with every identifier that `names` holds replaced by its new name, and which of
/// them were found.
fn rename_identifiers<'a>(
    text: &str,
    names: &'a HashMap<String, String>,
) -> (String, HashSet<&'a str>) {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(text.len());
    let mut found = HashSet::new();
    let mut rest = text;
    while let Some(at) = rest.find(is_word) {
        out.push_str(&rest[..at]);
        let word_len = rest[at..].find(|c| !is_word(c)).unwrap_or(rest.len() - at);
        let word = &rest[at..at + word_len];
        match names.get_key_value(word) {
            Some((old, new)) => {
                found.insert(old.as_str());
                out.push_str(new);
            }
            None => out.push_str(word),
        }
        rest = &rest[at + word_len..];
    }
    out.push_str(rest);
    (out, found)
}

fn base36(mut n: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::*;
    use wasmparser::Parser;

    const GLUE: &str = "module";

    /// A module importing a hashed function, an unhashed one, a hashed one from another
    /// module, and a memory, then calling the first.
    fn module() -> Vec<u8> {
        let mut module = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([ValType::I32], [ValType::I32]);
        module.section(&types);
        let mut imports = ImportSection::new();
        imports.import(
            GLUE,
            "__wbg_append_0123456789abcdef",
            EntityType::Function(0),
        );
        imports.import(
            GLUE,
            "__wbindgen_init_externref_table",
            EntityType::Function(0),
        );
        imports.import(
            "other",
            "__wbg_now_fedcba9876543210",
            EntityType::Function(0),
        );
        imports.import(
            GLUE,
            "memory",
            EntityType::Memory(MemoryType {
                minimum: 17,
                maximum: Some(300),
                memory64: false,
                shared: false,
                page_size_log2: None,
            }),
        );
        module.section(&imports);
        let mut functions = FunctionSection::new();
        functions.function(0);
        module.section(&functions);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        f.instruction(&Instruction::LocalGet(0));
        f.instruction(&Instruction::Call(0));
        f.instruction(&Instruction::End);
        code.function(&f);
        module.section(&code);
        module.finish()
    }

    fn imports(bytes: &[u8]) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for payload in Parser::new(0).parse_all(bytes) {
            if let Payload::ImportSection(section) = payload.expect("valid") {
                for import in section.into_imports() {
                    let import = import.expect("valid");
                    out.push((
                        import.module.to_owned(),
                        import.name.to_owned(),
                        format!("{:?}", import.ty),
                    ));
                }
            }
        }
        out
    }

    #[test]
    fn hashed_imports_are_renamed_in_the_module_and_the_glue_alike() {
        let glue = "const imports = { __wbg_append_0123456789abcdef: function(a) { return a; },\n\
                    __wbg_now_fedcba9876543210: () => Date.now(),\n\
                    __wbindgen_init_externref_table: function() {} };\n\
                    const not_it = x__wbg_append_0123456789abcdef;\n";
        let before = module();
        let (after, glue) = renamed(&before, glue).expect("renamed");
        for payload in Parser::new(0).parse_all(&after) {
            payload.expect("a readable module");
        }
        let names: Vec<(String, String, String)> = imports(&after);
        let was = imports(&before);
        assert_eq!(names.len(), 4);
        assert_eq!(names[0].1, "_0");
        assert_eq!(names[1].1, "__wbindgen_init_externref_table");
        assert_eq!(names[2].1, "_1");
        assert_eq!(names[3].1, "memory");
        for (now, then) in names.iter().zip(&was) {
            assert_eq!((&now.0, &now.2), (&then.0, &then.2), "module and type kept");
        }
        assert_eq!(
            glue,
            "const imports = { _0: function(a) { return a; },\n\
             _1: () => Date.now(),\n\
             __wbindgen_init_externref_table: function() {} };\n\
             const not_it = x__wbg_append_0123456789abcdef;\n"
        );
        // The code section is untouched: the call is by index.
        let code = |bytes: &[u8]| -> Vec<u8> {
            Parser::new(0)
                .parse_all(bytes)
                .find_map(|p| match p.expect("valid").as_section() {
                    Some((10, range)) => {
                        Some(bytes[range.start as usize..range.end as usize].to_vec())
                    }
                    _ => None,
                })
                .expect("a code section")
        };
        assert_eq!(code(&before), code(&after));
    }

    #[test]
    fn an_import_the_glue_does_not_name_fails() {
        let glue = "const imports = { __wbg_append_0123456789abcdef: f };";
        let refused = renamed(&module(), glue).expect_err("the glue lacks one");
        assert!(refused.contains("__wbg_now_fedcba9876543210"), "{refused}");
    }

    #[test]
    fn only_wasm_bindgen_hashes_are_taken_for_generated_names() {
        assert!(hashed("__wbg_Error_208446807d0d1e30"));
        assert!(hashed("__wbg___wbindgen_is_null_c22311b1cc228e3a"));
        assert!(!hashed("__wbg_botsstatus_free"));
        assert!(!hashed("__wbg__0123456789abcdef"));
        assert!(!hashed("__wbg_x_0123456789ABCDEF"));
        assert!(!hashed("__wbindgen_malloc"));
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
    }
}
