//! Text compared without regard to case: the search box, the event log's filter and the
//! name order. Each character is lowered as `char::to_lowercase` lowers it, from a table of
//! runs: 184 runs of characters that a fixed distance separates from their lowercase, where
//! the standard library keeps 1,400 pairs of characters; with its `str::to_lowercase`, they
//! were 7 KB of the web app's gzipped download. A test holds the table to the standard
//! library's answer for every character.
//!
//! One difference, on purpose: the final sigma `ς` is lowered to `σ`, so a search finds a
//! Greek word however its last letter was typed (`str::to_lowercase` would write a capital
//! `Σ` at the end of a word as `ς`, and `σ` elsewhere).

/// `c` lowered: one character, or two for `İ` (`i` and a combining dot above).
pub fn lower(c: char) -> impl Iterator<Item = char> + Clone {
    let dot = (c == 'İ').then_some('\u{307}');
    std::iter::once(lower_one(c)).chain(dot)
}

/// `text` lowered, character by character (see [`lower`]).
pub fn lowercase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_lowercase(&mut out, text);
    out
}

/// Appends `text` lowered to `out`.
pub fn push_lowercase(out: &mut String, text: &str) {
    if text.is_ascii() {
        out.extend(text.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.extend(text.chars().flat_map(lower));
    }
}

/// Whether `haystack` holds `lowered` (a text already [`lowercase`]d), ignoring case: for
/// ASCII text without lowering or copying either.
pub fn contains(haystack: &str, lowered: &str) -> bool {
    if haystack.is_ascii() && lowered.is_ascii() {
        let (h, n) = (haystack.as_bytes(), lowered.as_bytes());
        n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        lowercase(haystack).contains(lowered)
    }
}

fn lower_one(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    match c {
        'ς' => return 'σ',
        'İ' => return 'i',
        _ => {}
    }
    let code = u32::from(c);
    let after = RUNS.partition_point(|r| r.start() <= code);
    let Some(run) = after.checked_sub(1).and_then(|i| RUNS.get(i)) else {
        return c;
    };
    let offset = code - run.start();
    if offset < run.len() * run.step() && offset % run.step() == 0 {
        char::from_u32(code.wrapping_add_signed(run.delta())).unwrap_or(c)
    } else {
        c
    }
}

/// `len` characters from `start`, `step` apart, each `delta` from its lowercase. Packed in
/// eight bytes: the start in the low 21 bits, the length in the next 8, the step above.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run(u32, i32);

impl Run {
    fn start(self) -> u32 {
        self.0 & 0x1F_FFFF
    }

    fn len(self) -> u32 {
        (self.0 >> 21) & 0xFF
    }

    fn step(self) -> u32 {
        self.0 >> 29
    }

    fn delta(self) -> i32 {
        self.1
    }
}

const fn run(start: u32, len: u32, step: u32, delta: i32) -> Run {
    Run(start | len << 21 | step << 29, delta)
}

/// Every character beyond ASCII that has a lowercase of one character other than itself, in
/// runs, in order (written by `tests::runs_of_the_standard_library`).
#[rustfmt::skip]
const RUNS: &[Run] = &[
    run(0x00C0, 23, 1, 32), run(0x00D8, 7, 1, 32), run(0x0100, 24, 2, 1), run(0x0132, 3, 2, 1),
    run(0x0139, 8, 2, 1), run(0x014A, 23, 2, 1), run(0x0178, 1, 1, -121), run(0x0179, 3, 2, 1),
    run(0x0181, 1, 1, 210), run(0x0182, 2, 2, 1), run(0x0186, 1, 1, 206), run(0x0187, 1, 1, 1),
    run(0x0189, 2, 1, 205), run(0x018B, 1, 1, 1), run(0x018E, 1, 1, 79), run(0x018F, 1, 1, 202),
    run(0x0190, 1, 1, 203), run(0x0191, 1, 1, 1), run(0x0193, 1, 1, 205), run(0x0194, 1, 1, 207),
    run(0x0196, 1, 1, 211), run(0x0197, 1, 1, 209), run(0x0198, 1, 1, 1), run(0x019C, 1, 1, 211),
    run(0x019D, 1, 1, 213), run(0x019F, 1, 1, 214), run(0x01A0, 3, 2, 1), run(0x01A6, 1, 1, 218),
    run(0x01A7, 1, 1, 1), run(0x01A9, 1, 1, 218), run(0x01AC, 1, 1, 1), run(0x01AE, 1, 1, 218),
    run(0x01AF, 1, 1, 1), run(0x01B1, 2, 1, 217), run(0x01B3, 2, 2, 1), run(0x01B7, 1, 1, 219),
    run(0x01B8, 1, 1, 1), run(0x01BC, 1, 1, 1), run(0x01C4, 1, 1, 2), run(0x01C5, 1, 1, 1),
    run(0x01C7, 1, 1, 2), run(0x01C8, 1, 1, 1), run(0x01CA, 1, 1, 2), run(0x01CB, 9, 2, 1),
    run(0x01DE, 9, 2, 1), run(0x01F1, 1, 1, 2), run(0x01F2, 2, 2, 1), run(0x01F6, 1, 1, -97),
    run(0x01F7, 1, 1, -56), run(0x01F8, 20, 2, 1), run(0x0220, 1, 1, -130), run(0x0222, 9, 2, 1),
    run(0x023A, 1, 1, 10795), run(0x023B, 1, 1, 1), run(0x023D, 1, 1, -163),
    run(0x023E, 1, 1, 10792), run(0x0241, 1, 1, 1), run(0x0243, 1, 1, -195), run(0x0244, 1, 1, 69),
    run(0x0245, 1, 1, 71), run(0x0246, 5, 2, 1), run(0x0370, 2, 2, 1), run(0x0376, 1, 1, 1),
    run(0x037F, 1, 1, 116), run(0x0386, 1, 1, 38), run(0x0388, 3, 1, 37), run(0x038C, 1, 1, 64),
    run(0x038E, 2, 1, 63), run(0x0391, 17, 1, 32), run(0x03A3, 9, 1, 32), run(0x03CF, 1, 1, 8),
    run(0x03D8, 12, 2, 1), run(0x03F4, 1, 1, -60), run(0x03F7, 1, 1, 1), run(0x03F9, 1, 1, -7),
    run(0x03FA, 1, 1, 1), run(0x03FD, 3, 1, -130), run(0x0400, 16, 1, 80), run(0x0410, 32, 1, 32),
    run(0x0460, 17, 2, 1), run(0x048A, 27, 2, 1), run(0x04C0, 1, 1, 15), run(0x04C1, 7, 2, 1),
    run(0x04D0, 48, 2, 1), run(0x0531, 38, 1, 48), run(0x10A0, 38, 1, 7264),
    run(0x10C7, 1, 1, 7264), run(0x10CD, 1, 1, 7264), run(0x13A0, 80, 1, 38864),
    run(0x13F0, 6, 1, 8), run(0x1C89, 1, 1, 1), run(0x1C90, 43, 1, -3008), run(0x1CBD, 3, 1, -3008),
    run(0x1E00, 75, 2, 1), run(0x1E9E, 1, 1, -7615), run(0x1EA0, 48, 2, 1), run(0x1F08, 8, 1, -8),
    run(0x1F18, 6, 1, -8), run(0x1F28, 8, 1, -8), run(0x1F38, 8, 1, -8), run(0x1F48, 6, 1, -8),
    run(0x1F59, 4, 2, -8), run(0x1F68, 8, 1, -8), run(0x1F88, 8, 1, -8), run(0x1F98, 8, 1, -8),
    run(0x1FA8, 8, 1, -8), run(0x1FB8, 2, 1, -8), run(0x1FBA, 2, 1, -74), run(0x1FBC, 1, 1, -9),
    run(0x1FC8, 4, 1, -86), run(0x1FCC, 1, 1, -9), run(0x1FD8, 2, 1, -8), run(0x1FDA, 2, 1, -100),
    run(0x1FE8, 2, 1, -8), run(0x1FEA, 2, 1, -112), run(0x1FEC, 1, 1, -7), run(0x1FF8, 2, 1, -128),
    run(0x1FFA, 2, 1, -126), run(0x1FFC, 1, 1, -9), run(0x2126, 1, 1, -7517),
    run(0x212A, 1, 1, -8383), run(0x212B, 1, 1, -8262), run(0x2132, 1, 1, 28),
    run(0x2160, 16, 1, 16), run(0x2183, 1, 1, 1), run(0x24B6, 26, 1, 26), run(0x2C00, 48, 1, 48),
    run(0x2C60, 1, 1, 1), run(0x2C62, 1, 1, -10743), run(0x2C63, 1, 1, -3814),
    run(0x2C64, 1, 1, -10727), run(0x2C67, 3, 2, 1), run(0x2C6D, 1, 1, -10780),
    run(0x2C6E, 1, 1, -10749), run(0x2C6F, 1, 1, -10783), run(0x2C70, 1, 1, -10782),
    run(0x2C72, 1, 1, 1), run(0x2C75, 1, 1, 1), run(0x2C7E, 2, 1, -10815), run(0x2C80, 50, 2, 1),
    run(0x2CEB, 2, 2, 1), run(0x2CF2, 1, 1, 1), run(0xA640, 23, 2, 1), run(0xA680, 14, 2, 1),
    run(0xA722, 7, 2, 1), run(0xA732, 31, 2, 1), run(0xA779, 2, 2, 1), run(0xA77D, 1, 1, -35332),
    run(0xA77E, 5, 2, 1), run(0xA78B, 1, 1, 1), run(0xA78D, 1, 1, -42280), run(0xA790, 2, 2, 1),
    run(0xA796, 10, 2, 1), run(0xA7AA, 1, 1, -42308), run(0xA7AB, 1, 1, -42319),
    run(0xA7AC, 1, 1, -42315), run(0xA7AD, 1, 1, -42305), run(0xA7AE, 1, 1, -42308),
    run(0xA7B0, 1, 1, -42258), run(0xA7B1, 1, 1, -42282), run(0xA7B2, 1, 1, -42261),
    run(0xA7B3, 1, 1, 928), run(0xA7B4, 8, 2, 1), run(0xA7C4, 1, 1, -48), run(0xA7C5, 1, 1, -42307),
    run(0xA7C6, 1, 1, -35384), run(0xA7C7, 2, 2, 1), run(0xA7CB, 1, 1, -42343),
    run(0xA7CC, 8, 2, 1), run(0xA7DC, 1, 1, -42561), run(0xA7F5, 1, 1, 1), run(0xFF21, 26, 1, 32),
    run(0x10400, 40, 1, 40), run(0x104B0, 36, 1, 40), run(0x10570, 11, 1, 39),
    run(0x1057C, 15, 1, 39), run(0x1058C, 7, 1, 39), run(0x10594, 2, 1, 39),
    run(0x10C80, 51, 1, 64), run(0x10D50, 22, 1, 32), run(0x118A0, 32, 1, 32),
    run(0x16E40, 32, 1, 32), run(0x16EA0, 25, 1, 27), run(0x1E900, 34, 1, 34),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs the standard library's `char::to_lowercase` makes, as [`RUNS`] is written.
    fn runs_of_the_standard_library() -> Vec<(u32, u32, u32, i32)> {
        let mut runs: Vec<(u32, u32, u32, i32)> = Vec::new();
        for c in (0x80..=0x10_FFFF).filter_map(char::from_u32) {
            let mut lowered = c.to_lowercase();
            let (Some(first), None) = (lowered.next(), lowered.next()) else {
                continue;
            };
            if first == c {
                continue;
            }
            let (code, delta) = (u32::from(c), u32::from(first) as i32 - u32::from(c) as i32);
            if let Some((start, len, step, d)) = runs.last_mut() {
                let next = if *len == 1 {
                    code - *start <= 2
                } else {
                    code == *start + *len * *step
                };
                if *d == delta && next {
                    if *len == 1 {
                        *step = code - *start;
                    }
                    *len += 1;
                    continue;
                }
            }
            runs.push((code, 1, 1, delta));
        }
        runs
    }

    #[test]
    fn the_table_is_the_standard_librarys() {
        let want = runs_of_the_standard_library();
        let have: Vec<_> = RUNS
            .iter()
            .map(|r| (r.start(), r.len(), r.step(), r.delta()))
            .collect();
        if have != want {
            let lines: Vec<String> = want
                .iter()
                .map(|(s, n, st, d)| format!("run(0x{s:04X}, {n}, {st}, {d}),"))
                .collect();
            panic!(
                "the standard library's Unicode tables changed; RUNS is now:\n{}",
                lines.join(" ")
            );
        }
    }

    #[test]
    fn every_character_lowers_as_the_standard_library_lowers_it() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let want: String = if c == 'ς' {
                "σ".into()
            } else {
                c.to_lowercase().collect()
            };
            assert_eq!(lower(c).collect::<String>(), want, "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn text_lowers_character_by_character() {
        assert_eq!(lowercase("Billing DESK 7"), "billing desk 7");
        assert_eq!(lowercase("ÉCOLE Ünïcode"), "école ünïcode");
        assert_eq!(lowercase("ΟΔΟΣ οδος"), "οδοσ οδοσ");
        assert_eq!(lowercase("İstanbul"), "i\u{307}stanbul");
        assert_eq!(lowercase("ДЕСК ẞ Ω"), "деск ß ω");
        let mut out = String::from("a ");
        push_lowercase(&mut out, "B");
        assert_eq!(out, "a b");
    }
}
