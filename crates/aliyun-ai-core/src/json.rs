//! JSON request bodies: `serde_json`'s own bytes, in one allocation.
//!
//! Every JSON body the SDK sends goes through [`to_vec`]. `serde_json::to_vec`
//! grows its vector from 128 bytes by doubling, five reallocations for a
//! 2.4 KB body; this writes into a buffer kept per thread and copies the body
//! out once at its exact size. The loopback benchmark counts the difference
//! ([`docs/PERFORMANCE.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/PERFORMANCE.md)).

use std::cell::RefCell;

use serde::Serialize;

/// Encodes `value` as compact JSON: exactly `serde_json::to_vec(value)`.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    /// A buffer that grew past this is not kept for the next body.
    const KEEP_AT_MOST: usize = 256 * 1024;
    BUFFER.with(|buffer| {
        // A `Serialize` that encodes another body while being encoded finds
        // the buffer borrowed: it gets a fresh one.
        let Ok(mut out) = buffer.try_borrow_mut() else {
            return serde_json::to_vec(value);
        };
        out.clear();
        let result = serde_json::to_writer(&mut *out, value).map(|()| out.as_slice().to_vec());
        if out.capacity() > KEEP_AT_MOST {
            *out = Vec::new();
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_are_serde_json_s_small_or_past_the_kept_size() {
        let long = "好".repeat(100_000);
        for value in [
            serde_json::json!({"text": "a\"b\\c\u{1}", "n": [1, -2, 3.5]}),
            serde_json::json!({ "long": long }),
            serde_json::json!(null),
        ] {
            assert_eq!(to_vec(&value).unwrap(), serde_json::to_vec(&value).unwrap());
        }
    }

    #[test]
    fn a_body_encoded_inside_another_gets_its_own_buffer() {
        struct Nested;
        impl Serialize for Nested {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let inner = to_vec(&serde_json::json!({"inner": true})).expect("encodes");
                s.serialize_str(&String::from_utf8(inner).expect("UTF-8"))
            }
        }
        assert_eq!(to_vec(&Nested).unwrap(), br#""{\"inner\":true}""#.to_vec());
    }

    #[test]
    fn an_error_is_serde_json_s() {
        let mut map = std::collections::BTreeMap::new();
        map.insert(vec![1u8], 1);
        let ours = to_vec(&map).unwrap_err().to_string();
        let theirs = serde_json::to_vec(&map).unwrap_err().to_string();
        assert_eq!(ours, theirs);
    }
}
