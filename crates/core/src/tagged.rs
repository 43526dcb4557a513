//! Readers of the internally tagged enums (`{"status": "Online", "links": …}`) written by
//! hand, for the same JSON serde derives.
//!
//! serde's derived reader of such an enum buffers every object into its `Content` tree
//! first, since the tag may come last, then reads the variant from that tree: a second copy
//! of every reader below it, in the app's download. Here each enum reads one plain struct
//! of every variant's fields (all optional, the tag among them) and then checks that the
//! variant has what it needs.

use serde::de::Error;

/// `value`, or serde's "missing field" error.
pub(crate) fn required<T, E: Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}

/// Refuses the first field of `present` that is set but not among `expected` (the variant's
/// own), as serde's `deny_unknown_fields` does.
pub(crate) fn only<E: Error>(
    present: &[(&'static str, bool)],
    expected: &'static [&'static str],
) -> Result<(), E> {
    match present
        .iter()
        .find(|(field, set)| *set && !expected.contains(field))
    {
        Some((field, _)) => Err(E::unknown_field(field, expected)),
        None => Ok(()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    /// `value` reads back from what serde writes, and from the same object with its keys
    /// sorted, the tag after the fields that sort before it.
    pub(crate) fn reads_back<T>(value: &T)
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let text = serde_json::to_string(value).expect("written");
        let back: T = serde_json::from_str(&text).expect("read back");
        assert_eq!(&back, value, "{text}");
        let sorted = serde_json::to_value(value).expect("a value").to_string();
        let back: T = serde_json::from_str(&sorted).expect("read back with sorted keys");
        assert_eq!(&back, value, "{sorted}");
    }
}
