//! Reading JSON the way serde_json does, but with structs read from JSON objects only.
//!
//! serde_json reads a struct from an array of its fields as well as from an object, so every
//! derived reader it drives keeps a second, positional path (`visit_seq`) that nothing we read
//! takes: we write structs as objects, and so does every server and file we read. In the web
//! app those paths were 6 KB of the gzipped download. [`from_str`] drives serde_json through
//! [`Objects`], which asks for each struct as a map, so the positional paths are never
//! compiled. Everything else is serde_json's own: the same values, and the same errors with
//! their line and column. Tuples and sequences still read from arrays.
//!
//! The wrappers only forward: each passes the value, visitor or seed it is given to the one
//! it wraps, wrapped in turn, so the structs inside a list, a map, an option or an enum are
//! read from objects too. Map keys and primitives are passed on unwrapped, as they hold no
//! structs.

use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use std::fmt;

/// `T` from the JSON `text`, like `serde_json::from_str`, except that a struct given as an
/// array of its fields is refused ("invalid type: sequence, expected struct …").
pub fn from_str<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    let mut json = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(Objects(&mut json))?;
    json.end()?;
    Ok(value)
}

/// A deserializer that reads structs as maps.
struct Objects<D>(D);

/// A visitor whose compound values (options, lists, maps, enums) are read through [`Objects`].
struct Visit<V>(V);

/// A seed read through [`Objects`].
struct Seed<S>(S);

/// A struct variant's fields, read as a map through the variant's value.
struct StructVariant<V>(V);

/// The access to a list, map or enum, whose values are read through [`Objects`].
struct Access<A>(A);

/// Methods passed on with the visitor as it is: what they read holds no struct.
macro_rules! forward_plain {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method($($arg,)* visitor)
        }
    )*};
}

