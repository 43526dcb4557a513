//! The post-build hook's first step (`release.rs`): it puts a release module's functions in
//! an order that gzip compresses well, then strips the names the order was handed over in.
//!
//! gzip finds repeats only within its last 32 KB, and a Rust module is full of near-copies
//! (each type's drop, each memo, each deserializer). In the order the linker leaves them
//! they are far apart; side by side they compress to much less. The order is a greedy chain:
//! next comes the unplaced function that shares the most 6-byte runs with the few placed
//! last (the last weighing most), else the next by name. wasm-opt does the move itself (`--reorder-functions-by-name`): this tool
//! only renames the functions to their rank, so nothing but the name section is rewritten
//! by hand. The code is the same code; only the download shrinks.
//!
//! It needs the names `wasm-opt -g` kept (index.html asks for them), and it fails rather
//! than ship them: the shipped module has no name section.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

use crate::run::command;

/// Bytes in the runs functions are compared by.
const RUN: usize = 6;
/// A run found in more functions than this says nothing about which two belong together
/// (`local.get 0`, a call's prologue), and would make the chain quadratic.
const COMMON: usize = 200;
/// How many of the functions placed last a candidate is compared with: gzip still sees
/// several of them. A run shared with the last one counts [`NEAREST`], with the one before
/// half that, and so on (by 1 / (1 + age)).
const RECENT: usize = 10;
const NEAREST: u32 = 60;
/// A function follows only when its score reaches this: two runs shared with the last
/// function placed, or as much with those before it.
const LIKE: u32 = 2 * NEAREST;

/// Orders the functions of the one `*_bg.wasm` in Trunk's staging directory, in place, and
/// drops its names.
pub fn order_functions(staging: &Path) -> Result<(), String> {
    let wasm = staged_module(staging)?;
    let bytes = read(&wasm)?;
    let renamed = rank_names(&bytes)?;
    let input = wasm.with_extension("ranked.wasm");
    std::fs::write(&input, renamed)
        .map_err(|e| format!("cannot write {}: {e}", input.display()))?;
    let (input_arg, output_arg) = (input.to_string_lossy(), wasm.to_string_lossy());
    // The features are those the module's target features section names (wasm-opt reads
    // it); --all-features would let it write encodings browsers do not take yet, such as
    // compact imports. No -g: the output carries no names. That section and the producers
    // section (the compilers' versions) are metadata the browser does not read, so they go
    // too. What no export reaches any more (see `stream_exports.rs`) goes first.
    let moved = command(
        "wasm-opt",
        &[
            "--remove-unused-module-elements",
            "--reorder-functions-by-name",
            "--strip-target-features",
            "--strip-producers",
            &input_arg,
            "-o",
            &output_arg,
        ],
        &std::env::var_os("PATH").unwrap_or_default(),
    );
    let _ = std::fs::remove_file(&input);
    moved?;
    shipped_without_names(staging)
}

/// Fails when the module in `dir` (a staging directory or `dist/`) carries its function
/// names: 700 KB more to download, the sign of a release build the hook did not finish.
pub fn shipped_without_names(dir: &Path) -> Result<(), String> {
    let wasm = staged_module(dir)?;
    let bytes = read(&wasm)?;
    if has_names(&bytes)? {
        return Err(format!(
            "{} carries its function names: Trunk's post-build hook (`cargo xtask \
             post-build`, Trunk.toml) did not run or failed",
            wasm.display()
        ));
    }
    Ok(())
}

pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

pub fn staged_module(staging: &Path) -> Result<PathBuf, String> {
    let listing = std::fs::read_dir(staging)
        .map_err(|e| format!("cannot list {}: {e}", staging.display()))?;
    let mut found = Vec::new();
    for entry in listing {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.to_string_lossy().ends_with("_bg.wasm") {
            found.push(path);
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "expected one *_bg.wasm in {}, found {}",
            staging.display(),
            found.len()
        )),
    }
}

