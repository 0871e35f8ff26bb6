//! The canonical form written straight from a `Serialize` value, without a `serde_json::Value` tree.
//!
//! Output is what [`super::canonical::canonical_bytes`] gives for the same value (keys sorted by code
//! point, compact, serde_json's spelling of numbers and strings): scalars are spelled by serde_json
//! itself; each object's entries are written into one shared buffer, then reordered in place. So a
//! document costs one flat buffer instead of a tree of maps, strings and numbers.

use rayon::prelude::*;
use serde::ser::{self, Serialize};
use std::borrow::Cow;
use std::fmt;

/// Why a value has no canonical form.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// The canonical bytes of any serializable value.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(4096);
    value.serialize(&mut Canonical { out: &mut out, open: None })?;
    Ok(out)
}

/// An entry of an object being written: its key and where its value sits in the buffer.
type Entry = (Cow<'static, str>, usize, usize);

/// A value that serializes as an object, in canonical form with its top level left open: every
/// nested object is sorted in the buffer, the top-level entries stay where they were written. Its
/// canonical bytes, with or without entries added, are then produced piece by piece — straight
/// into a hash — without rewriting (copying) the whole document once more, or serializing it again
/// to add one entry.
pub struct OpenObject {
    buf: Vec<u8>,
    entries: Vec<Entry>,
}

/// `value`'s canonical form with its top level open; an error when it is not an object.
pub fn to_open_object<T: Serialize + ?Sized>(value: &T) -> Result<OpenObject, Error> {
    let mut buf = Vec::with_capacity(4096);
    let mut slot = None;
    value.serialize(&mut Canonical { out: &mut buf, open: Some(&mut slot) })?;
    let entries = slot.ok_or_else(|| Error("not an object".into()))?;
    Ok(OpenObject { buf, entries })
}

/// Items of a top-level array serialized at once on the thread pool, then appended in order:
/// bounds the memory held besides the document's buffer to one batch.
const PARALLEL_BATCH: usize = 512;

/// Where bytes of [`OpenObject::write_parts`] belong: the opening brace, an entry (with the comma
/// before it), the closing brace.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum At<'k> {
    /// `{`.
    Open,
    /// The entry with this key.
    Entry(&'k str),
    /// `}`.
    Close,
}

/// Feeds its sink the canonical bytes of one value, each time it is called.
pub type WriteCanonical<'a> = dyn Fn(&mut dyn FnMut(&[u8])) -> Result<(), Error> + 'a;

/// The value of an entry added when writing: canonical bytes, or what writes them.
#[derive(Clone, Copy)]
pub enum Part<'a> {
    /// Canonical bytes.
    Bytes(&'a [u8]),
    /// A function feeding its sink the canonical bytes, each time the entry is written.
    Stream(&'a WriteCanonical<'a>),
}

/// Feeds `sink` the canonical form of the sequence `items`, serialized in parallel batches: the
/// bytes serializing the sequence in place gives, without holding them.
pub fn write_seq<T: Serialize + Sync>(items: &[T], sink: &mut dyn FnMut(&[u8])) -> Result<(), Error> {
    sink(b"[");
    let mut first = true;
    for batch in items.chunks(PARALLEL_BATCH) {
        let parts: Vec<Vec<u8>> = batch.par_iter().map(to_vec).collect::<Result<_, _>>()?;
        for part in parts {
            if !first {
                sink(b",");
            }
            first = false;
            sink(&part);
        }
    }
    sink(b"]");
    Ok(())
}

impl OpenObject {
    /// Feeds `sink` the canonical bytes of the object with `extra` entries added (an added key
    /// replaces one the object has), each piece with where it belongs; pieces `want` refuses are
    /// not produced at all (a streamed value is not serialized). The pieces produced are the same
    /// bytes, in the same places, as in the whole object's canonical form.
    pub fn write_parts(
        &self,
        extra: &[(&'static str, Part<'_>)],
        want: &dyn Fn(At<'_>) -> bool,
        sink: &mut dyn FnMut(At<'_>, &[u8]),
    ) -> Result<(), Error> {
        let mut pieces: Vec<(&str, Part<'_>)> = Vec::with_capacity(self.entries.len() + extra.len());
        for e in sorted_unique(self.entries.iter().collect()) {
            if extra.iter().all(|(k, _)| *k != e.0.as_ref()) {
                pieces.push((e.0.as_ref(), Part::Bytes(&self.buf[e.1..e.2])));
            }
        }
        pieces.extend(extra.iter().map(|(k, v)| (*k, *v)));
        pieces.sort_by(|a, b| a.0.cmp(b.0));
        if want(At::Open) {
            sink(At::Open, b"{");
        }
        let mut key = Vec::new();
        for (i, (k, v)) in pieces.into_iter().enumerate() {
            let at = At::Entry(k);
            if !want(at) {
                continue;
            }
            key.clear();
            if i > 0 {
                key.push(b',');
            }
            scalar(&mut key, k)?;
            key.push(b':');
            sink(at, &key);
            match v {
                Part::Bytes(b) => sink(at, b),
                Part::Stream(f) => f(&mut |b| sink(at, b))?,
            }
        }
        if want(At::Close) {
            sink(At::Close, b"}");
        }
        Ok(())
    }
}

/// Entries sorted by key, one per key: the last one written (as `serde_json::Map` keeps it).
fn sorted_unique(mut entries: Vec<&Entry>) -> Vec<&Entry> {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<&Entry> = Vec::with_capacity(entries.len());
    for e in entries {
        match out.last_mut() {
            Some(last) if last.0 == e.0 => {
                if e.1 > last.1 {
                    *last = e;
                }
            }
            _ => out.push(e),
        }
    }
    out
}

/// Writes one scalar as serde_json spells it.
fn scalar<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> Result<(), Error> {
    serde_json::to_writer(out, v).map_err(|e| Error(e.to_string()))
}

struct Canonical<'a> {
    out: &'a mut Vec<u8>,
    /// Where the top-level object leaves its entries unsorted ([`to_open_object`]); `None` below
    /// the top level.
    open: Option<&'a mut Option<Vec<Entry>>>,
}

/// An object being written: its entries' keys and where each entry's value sits in the buffer.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    open: Option<&'a mut Option<Vec<Entry>>>,
    start: usize,
    entries: Vec<Entry>,
    /// The key of a map entry whose value has not come yet.
    key: Option<Cow<'static, str>>,
    /// For an enum's struct variant: the variant name wrapping the object.
    variant: Option<&'static str>,
}

impl Object<'_> {
    fn value<T: Serialize + ?Sized>(&mut self, key: Cow<'static, str>, value: &T) -> Result<(), Error> {
        let from = self.out.len();
        value.serialize(&mut Canonical { out: self.out, open: None })?;
        self.entries.push((key, from, self.out.len()));
        Ok(())
    }

    /// Rewrites the entries, written in serialization order after `start`, as a sorted object.
    fn finish(self) -> Result<(), Error> {
        if let Some(slot) = self.open {
            if self.variant.is_some() {
                return Err(Error("not an object".into()));
            }
            *slot = Some(self.entries);
            return Ok(());
        }
        let written = self.out.split_off(self.start);
        let entries = sorted_unique(self.entries.iter().collect());
        if let Some(v) = self.variant {
            self.out.push(b'{');
            scalar(self.out, v)?;
            self.out.push(b':');
        }
        self.out.push(b'{');
        for (i, (key, from, to)) in entries.into_iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            scalar(self.out, key.as_ref())?;
            self.out.push(b':');
            self.out.extend_from_slice(&written[*from - self.start..*to - self.start]);
        }
        self.out.push(b'}');
        if self.variant.is_some() {
            self.out.push(b'}');
        }
        Ok(())
    }
}

