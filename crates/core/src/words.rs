//! Numbers and counts as a person writes them, for every sentence the product says.

/// 100000 → "100,000": limits and counts read as a person writes them.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The "s" of a regular plural: `format!("{n} connector{}", plural(n))`.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `value` with `places` decimals, as `format!("{value:.places$}")` writes it, but in integer
/// arithmetic: in the web app, Rust's float formatter and its tables were 4 KB of the
/// download, for a few percentages and pixel positions. A tie rounds away from zero (the
/// formatter rounds the binary value, so `0.125` may come out either way); a value too
/// large for the places, or not a number, is written as its whole part or "NaN".
pub fn decimal(value: f64, places: u32) -> String {
    let places = places.min(9);
    let unit = 10_u64.pow(places);
    let scaled = (value.abs() * unit as f64).round();
    if scaled.is_nan() {
        return "NaN".to_owned();
    }
    // Beyond 2^53 an f64 holds no fraction: the saturating cast keeps its whole part.
    let scaled = scaled as u64;
    let sign = if value < 0.0 && scaled > 0 { "-" } else { "" };
    let whole = scaled / unit;
    if places == 0 {
        format!("{sign}{whole}")
    } else {
        let fraction = scaled % unit;
        format!("{sign}{whole}.{fraction:0width$}", width = places as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_read_as_the_float_formatter_writes_them() {
        assert_eq!(decimal(83.333, 1), "83.3");
        assert_eq!(decimal(0.5, 4), "0.5000");
        assert_eq!(decimal(99.96, 1), "100.0");
        assert_eq!(decimal(-12.34, 1), "-12.3");
        assert_eq!(decimal(-0.01, 1), "0.0");
        assert_eq!(decimal(320.0, 0), "320");
        assert_eq!(decimal(f64::NAN, 2), "NaN");
        // Every value a percentage, a share or a pixel position takes, away from ties.
        for i in 0..200_000_u32 {
            let value = f64::from(i) * 0.0137 - 300.0;
            for places in 0..=4 {
                let theirs = format!("{value:.*}", places as usize);
                let theirs = if theirs.trim_start_matches(['-', '0', '.']).is_empty() {
                    theirs.trim_start_matches('-').to_owned()
                } else {
                    theirs
                };
                let tie = (value.abs() * 10_f64.powi(places as i32)).fract();
                if (tie - 0.5).abs() > 1e-6 {
                    assert_eq!(decimal(value, places), theirs, "{value} to {places}");
                }
            }
        }
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn one_has_no_plural_s() {
        assert_eq!(format!("1 connector{}", plural(1)), "1 connector");
        assert_eq!(format!("0 connector{}", plural(0)), "0 connectors");
        assert_eq!(format!("2 connector{}", plural(2)), "2 connectors");
    }
}