/// The module with each defined function named by its rank in [`chain`], zero-padded so
/// names sort as ranks, and every other name dropped.
pub fn rank_names(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let parts = Parts::read(bytes)?;
    if parts.names.is_empty() {
        return Err("the module has no function names: index.html's wasm-opt needs -g".into());
    }
    let by_name = {
        let mut all: Vec<usize> = (0..parts.bodies.len()).collect();
        all.sort_by_key(|&i| parts.names.get(&(parts.imported + i as u32)).copied());
        all
    };
    let order = chain(&parts.bodies, &by_name);
    let mut rank = vec![0; order.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let width = order.len().to_string().len();
    let mut names = wasm_encoder::NameMap::new();
    for (i, r) in rank.iter().enumerate() {
        names.append(parts.imported + i as u32, &format!("{r:0width$}"));
    }
    let mut section = wasm_encoder::NameSection::new();
    section.functions(&names);

    let mut module = wasm_encoder::Module::new();
    for (id, range) in parts.kept {
        module.section(&wasm_encoder::RawSection {
            id,
            data: &bytes[range],
        });
    }
    module.section(&section);
    Ok(module.finish())
}

/// The greedy chain over the function bodies: each next function is the unplaced one that
/// shares the most runs with the last ones placed, the last weighing most (the earliest in
/// `fallback` on a tie), or, where none scores [`LIKE`], the first unplaced one in
/// `fallback`.
pub fn chain(bodies: &[&[u8]], fallback: &[usize]) -> Vec<usize> {
    let runs: Vec<Vec<u64>> = bodies.iter().map(|b| runs_of(b)).collect();
    // Each run's functions, in fallback order, so a tie goes to the earlier one there.
    let mut holders: HashMap<u64, Vec<u32>> = HashMap::new();
    let mut place = vec![0; bodies.len()];
    for (p, &i) in fallback.iter().enumerate() {
        place[i] = p;
        for &run in &runs[i] {
            holders.entry(run).or_default().push(i as u32);
        }
    }
    let mut placed = vec![false; bodies.len()];
    let mut score = vec![0u32; bodies.len()];
    let mut scored: Vec<u32> = Vec::new();
    let mut order = Vec::with_capacity(bodies.len());
    let mut next_fallback = 0;
    let mut current = fallback.first().copied();
    while let Some(now) = current {
        placed[now] = true;
        order.push(now);
        for (age, &recent) in order.iter().rev().take(RECENT).enumerate() {
            let weight = NEAREST / (1 + age as u32);
            for run in &runs[recent] {
                let Some(others) = holders.get(run) else {
                    continue;
                };
                if others.len() > COMMON {
                    continue;
                }
                for &j in others {
                    if !placed[j as usize] {
                        if score[j as usize] == 0 {
                            scored.push(j);
                        }
                        score[j as usize] += weight;
                    }
                }
            }
        }
        let best = scored
            .iter()
            .map(|&j| j as usize)
            .filter(|&j| score[j] >= LIKE)
            .max_by_key(|&j| (score[j], std::cmp::Reverse(place[j])));
        for j in scored.drain(..) {
            score[j as usize] = 0;
        }
        current = best.or_else(|| {
            while next_fallback < fallback.len() && placed[fallback[next_fallback]] {
                next_fallback += 1;
            }
            fallback.get(next_fallback).copied()
        });
    }
    order
}

/// A body's distinct runs of [`RUN`] bytes, each packed into a number.
fn runs_of(body: &[u8]) -> Vec<u64> {
    let mut runs: Vec<u64> = body
        .windows(RUN)
        .map(|w| w.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b)))
        .collect();
    runs.sort_unstable();
    runs.dedup();
    runs
}

/// What [`rank_names`] needs of a module.
struct Parts<'a> {
    /// Functions imported, which come before the defined ones in the index space.
    imported: u32,
    /// The defined functions' bodies, in module order.
    bodies: Vec<&'a [u8]>,
    /// Every function's name, by index.
    names: HashMap<u32, &'a str>,
    /// Every section but the name section: its id and its contents' bytes in the module.
    kept: Vec<(u8, std::ops::Range<usize>)>,
}

