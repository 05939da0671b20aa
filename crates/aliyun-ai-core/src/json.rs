//! JSON request bodies: the bytes `serde_json::to_vec` writes, written
//! faster.
//!
//! Every JSON body the SDK sends goes through [`to_vec`]. It is a compact
//! JSON serializer for serde whose output is byte for byte `serde_json`'s
//! ([`docs/PERFORMANCE.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/PERFORMANCE.md)): strings are scanned eight bytes at a time for the
//! few bytes JSON escapes (`"`, `\`, controls) instead of one at a time, which
//! matters for the long Chinese texts of these APIs, and the body is written
//! into a reused per-thread buffer, then copied out once at its exact size.
//! Anything it does not write itself (floats, which `serde_json` formats with
//! `ryu`; map keys that are not strings or integers; `serde_json`'s private
//! number and raw-value tokens) is handed to `serde_json`, so the output
//! never differs. Tests compare the two on arbitrary values and on every
//! operation's example request.

use std::cell::RefCell;
use std::fmt::Display;

use serde::ser::{self, Serialize};

/// Encodes `value` as compact JSON, exactly as `serde_json::to_vec` does.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    /// A buffer that grew past this is not kept for the next body.
    const KEEP_AT_MOST: usize = 256 * 1024;
    let encoded = BUFFER.with(|buffer| {
        // A `Serialize` that encodes another body while being encoded would
        // find the buffer borrowed: it gets a fresh one.
        let mut fresh = Vec::new();
        let mut borrowed = buffer.try_borrow_mut();
        let out = match &mut borrowed {
            Ok(kept) => &mut **kept,
            Err(_) => &mut fresh,
        };
        out.clear();
        let result = match value.serialize(Encoder { out: &mut *out }) {
            Ok(()) => Some(out.as_slice().to_vec()),
            Err(Fallback) => None,
        };
        if out.capacity() > KEEP_AT_MOST {
            *out = Vec::new();
        }
        result
    });
    match encoded {
        Some(bytes) => Ok(bytes),
        None => serde_json::to_vec(value),
    }
}

/// Why the fast encoder stopped: something it leaves to `serde_json`, or an
/// error, which `serde_json` then reports in its own words.
#[derive(Debug)]
struct Fallback;

impl Display for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("left to serde_json")
    }
}

impl std::error::Error for Fallback {}

impl ser::Error for Fallback {
    fn custom<M: Display>(_message: M) -> Self {
        Fallback
    }
}

/// Appends `value` as a JSON string: quoted, with `serde_json`'s escapes
/// (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00xx` for other controls).
fn write_str(out: &mut Vec<u8>, value: &str) {
    let bytes = value.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut at = 0;
    loop {
        // Whole words of eight bytes while none needs escaping, then byte by
        // byte to the end of the word that does (or of the text).
        at += clean_words(&bytes[at..]);
        let word_end = bytes.len().min(at + 8);
        while at < word_end && !escaped(bytes[at]) {
            at += 1;
        }
        if at >= bytes.len() {
            break;
        }
        if at == word_end {
            continue;
        }
        let byte = bytes[at];
        out.extend_from_slice(&bytes[start..at]);
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0C => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                const DIGITS: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    DIGITS[usize::from(byte >> 4)],
                    DIGITS[usize::from(byte & 0xF)],
                ]);
            }
        }
        at += 1;
        start = at;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether JSON escapes `byte`: a control, `"` or `\`.
fn escaped(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// How many leading bytes of `bytes`, in whole words of eight, need no
/// escaping.
fn clean_words(bytes: &[u8]) -> usize {
    let mut clean = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if needs_escape(u64::from_le_bytes(word)) {
            break;
        }
        clean += 8;
    }
    clean
}

/// Whether any byte of `word` is a control (< 0x20), `"` or `\`: the
/// classic "has a byte less than n" and "has a zero byte" bit tricks, exact
/// for the question "any?".
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (below_space | quote | backslash) & HIGH != 0
}

/// Appends an integer in decimal.
fn write_integer(out: &mut Vec<u8>, negative: bool, mut magnitude: u128) {
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if negative {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[at..]);
}

fn signed(out: &mut Vec<u8>, value: i128) {
    write_integer(out, value < 0, value.unsigned_abs());
}

/// The fast encoder: writes into `out`.
struct Encoder<'a> {
    out: &'a mut Vec<u8>,
}

/// A sequence or map being written; `first` until its first element.
struct Compound<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    /// `}` to close after the `]` or `}` of a tuple or struct variant.
    variant: bool,
}