/// An array being written.
struct Array<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    /// For an enum's tuple variant: close the wrapping object too.
    variant: bool,
}

impl Array<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        value.serialize(&mut Canonical { out: self.out, open: None })
    }

    fn finish(self) -> Result<(), Error> {
        self.out.push(b']');
        if self.variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

impl<'a, 'b> ser::Serializer for &'b mut Canonical<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Array<'b>;
    type SerializeTuple = Array<'b>;
    type SerializeTupleStruct = Array<'b>;
    type SerializeTupleVariant = Array<'b>;
    type SerializeMap = Object<'b>;
    type SerializeStruct = Object<'b>;
    type SerializeStructVariant = Object<'b>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        scalar(self.out, &v)
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        scalar(self.out, &v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        scalar(self.out, &v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        scalar(self.out, &v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        scalar(self.out, &v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        scalar(self.out, &v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        scalar(self.out, &v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        scalar(self.out, &v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        scalar(self.out, &v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        scalar(self.out, &v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        scalar(self.out, &v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        // A Value holds every float as f64: spell it as that f64, as the Value path did.
        scalar(self.out, &serde_json::Value::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        scalar(self.out, &serde_json::Value::from(v))
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        scalar(self.out, &v)
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        scalar(self.out, v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        scalar(self.out, v)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        scalar(self.out, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.push(b'{');
        scalar(self.out, variant)?;
        self.out.push(b':');
        // Wrapped in the variant's object: not the top level any more.
        value.serialize(&mut Canonical { out: self.out, open: None })?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Array<'b>, Error> {
        self.out.push(b'[');
        Ok(Array { out: self.out, first: true, variant: false })
    }
    fn serialize_tuple(self, len: usize) -> Result<Array<'b>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Array<'b>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Array<'b>, Error> {
        self.out.push(b'{');
        scalar(self.out, variant)?;
        self.out.extend_from_slice(b":[");
        Ok(Array { out: self.out, first: true, variant: true })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Object<'b>, Error> {
        let start = self.out.len();
        Ok(Object {
            out: self.out,
            open: self.open.as_deref_mut(),
            start,
            entries: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
            variant: None,
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Object<'b>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Object<'b>, Error> {
        let start = self.out.len();
        Ok(Object {
            out: self.out,
            open: self.open.as_deref_mut(),
            start,
            entries: Vec::with_capacity(len),
            key: None,
            variant: Some(variant),
        })
    }
}

impl ser::SerializeSeq for Array<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTuple for Array<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Array<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Array<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        // A Value's keys are strings: serde_json turns every other key into one the same way.
        let Ok(serde_json::Value::String(k)) = serde_json::to_value(key) else {
            return Err(Error("a map key that is not a string".into()));
        };
        self.key = Some(Cow::Owned(k));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self.key.take().ok_or_else(|| Error("a map value without its key".into()))?;
        self.value(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.value(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.value(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// The reference: a Value tree, keys sorted recursively, compact.
    fn through_value<T: Serialize>(v: &T) -> Vec<u8> {
        super::super::canonical::canonical_bytes(&serde_json::to_value(v).expect("value"))
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Doc {
        zeta: u32,
        alpha: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<String>,
        nested: Vec<Inner>,
        opaque: serde_json::Value,
        by_name: BTreeMap<String, f64>,
        kind: Kind,
        unit: Kind,
        pair: (i64, bool),
    }

    #[derive(Serialize)]
    struct Inner {
        b: &'static str,
        a: f64,
        #[serde(rename = "$schema")]
        schema: char,
    }

    #[derive(Serialize)]
    enum Kind {
        Plain,
        Wrapped(String),
        Shaped { y: u8, x: u8 },
        Tupled(u8, u8),
    }

    #[test]
    fn equals_the_value_tree_form() {
        let doc = Doc {
            zeta: 7,
            alpha: None,
            skipped: None,
            nested: vec![
                Inner { b: "\"quoted\" \u{1F600} \n é", a: 7.0, schema: 'x' },
                Inner { b: "", a: 0.1 + 0.2, schema: '\u{7f}' },
            ],
            opaque: json!({"z": [1, {"y": null, "B": 2.5e-8, "a": -3}], "é": "x", "Z": {}}),
            by_name: [("b".to_string(), 1e300), ("a".to_string(), f64::NAN)].into_iter().collect(),
            kind: Kind::Shaped { y: 1, x: 2 },
            unit: Kind::Plain,
            pair: (-1, true),
        };
        assert_eq!(
            String::from_utf8(to_vec(&doc).expect("canonical")),
            String::from_utf8(through_value(&doc))
        );
        for k in [Kind::Wrapped("w".into()), Kind::Tupled(1, 2), Kind::Plain] {
            assert_eq!(to_vec(&k).expect("canonical"), through_value(&k));
        }
        let empty: Vec<Inner> = Vec::new();
        assert_eq!(to_vec(&empty).expect("canonical"), b"[]");
    }

    fn open_bytes<T: Serialize>(v: &T, extra: &[(&'static str, &[u8])]) -> Vec<u8> {
        let open = to_open_object(v).expect("an object");
        let extra: Vec<(&'static str, Part<'_>)> = extra.iter().map(|(k, v)| (*k, Part::Bytes(v))).collect();
        let mut out = Vec::new();
        open.write_parts(&extra, &|_| true, &mut |_, b| out.extend_from_slice(b)).expect("written");
        out
    }

    fn name(at: At<'_>) -> String {
        match at {
            At::Open => "{".into(),
            At::Entry(k) => k.into(),
            At::Close => "}".into(),
        }
    }

    /// A streamed sequence gives the bytes of the sequence serialized in place, and the pieces
    /// `want` keeps are the whole form's bytes at their places.
    #[test]
    fn streamed_sequences_and_kept_pieces_are_the_whole_forms_bytes() {
        #[derive(Serialize)]
        struct Top {
            b: Vec<u32>,
            a: &'static str,
            c: bool,
        }
        let items: Vec<u32> = (0..2000).collect();
        let whole = to_vec(&Top { b: items.clone(), a: "x", c: true }).expect("canonical");
        let open = to_open_object(&Top { b: Vec::new(), a: "x", c: true }).expect("an object");
        let seq = |sink: &mut dyn FnMut(&[u8])| write_seq(&items, sink);
        let parts = [("b", Part::Stream(&seq))];
        let mut out = Vec::new();
        let mut places = Vec::new();
        open.write_parts(&parts, &|_| true, &mut |at, b| {
            out.extend_from_slice(b);
            places.push((name(at), b.len()));
        })
        .expect("written");
        assert_eq!(out, whole);
        for keep in [At::Open, At::Entry("a"), At::Entry("b"), At::Entry("c"), At::Close] {
            let mut kept = Vec::new();
            open.write_parts(&parts, &|at| at == keep, &mut |_, b| kept.extend_from_slice(b))
                .expect("written");
            let mut at = 0;
            let mut expected = Vec::new();
            for (place, len) in &places {
                if *place == name(keep) {
                    expected.extend_from_slice(&whole[at..at + len]);
                }
                at += len;
            }
            assert_eq!(kept, expected);
            assert!(!kept.is_empty());
        }
    }

    /// The open form gives the closed form's bytes; an added entry lands where sorting puts it and
    /// replaces one of the same key, as serializing the value with that entry would.
    #[test]
    fn an_open_object_writes_the_canonical_bytes() {
        #[derive(Serialize)]
        struct Top {
            zeta: Vec<Inner>,
            #[serde(skip_serializing_if = "Option::is_none")]
            middle: Option<String>,
            alpha: BTreeMap<String, u8>,
        }
        let mut top = Top {
            zeta: vec![Inner { b: "x", a: 1.5, schema: 's' }],
            middle: None,
            alpha: [("k".to_string(), 1)].into_iter().collect(),
        };
        assert_eq!(open_bytes(&top, &[]), to_vec(&top).expect("canonical"));
        let added = to_vec("urn:x").expect("canonical");
        let with_added = open_bytes(&top, &[("middle", &added)]);
        top.middle = Some("urn:x".into());
        assert_eq!(with_added, to_vec(&top).expect("canonical"));
        assert_eq!(open_bytes(&top, &[("middle", &added)]), with_added, "an added key replaces the old");
        let map: BTreeMap<&str, u8> = [("b", 1), ("a", 2)].into_iter().collect();
        assert_eq!(open_bytes(&map, &[]), through_value(&map));
        assert!(to_open_object(&vec![1]).is_err());
        assert!(to_open_object(&Kind::Shaped { y: 1, x: 2 }).is_err());
        assert!(to_open_object("text").is_err());
    }
}