impl<'a> Parts<'a> {
    fn read(bytes: &'a [u8]) -> Result<Self, String> {
        let mut parts = Parts {
            imported: 0,
            bodies: Vec::new(),
            names: HashMap::new(),
            kept: Vec::new(),
        };
        let invalid = |e: wasmparser::BinaryReaderError| format!("not a valid module: {e}");
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(invalid)?;
            match &payload {
                Payload::ImportSection(imports) => {
                    for import in imports.clone().into_imports() {
                        if matches!(import.map_err(invalid)?.ty, TypeRef::Func(_)) {
                            parts.imported += 1;
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => parts.bodies.push(&bytes[span(body.range())?]),
                Payload::CustomSection(custom) => {
                    if let KnownCustom::Name(names) = custom.as_known() {
                        for name in names {
                            if let Name::Function(map) = name.map_err(invalid)? {
                                for naming in map {
                                    let naming = naming.map_err(invalid)?;
                                    parts.names.insert(naming.index, naming.name);
                                }
                            }
                        }
                        continue;
                    }
                }
                _ => {}
            }
            if let Some((id, range)) = payload.as_section() {
                parts.kept.push((id, span(range)?));
            }
        }
        Ok(parts)
    }
}

/// The module `bytes` with each section as it was, but those `rewrite` gives new contents
/// for (it is shown each section as parsed, with its byte range in `bytes`).
pub fn with_sections(
    bytes: &[u8],
    mut rewrite: impl FnMut(&Payload<'_>, std::ops::Range<usize>) -> Result<Option<Vec<u8>>, String>,
) -> Result<Vec<u8>, String> {
    let mut module = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| format!("not a valid module: {e}"))?;
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        let range = span(range)?;
        match rewrite(&payload, range.clone())? {
            Some(data) => module.section(&wasm_encoder::RawSection { id, data: &data }),
            None => module.section(&wasm_encoder::RawSection {
                id,
                data: &bytes[range],
            }),
        };
    }
    Ok(module.finish())
}

/// The parser's byte offsets (it counts in u64) as indices of the module.
pub fn span(range: std::ops::Range<u64>) -> Result<std::ops::Range<usize>, String> {
    Ok(index(range.start)?..index(range.end)?)
}

/// One of the parser's byte offsets as an index of the module.
pub fn index(at: u64) -> Result<usize, String> {
    usize::try_from(at).map_err(|_| format!("offset {at} too large"))
}

fn has_names(bytes: &[u8]) -> Result<bool, String> {
    for payload in Parser::new(0).parse_all(bytes) {
        if let Payload::CustomSection(custom) = payload.map_err(|e| e.to_string())?
            && custom.name() == "name"
        {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_bodies_are_placed_side_by_side() {
        let a: &[u8] = b"0123456789abcdef";
        let b: &[u8] = b"ghijklmnopqrstuv";
        let a2: &[u8] = b"0123456789abcdeX";
        let b2: &[u8] = b"ghijklmnopqrstuW";
        // By name they alternate; the chain puts each beside its likeness.
        assert_eq!(chain(&[a, b, a2, b2], &[0, 1, 2, 3]), vec![0, 2, 1, 3]);
    }

    #[test]
    fn unlike_bodies_keep_the_fallback_order() {
        let bodies: [&[u8]; 3] = [b"one function", b"another body", b"a third thing"];
        assert_eq!(chain(&bodies, &[2, 0, 1]), vec![2, 0, 1]);
    }

    #[test]
    fn every_function_is_placed_once() {
        let bodies: Vec<Vec<u8>> = (0..50u8)
            .map(|i| vec![i % 7, i % 7, i % 7, i % 7, i % 7, i % 7, i % 7, i % 7, i])
            .collect();
        let refs: Vec<&[u8]> = bodies.iter().map(Vec::as_slice).collect();
        let fallback: Vec<usize> = (0..50).rev().collect();
        let mut order = chain(&refs, &fallback);
        order.sort_unstable();
        assert_eq!(order, (0..50).collect::<Vec<_>>());
    }

    /// A module with an imported function, three defined ones and their names: the names
    /// become ranks (the imported one keeps none), every other section stays byte for byte.
    #[test]
    fn names_become_ranks_and_the_rest_is_kept() {
        use wasm_encoder::*;
        let mut module = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        module.section(&types);
        let mut imports = ImportSection::new();
        imports.import("env", "f", EntityType::Function(0));
        module.section(&imports);
        let mut functions = FunctionSection::new();
        for _ in 0..3 {
            functions.function(0);
        }
        module.section(&functions);
        let mut code = CodeSection::new();
        for calls in [0u32, 1, 0] {
            let mut f = Function::new([]);
            for _ in 0..8 {
                f.instruction(&Instruction::Call(calls));
            }
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        module.section(&code);
        let mut names = NameMap::new();
        for (i, n) in ["import", "c", "b", "a"].iter().enumerate() {
            names.append(i as u32, n);
        }
        let mut name_section = NameSection::new();
        name_section.functions(&names);
        module.section(&name_section);
        let bytes = module.finish();

        let ranked = rank_names(&bytes).expect("ranked");
        let parts = Parts::read(&ranked).expect("readable");
        assert_eq!(parts.imported, 1);
        assert_eq!(parts.bodies.len(), 3);
        // By name: a (3), b (2), c (1); a and c have the same body, so c follows a.
        assert_eq!(parts.names.get(&3), Some(&"0"));
        assert_eq!(parts.names.get(&1), Some(&"1"));
        assert_eq!(parts.names.get(&2), Some(&"2"));
        assert_eq!(parts.names.get(&0), None);
        let original = Parts::read(&bytes).expect("readable");
        assert_eq!(original.bodies, parts.bodies);
        let without_names = |p: &Parts, b: &[u8]| -> Vec<(u8, Vec<u8>)> {
            p.kept
                .iter()
                .map(|(id, r)| (*id, b[r.clone()].to_vec()))
                .collect()
        };
        assert_eq!(
            without_names(&original, &bytes),
            without_names(&parts, &ranked)
        );
        assert!(has_names(&ranked).expect("readable"));
    }

    #[test]
    fn a_shipped_module_with_names_fails_the_check() {
        let dir = std::env::temp_dir().join(format!("bs-order-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let wasm = dir.join("app_bg.wasm");
        let mut named = wasm_encoder::Module::new();
        let mut names = wasm_encoder::NameSection::new();
        names.module("app");
        named.section(&names);
        std::fs::write(&wasm, named.finish()).expect("written");
        let refused = shipped_without_names(&dir).expect_err("names found");
        assert!(refused.contains("post-build"), "{refused}");
        std::fs::write(&wasm, wasm_encoder::Module::new().finish()).expect("written");
        let passed = shipped_without_names(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        passed.expect("no names");
    }

    #[test]
    fn a_module_without_names_is_refused() {
        let module = wasm_encoder::Module::new().finish();
        let refused = rank_names(&module).expect_err("refused");
        assert!(refused.contains("-g"), "{refused}");
    }
}