impl<'a> Compound<'a> {
    fn open(out: &'a mut Vec<u8>, bracket: u8, variant: bool) -> Self {
        out.push(bracket);
        Self {
            out,
            first: true,
            variant,
        }
    }

    fn comma(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    fn close(self, bracket: u8) {
        self.out.push(bracket);
        if self.variant {
            self.out.push(b'}');
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Fallback> {
        self.comma();
        write_str(self.out, key);
        self.out.push(b':');
        value.serialize(Encoder { out: self.out })
    }
}

/// `{"variant":` before a variant's content.
fn open_variant(out: &mut Vec<u8>, variant: &str) {
    out.push(b'{');
    write_str(out, variant);
    out.push(b':');
}

impl<'a> ser::Serializer for Encoder<'a> {
    type Ok = ();
    type Error = Fallback;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, value: bool) -> Result<(), Fallback> {
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, value: i8) -> Result<(), Fallback> {
        signed(self.out, value.into());
        Ok(())
    }

    fn serialize_i16(self, value: i16) -> Result<(), Fallback> {
        signed(self.out, value.into());
        Ok(())
    }

    fn serialize_i32(self, value: i32) -> Result<(), Fallback> {
        signed(self.out, value.into());
        Ok(())
    }

    fn serialize_i64(self, value: i64) -> Result<(), Fallback> {
        signed(self.out, value.into());
        Ok(())
    }

    fn serialize_i128(self, value: i128) -> Result<(), Fallback> {
        signed(self.out, value);
        Ok(())
    }

    fn serialize_u8(self, value: u8) -> Result<(), Fallback> {
        write_integer(self.out, false, value.into());
        Ok(())
    }

    fn serialize_u16(self, value: u16) -> Result<(), Fallback> {
        write_integer(self.out, false, value.into());
        Ok(())
    }

    fn serialize_u32(self, value: u32) -> Result<(), Fallback> {
        write_integer(self.out, false, value.into());
        Ok(())
    }

    fn serialize_u64(self, value: u64) -> Result<(), Fallback> {
        write_integer(self.out, false, value.into());
        Ok(())
    }

    fn serialize_u128(self, value: u128) -> Result<(), Fallback> {
        write_integer(self.out, false, value);
        Ok(())
    }

    fn serialize_f32(self, value: f32) -> Result<(), Fallback> {
        // `serde_json`'s own float formatting (ryu; `null` if not finite).
        serde_json::to_writer(self.out, &value).map_err(|_| Fallback)
    }

    fn serialize_f64(self, value: f64) -> Result<(), Fallback> {
        serde_json::to_writer(self.out, &value).map_err(|_| Fallback)
    }

    fn serialize_char(self, value: char) -> Result<(), Fallback> {
        write_str(self.out, value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, value: &str) -> Result<(), Fallback> {
        write_str(self.out, value);
        Ok(())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result<(), Fallback> {
        let mut seq = Compound::open(self.out, b'[', false);
        for byte in value {
            seq.comma();
            write_integer(seq.out, false, (*byte).into());
        }
        seq.close(b']');
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Fallback> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Fallback> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Fallback> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Fallback> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Fallback> {
        write_str(self.out, variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Fallback> {
        if name.starts_with("$serde_json::") {
            return Err(Fallback);
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Fallback> {
        open_variant(self.out, variant);
        value.serialize(Encoder {
            out: &mut *self.out,
        })?;
        self.out.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, Fallback> {
        Ok(Compound::open(self.out, b'[', false))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Compound<'a>, Fallback> {
        Ok(Compound::open(self.out, b'[', false))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Fallback> {
        Ok(Compound::open(self.out, b'[', false))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Fallback> {
        open_variant(self.out, variant);
        Ok(Compound::open(self.out, b'[', true))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, Fallback> {
        Ok(Compound::open(self.out, b'{', false))
    }

    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Compound<'a>, Fallback> {
        // `serde_json`'s private number and raw-value tokens: its own business.
        if name.starts_with("$serde_json::") {
            return Err(Fallback);
        }
        Ok(Compound::open(self.out, b'{', false))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Fallback> {
        open_variant(self.out, variant);
        Ok(Compound::open(self.out, b'{', true))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Fallback;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
        self.comma();
        value.serialize(Encoder { out: self.out })
    }

    fn end(self) -> Result<(), Fallback> {
        self.close(b']');
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Fallback;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Fallback> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Fallback;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Fallback> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Fallback;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Fallback> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Fallback;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Fallback> {
        self.comma();
        key.serialize(KeyEncoder { out: self.out })?;
        self.out.push(b':');
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
        value.serialize(Encoder { out: self.out })
    }

    fn end(self) -> Result<(), Fallback> {
        self.close(b'}');
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Fallback;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Fallback> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Fallback> {
        self.close(b'}');
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Fallback;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Fallback> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Fallback> {
        self.close(b'}');
        Ok(())
    }
}

/// Map keys: strings (and what `serde_json` writes as strings: chars, unit
/// variants, integers in quotes). Anything else is left to `serde_json`,
/// which writes or refuses it in its own way.
struct KeyEncoder<'a> {
    out: &'a mut Vec<u8>,
}

impl KeyEncoder<'_> {
    fn quoted_integer(self, negative: bool, magnitude: u128) -> Result<(), Fallback> {
        self.out.push(b'"');
        write_integer(self.out, negative, magnitude);
        self.out.push(b'"');
        Ok(())
    }
}

impl ser::Serializer for KeyEncoder<'_> {
    type Ok = ();
    type Error = Fallback;
    type SerializeSeq = ser::Impossible<(), Fallback>;
    type SerializeTuple = ser::Impossible<(), Fallback>;
    type SerializeTupleStruct = ser::Impossible<(), Fallback>;
    type SerializeTupleVariant = ser::Impossible<(), Fallback>;
    type SerializeMap = ser::Impossible<(), Fallback>;
    type SerializeStruct = ser::Impossible<(), Fallback>;
    type SerializeStructVariant = ser::Impossible<(), Fallback>;

    fn serialize_str(self, value: &str) -> Result<(), Fallback> {
        write_str(self.out, value);
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result<(), Fallback> {
        write_str(self.out, value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Fallback> {
        write_str(self.out, variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Fallback> {
        if name.starts_with("$serde_json::") {
            return Err(Fallback);
        }
        value.serialize(self)
    }

    fn serialize_i8(self, value: i8) -> Result<(), Fallback> {
        self.serialize_i128(value.into())
    }

    fn serialize_i16(self, value: i16) -> Result<(), Fallback> {
        self.serialize_i128(value.into())
    }

    fn serialize_i32(self, value: i32) -> Result<(), Fallback> {
        self.serialize_i128(value.into())
    }

    fn serialize_i64(self, value: i64) -> Result<(), Fallback> {
        self.serialize_i128(value.into())
    }

    fn serialize_i128(self, value: i128) -> Result<(), Fallback> {
        self.quoted_integer(value < 0, value.unsigned_abs())
    }

    fn serialize_u8(self, value: u8) -> Result<(), Fallback> {
        self.quoted_integer(false, value.into())
    }

    fn serialize_u16(self, value: u16) -> Result<(), Fallback> {
        self.quoted_integer(false, value.into())
    }

    fn serialize_u32(self, value: u32) -> Result<(), Fallback> {
        self.quoted_integer(false, value.into())
    }

    fn serialize_u64(self, value: u64) -> Result<(), Fallback> {
        self.quoted_integer(false, value.into())
    }

    fn serialize_u128(self, value: u128) -> Result<(), Fallback> {
        self.quoted_integer(false, value)
    }

    fn serialize_bool(self, _value: bool) -> Result<(), Fallback> {
        Err(Fallback)
    }

    fn serialize_f32(self, _value: f32) -> Result<(), Fallback> {
        Err(Fallback)
    }

    fn serialize_f64(self, _value: f64) -> Result<(), Fallback> {
        Err(Fallback)
    }

    fn serialize_bytes(self, _value: &[u8]) -> Result<(), Fallback> {
        Err(Fallback)
    }

    fn serialize_none(self) -> Result<(), Fallback> {
        Err(Fallback)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), Fallback> {
        Err(Fallback)
    }

    fn serialize_unit(self) -> Result<(), Fallback> {
        Err(Fallback)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Fallback> {
        Err(Fallback)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Fallback> {
        Err(Fallback)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Fallback> {
        Err(Fallback)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Fallback> {
        Err(Fallback)
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Fallback> {
        Err(Fallback)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Fallback> {
        Err(Fallback)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Fallback> {
        Err(Fallback)
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Fallback> {
        Err(Fallback)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Fallback> {
        Err(Fallback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::{Value, json};

    fn same(value: &impl Serialize) {
        let ours = to_vec(value).expect("encodes");
        let theirs = serde_json::to_vec(value).expect("serde_json encodes");
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
    }

    #[test]
    fn every_byte_value_in_a_string_is_escaped_as_serde_json_does() {
        for byte in 0u8..0x80 {
            let text = (byte as char).to_string();
            same(&text);
            // At every position of an eight-byte word, and across two.
            for at in 0..17 {
                let mut long = "好".repeat(3) + &"a".repeat(at);
                long.push(byte as char);
                long.push_str("尾巴tail");
                same(&long);
            }
        }
        same(&"\u{7f}\u{80}\u{2028}\u{fffd}😀");
    }

    #[test]
    fn the_shapes_serde_derives_produce_are_written_as_serde_json_writes_them() {
        #[derive(Serialize)]
        enum Variant {
            Unit,
            Newtype(i8),
            Tuple(u8, String),
            Struct { a: Option<bool>, b: () },
        }
        #[derive(Serialize)]
        struct Unit;
        #[derive(Serialize)]
        struct Newtype(Vec<u32>);
        #[derive(Serialize)]
        struct Tuple(i64, f64);
        #[derive(Serialize)]
        struct Record {
            #[serde(skip_serializing_if = "Option::is_none")]
            skipped: Option<u8>,
            variants: Vec<Variant>,
            unit: Unit,
            newtype: Newtype,
            tuple: Tuple,
            bytes: serde_bytes_like::Bytes,
            map: std::collections::BTreeMap<i32, char>,
            empty: Vec<String>,
            empty_map: std::collections::BTreeMap<String, String>,
            extremes: (i128, u128, i64, u64),
            floats: (f32, f64, f64, f64),
            value: Value,
        }
        mod serde_bytes_like {
            pub struct Bytes(pub Vec<u8>);
            impl serde::Serialize for Bytes {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_bytes(&self.0)
                }
            }
        }
        same(&Record {
            skipped: None,
            variants: vec![
                Variant::Unit,
                Variant::Newtype(-8),
                Variant::Tuple(1, "x\"y".into()),
                Variant::Struct { a: None, b: () },
            ],
            unit: Unit,
            newtype: Newtype(vec![0, 1, u32::MAX]),
            tuple: Tuple(i64::MIN, 0.1),
            bytes: serde_bytes_like::Bytes(vec![0, 255]),
            map: [(-1, 'é'), (7, '"')].into_iter().collect(),
            empty: Vec::new(),
            empty_map: Default::default(),
            extremes: (i128::MIN, u128::MAX, i64::MIN, u64::MAX),
            floats: (1.5, f64::NAN, f64::INFINITY, -0.0),
            value: json!({"a": [1, -2, 3.25, null, true, {"b": "c\n"}], "": {}}),
        });
    }

    #[test]
    fn what_it_leaves_to_serde_json_comes_out_as_serde_json_writes_it() {
        // Keys serde_json writes or refuses in its own way.
        let bool_keys: std::collections::BTreeMap<bool, u8> = [(true, 1)].into_iter().collect();
        assert_eq!(to_vec(&bool_keys).ok(), serde_json::to_vec(&bool_keys).ok());
        let float_key: Vec<(f64, u8)> = vec![(1.5, 1)];
        struct AsMap(Vec<(f64, u8)>);
        impl Serialize for AsMap {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
            }
        }
        let map = AsMap(float_key);
        assert_eq!(
            to_vec(&map).map_err(|e| e.to_string()),
            serde_json::to_vec(&map).map_err(|e| e.to_string())
        );
        let unit_key = AsMapUnit;
        struct AsMapUnit;
        impl Serialize for AsMapUnit {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map([((), 1)])
            }
        }
        assert_eq!(
            to_vec(&unit_key).map_err(|e| e.to_string()),
            serde_json::to_vec(&unit_key).map_err(|e| e.to_string())
        );
    }

    #[test]
    fn a_body_encoded_while_encoding_another_gets_its_own_buffer() {
        struct Nested;
        impl Serialize for Nested {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let inner = to_vec(&json!({"inner": "值"})).expect("encodes");
                s.serialize_str(&String::from_utf8_lossy(&inner))
            }
        }
        same(&vec![Nested, Nested]);
        // The kept buffer is whole again afterwards.
        same(&json!(["after"]));
    }

    fn arbitrary_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\\x00-\\x7f好]{0,40}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                proptest::collection::btree_map(any::<String>(), inner, 0..8)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_value_is_written_as_serde_json_writes_it(value in arbitrary_value()) {
            let ours = to_vec(&value).expect("encodes");
            let theirs = serde_json::to_vec(&value).expect("serde_json encodes");
            prop_assert_eq!(ours, theirs);
        }
    }
}
