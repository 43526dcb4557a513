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

#[cfg(test)]
mod tests {
    use super::*;

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