/// Methods passed on with the visitor wrapped, as what they read may hold structs.
macro_rules! forward_wrapped {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method($($arg,)* Visit(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Objects<D> {
    type Error = D::Error;

    forward_plain! {
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_identifier();
        deserialize_ignored_any();
    }

    forward_wrapped! {
        deserialize_any();
        deserialize_option();
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Visit(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Visits passed on as they are: a primitive holds no struct.
macro_rules! visit_plain {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method<E: serde::de::Error>(self, value: $ty) -> Result<V::Value, E> {
            self.0.$method(value)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Visit<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)
    }

    visit_plain! {
        visit_bool(bool);
        visit_i8(i8);
        visit_i16(i16);
        visit_i32(i32);
        visit_i64(i64);
        visit_i128(i128);
        visit_u8(u8);
        visit_u16(u16);
        visit_u32(u32);
        visit_u64(u64);
        visit_u128(u128);
        visit_f32(f32);
        visit_f64(f64);
        visit_char(char);
        visit_str(&str);
        visit_borrowed_str(&'de str);
        visit_string(String);
        visit_bytes(&[u8]);
        visit_borrowed_bytes(&'de [u8]);
        visit_byte_buf(Vec<u8>);
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, value: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Objects(value))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, value: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(Objects(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Access(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Access(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(Access(data))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, value: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Objects(value))
    }
}

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for StructVariant<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, value: D) -> Result<V::Value, D::Error> {
        value.deserialize_map(Visit(self.0))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Access<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Access<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        // A JSON object's keys are strings.
        self.0.next_key_seed(seed)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Access<A> {
    type Error = A::Error;
    type Variant = Access<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        // The variant's name is a string.
        let (name, variant) = self.0.variant_seed(seed)?;
        Ok((name, Access(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Access<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Seed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Visit(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        // serde_json reads a struct variant's value as a struct, array path and all; its
        // variant's value read as a map is the same object.
        self.0.newtype_variant_seed(StructVariant(visitor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::Fleet;
    use crate::model::{Connector, Millis};
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeMap;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Point {
        x: i32,
        y: i32,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Dot,
        At(Point),
        Line { from: Point, to: Point },
        Pair(Point, Point),
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Drawing {
        shapes: Vec<Shape>,
        named: BTreeMap<String, Point>,
        origin: Option<Point>,
        corners: (Point, Point),
    }

    fn drawing() -> Drawing {
        let p = |x, y| Point { x, y };
        Drawing {
            shapes: vec![
                Shape::Dot,
                Shape::At(p(1, 2)),
                Shape::Line {
                    from: p(0, 0),
                    to: p(3, 4),
                },
                Shape::Pair(p(5, 6), p(7, 8)),
            ],
            named: BTreeMap::from([("home".to_owned(), p(9, 9))]),
            origin: Some(p(0, 1)),
            corners: (p(-1, -1), p(1, 1)),
        }
    }

    #[test]
    fn reads_what_serde_json_writes_as_serde_json_reads_it() {
        let text = serde_json::to_string(&drawing()).expect("written");
        assert_eq!(from_str::<Drawing>(&text).expect("read"), drawing());

        let connectors: Vec<Connector> =
            Fleet::generate(7, 50, Millis(1_700_000_000_000)).connectors;
        let text = serde_json::to_string_pretty(&connectors).expect("written");
        let ours: Vec<Connector> = from_str(&text).expect("read");
        let theirs: Vec<Connector> = serde_json::from_str(&text).expect("read");
        assert_eq!(ours, theirs);
        assert_eq!(ours, connectors);
    }

    #[test]
    fn a_struct_written_as_an_array_of_its_fields_is_refused_wherever_it_is() {
        assert!(
            serde_json::from_str::<Point>("[1, 2]").is_ok(),
            "serde_json takes it"
        );
        let error = from_str::<Point>("[1, 2]")
            .expect_err("an array")
            .to_string();
        assert_eq!(
            error,
            "invalid type: sequence, expected struct Point at line 1 column 0"
        );

        let corners = r#""corners": [{"x": 0, "y": 0}, {"x": 1, "y": 1}]"#;
        let drawings = [
            (format!(r#"{{"shapes": [{{"At": [1, 2]}}], "named": {{}}, "origin": null, {corners}}}"#), "struct Point"),
            (format!(r#"{{"shapes": [{{"Line": [{{"x": 0, "y": 0}}, {{"x": 1, "y": 1}}]}}], "named": {{}}, "origin": null, {corners}}}"#), "struct variant Shape::Line"),
            (format!(r#"{{"shapes": [], "named": {{"home": [9, 9]}}, "origin": null, {corners}}}"#), "struct Point"),
            (format!(r#"{{"shapes": [], "named": {{}}, "origin": [0, 1], {corners}}}"#), "struct Point"),
            (r#"{"shapes": [], "named": {}, "origin": null, "corners": [[0, 0], {"x": 1, "y": 1}]}"#.to_owned(), "struct Point"),
        ];
        for (text, expected) in drawings {
            assert!(
                serde_json::from_str::<Drawing>(&text).is_ok(),
                "serde_json takes {text}"
            );
            let error = from_str::<Drawing>(&text).expect_err(&text).to_string();
            let refusal = format!("invalid type: sequence, expected {expected} at line 1 column ");
            assert!(error.starts_with(&refusal), "{error}");
        }
    }

    #[test]
    fn errors_are_serde_json_s_with_their_line_and_column() {
        let bad = [
            "{\"shapes\": [\"Dot\"],\n \"named\": {\"a\": {\"x\": 1}}, \"origin\": null, \"corners\": [{\"x\": 0, \"y\": 0}, {\"x\": 1, \"y\": 1}]}",
            "{\"shapes\": [\"Square\"], \"named\": {}, \"origin\": null, \"corners\": []}",
            "{\"shapes\": [], \"named\": {}, \"origin\": null, \"corners\": [{\"x\": 0, \"y\": 0}, {\"x\": 1, \"y\": 1}]} trailing",
            "{\"shapes\": [], \"named\": {}, \"origin\": {\"x\": \"1\", \"y\": 0}}",
            "{\"shapes\": [",
        ];
        for text in bad {
            let ours = from_str::<Drawing>(text).expect_err(text).to_string();
            let theirs = serde_json::from_str::<Drawing>(text)
                .expect_err(text)
                .to_string();
            assert_eq!(ours, theirs);
            assert!(ours.contains(" at line "), "{ours}");
        }
    }
}
