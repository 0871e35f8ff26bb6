//! `package-lock.json` read into only what [`super::npm_lock`] asks of it, borrowing strings from
//! the text: a `serde_json::Value` of a large lockfile is a map, a key string and a value per
//! field of every entry, most of which the cataloger never reads.
//!
//! It reads exactly what the `Value` did: every field leniently (a field of another JSON type is
//! as absent; `dev: "yes"` is false), a repeated key's last value wins, and a repeated path keeps
//! its first place with its last entry (serde_json's `preserve_order` map). Syntax errors are the
//! same tokenizer's, so their messages and lines are too.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// A lockfile object (the document, a `packages` entry, a v1 `dependencies` entry) or, when
/// `object` is false, any other JSON value.
#[derive(Default)]
pub(super) struct Entry<'a> {
    pub object: bool,
    pub name: Option<Cow<'a, str>>,
    pub version: Option<Cow<'a, str>>,
    pub resolved: Option<Cow<'a, str>>,
    pub integrity: Option<Cow<'a, str>>,
    pub link: bool,
    pub dev: bool,
    pub optional: bool,
    pub dev_optional: bool,
    pub has_lockfile_version: bool,
    /// `dependencies` when it is an object: v2/v3 name → range (each value a non-object entry),
    /// v1 name → nested entry.
    pub dependencies: Option<Vec<(Cow<'a, str>, Entry<'a>)>>,
    pub optional_dependencies: Option<Vec<Cow<'a, str>>>,
    pub peer_dependencies: Option<Vec<Cow<'a, str>>>,
    pub dev_dependencies: Option<Vec<Cow<'a, str>>>,
    pub requires: Option<Vec<Cow<'a, str>>>,
    /// `packages` when it is an object, in file order.
    pub packages: Option<Vec<(Cow<'a, str>, Entry<'a>)>>,
    /// `license` as [`super::npm_common::declared_licenses`] reads it.
    license: Option<String>,
    /// `licenses` as it reads it, when present.
    licenses: Option<Option<String>>,
}

impl Entry<'_> {
    /// The declared license, as [`super::npm_common::declared_licenses`] gives it.
    pub fn declared_license(&self) -> Option<String> {
        self.license.clone().or_else(|| self.licenses.clone().flatten())
    }
}

