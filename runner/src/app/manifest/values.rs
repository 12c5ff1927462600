//! Reusable value deserializers for the manifest: tables in manifest order,
//! lists with a "must be …" wording, strings whose table form Spin has but
//! this runner refuses, and keys refused whatever their value.

use super::messages::unsupported;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// A TOML table with string keys, in manifest order.
pub(super) struct Table<T>(pub Vec<(String, T)>);

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Table<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Table<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Table<T>, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, T>()? {
                    out.push((k, v));
                }
                Ok(Table(out))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// A key Spin knows that this runner cannot honour, whatever its value.
pub(super) fn spin_only<'de, D: Deserializer<'de>>(_: D) -> Result<(), D::Error> {
    Err(de::Error::custom(unsupported(
        "the runner cannot honour it",
    )))
}

/// A list Spin knows that is only honoured when empty.
pub(super) fn empty_list<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
    match string_list(d)?.is_empty() {
        true => Ok(()),
        false => Err(de::Error::custom(unsupported(
            "only an empty list can be honoured",
        ))),
    }
}

/// A table Spin knows that is only honoured when empty.
pub(super) fn empty_table<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
    match Table::<IgnoredAny>::deserialize(d)?.0.is_empty() {
        true => Ok(()),
        false => Err(de::Error::custom(unsupported(
            "only an empty table can be honoured",
        ))),
    }
}

pub(super) fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    list(d, "a list of strings")
}

/// A sequence of `T`; `what` completes "must be …" when it is not one.
pub(super) fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
    what: &'static str,
) -> Result<Vec<T>, D::Error> {
    struct V<T>(&'static str, PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(V(what, PhantomData))
}

/// A string, or a table form Spin has that this runner refuses.
pub(super) fn string_or_refused_table<'de, D: Deserializer<'de>>(
    d: D,
    what: &'static str,
    refusal: &'static str,
) -> Result<String, D::Error> {
    struct V(&'static str, &'static str);
    impl<'de> Visitor<'de> for V {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<String, E> {
            Ok(s.to_string())
        }
        fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
            Err(de::Error::custom(unsupported(self.1)))
        }
    }
    d.deserialize_any(V(what, refusal))
}