/// A string borrowed from the text when it has no escapes.
struct Str<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Any JSON value, kept only when it is a string.
struct Lenient<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for Lenient<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Lenient<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Lenient(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Lenient(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Lenient(Some(Cow::Owned(v))))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Lenient(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Lenient(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Lenient(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Lenient(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Lenient(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Lenient(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Lenient(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// Any JSON value, true only when it is `true`.
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Flag(v))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Flag(false))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Flag(false))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Flag(false))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Flag(false))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Flag(false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Flag(false))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Flag(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// Any JSON value; for an object, its keys (each once, in first-seen order).
struct Keys<'a>(Option<Vec<Cow<'a, str>>>);

impl<'de> Deserialize<'de> for Keys<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keys<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut keys: Vec<Cow<'de, str>> = Vec::new();
                let mut index: Option<HashSet<Cow<'de, str>>> = None;
                while let Some((Str(k), IgnoredAny)) = map.next_entry()? {
                    let seen = match &index {
                        Some(index) => index.contains(&k),
                        None => keys.contains(&k),
                    };
                    if !seen {
                        if let Some(index) = &mut index {
                            index.insert(k.clone());
                        }
                        keys.push(k);
                        if index.is_none() && keys.len() >= SCAN_LIMIT {
                            index = Some(keys.iter().cloned().collect());
                        }
                    }
                }
                Ok(Keys(Some(keys)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Keys(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Keys(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Keys(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Keys(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Keys(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Keys(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Keys(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// Objects up to this many keys are searched for a repeated key without an index.
const SCAN_LIMIT: usize = 16;

/// Any JSON value; for an object, its entries in first-seen order, a repeated key's last entry
/// in its first place.
struct Entries<'a>(Option<Vec<(Cow<'a, str>, Entry<'a>)>>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(Cow<'de, str>, Entry<'de>)> = Vec::new();
                // Repeated keys are looked for by a scan while the object is small (a package's
                // dependencies), through an index once it is large (`packages`).
                let mut index: Option<HashMap<Cow<'de, str>, usize>> = None;
                while let Some((Str(k), e)) = map.next_entry::<Str<'de>, Entry<'de>>()? {
                    let seen = match &index {
                        Some(index) => index.get(&k).copied(),
                        None => entries.iter().position(|(x, _)| *x == k),
                    };
                    match seen.and_then(|i| entries.get_mut(i)) {
                        Some(slot) => slot.1 = e,
                        None => {
                            if let Some(index) = &mut index {
                                index.insert(k.clone(), entries.len());
                            }
                            entries.push((k, e));
                            if index.is_none() && entries.len() >= SCAN_LIMIT {
                                index = Some(
                                    entries.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).collect(),
                                );
                            }
                        }
                    }
                }
                Ok(Entries(Some(entries)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Entries(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Entries(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Entries(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Entries(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Entries(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Entries(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Entries(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A license value: a string, or an object's `type` string (`{"type": "MIT", "url": …}`).
struct LicenseOf(Option<String>);

impl<'de> Deserialize<'de> for LicenseOf {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LicenseVisitor)
    }
}

struct LicenseVisitor;

impl<'de> Visitor<'de> for LicenseVisitor {
    type Value = LicenseOf;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(LicenseOf(Some(v.to_owned())))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kind = None;
        while let Some(Str(k)) = map.next_key::<Str<'de>>()? {
            if k == "type" {
                kind = map.next_value::<Lenient<'de>>()?.0.map(Cow::into_owned);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(LicenseOf(kind))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(LicenseOf(None))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(LicenseOf(None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(LicenseOf(None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(LicenseOf(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(LicenseOf(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(LicenseOf(None))
    }
}

/// `licenses`: an array of license values joined with ` OR ` (blank ones left out), or one.
struct Licenses(Option<String>);

impl<'de> Deserialize<'de> for Licenses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Licenses;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut all: Vec<String> = Vec::new();
                while let Some(LicenseOf(l)) = seq.next_element::<LicenseOf>()? {
                    if let Some(l) = l.filter(|s| !s.trim().is_empty()) {
                        all.push(l);
                    }
                }
                Ok(Licenses((!all.is_empty()).then(|| all.join(" OR "))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Licenses(LicenseVisitor.visit_str::<E>(v)?.0))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Ok(Licenses(LicenseVisitor.visit_map(map)?.0))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Licenses(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Licenses(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Licenses(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Licenses(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Licenses(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Entry<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entry<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut e = Entry { object: true, ..Entry::default() };
                while let Some(Str(k)) = map.next_key::<Str<'de>>()? {
                    match k.as_ref() {
                        "name" => e.name = map.next_value::<Lenient<'de>>()?.0,
                        "version" => e.version = map.next_value::<Lenient<'de>>()?.0,
                        "resolved" => e.resolved = map.next_value::<Lenient<'de>>()?.0,
                        "integrity" => e.integrity = map.next_value::<Lenient<'de>>()?.0,
                        "link" => e.link = map.next_value::<Flag>()?.0,
                        "dev" => e.dev = map.next_value::<Flag>()?.0,
                        "optional" => e.optional = map.next_value::<Flag>()?.0,
                        "devOptional" => e.dev_optional = map.next_value::<Flag>()?.0,
                        "lockfileVersion" => {
                            map.next_value::<IgnoredAny>()?;
                            e.has_lockfile_version = true;
                        }
                        "dependencies" => e.dependencies = map.next_value::<Entries<'de>>()?.0,
                        "packages" => e.packages = map.next_value::<Entries<'de>>()?.0,
                        "optionalDependencies" => e.optional_dependencies = map.next_value::<Keys<'de>>()?.0,
                        "peerDependencies" => e.peer_dependencies = map.next_value::<Keys<'de>>()?.0,
                        "devDependencies" => e.dev_dependencies = map.next_value::<Keys<'de>>()?.0,
                        "requires" => e.requires = map.next_value::<Keys<'de>>()?.0,
                        "license" => e.license = map.next_value::<LicenseOf>()?.0,
                        "licenses" => e.licenses = Some(map.next_value::<Licenses>()?.0),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(e)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Entry::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Entry::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Entry::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Entry::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Entry::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Entry::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Entry::default())
            }
        }
        d.deserialize_any(V)
    }
}
