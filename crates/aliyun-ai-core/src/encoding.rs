//! RFC 3986 percent-encoding, exactly as Alibaba Cloud's signers expect it.
//!
//! Only the unreserved characters `A-Z a-z 0-9 - _ . ~` stay as they are; every
//! other byte of the UTF-8 form becomes `%XX` with uppercase hex. A space is
//! `%20` (never `+`), `*` is `%2A`, `+` is `%2B` and `~` stays `~`
//! ([`docs/vendor/auth.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/auth.md), "Percent-encoding"). The `url` and `form_urlencoded`
//! crates differ on exactly these characters (`url` leaves `*` and some
//! sub-delimiters as they are in paths and queries; `form_urlencoded` writes a
//! space as `+`), which is why the SDK carries its own encoder: the string that
//! is signed must be the string that is sent. (`percent-encoding` with a custom
//! set could do the same; one 20-line function is cheaper than a dependency and
//! is tested against the vendor's vectors.) The decoder refuses a `%` that is
//! not followed by two hex digits, and bytes that are not UTF-8 once decoded.

use std::fmt;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Whether `byte` is in RFC 3986's unreserved set (`A-Z a-z 0-9 - _ . ~`).
pub const fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// Percent-encodes `input` (RFC 3986, uppercase hex), appending to `out`.
pub fn percent_encode_into(out: &mut String, input: &str) {
    for &byte in input.as_bytes() {
        if is_unreserved(byte) {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX_UPPER[usize::from(byte >> 4)] as char);
            out.push(HEX_UPPER[usize::from(byte & 0x0F)] as char);
        }
    }
}

/// Percent-encodes `input` (RFC 3986, uppercase hex).
///
/// ```
/// use aliyun_ai_core::encoding::percent_encode;
/// assert_eq!(percent_encode(" ~/*-+"), "%20~%2F%2A-%2B");
/// assert_eq!(percent_encode("a/b/c/ test"), "a%2Fb%2Fc%2F%20test");
/// ```
pub fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    percent_encode_into(&mut out, input);
    out
}

/// Encodes one path parameter for an ROA path: the whole value is encoded on
/// its own, so a `/` inside it becomes `%2F` ([`docs/vendor/apis.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/apis.md),
/// AnalyzeConversation).
pub fn encode_path_segment(value: &str) -> String {
    percent_encode(value)
}

/// Encodes `name=value` pairs as `application/x-www-form-urlencoded`, with the
/// RFC 3986 encoder above (a space is `%20`, which every form decoder accepts).
///
/// The pairs are written in the order given.
pub fn encode_form<'a, I>(pairs: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut out = String::new();
    for (index, (name, value)) in pairs.into_iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        percent_encode_into(&mut out, name);
        out.push('=');
        percent_encode_into(&mut out, value);
    }
    out
}

/// A percent-encoded string that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PercentDecodeError {
    /// Byte offset of the offending `%` sequence or byte.
    pub offset: usize,
    /// What is wrong there.
    pub problem: &'static str,
}

impl fmt::Display for PercentDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid percent-encoding at byte {}: {}",
            self.offset, self.problem
        )
    }
}

impl std::error::Error for PercentDecodeError {}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes a percent-encoded string. With `plus_as_space`, `+` decodes to a
/// space (form bodies); otherwise it stays `+` (paths and RFC 3986 queries).
///
/// The decoded bytes must be valid UTF-8.
pub fn percent_decode(input: &str, plus_as_space: bool) -> Result<String, PercentDecodeError> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' => {
                let high = bytes.get(index + 1).copied().and_then(hex_value);
                let low = bytes.get(index + 2).copied().and_then(hex_value);
                match (high, low) {
                    (Some(high), Some(low)) => out.push(high << 4 | low),
                    _ => {
                        return Err(PercentDecodeError {
                            offset: index,
                            problem: "`%` is not followed by two hex digits",
                        });
                    }
                }
                index += 3;
            }
            b'+' if plus_as_space => {
                out.push(b' ');
                index += 1;
            }
            byte => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|error| PercentDecodeError {
        offset: error.utf8_error().valid_up_to(),
        problem: "the decoded bytes are not valid UTF-8",
    })
}

/// Splits an `application/x-www-form-urlencoded` body (or a query string) into
/// decoded `(name, value)` pairs, in order. `+` decodes to a space.
pub fn decode_form(input: &str) -> Result<Vec<(String, String)>, PercentDecodeError> {
    let mut pairs = Vec::new();
    let mut offset = 0;
    for part in input.split('&') {
        if !part.is_empty() {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            let shift = |error: PercentDecodeError| PercentDecodeError {
                offset: error.offset + offset,
                ..error
            };
            pairs.push((
                percent_decode(name, true).map_err(shift)?,
                percent_decode(value, true).map_err(shift)?,
            ));
        }
        offset += part.len() + 1;
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_encoding_cases() {
        // docs/vendor/auth.md, "Encoding cases from the vendor's tests".
        assert_eq!(percent_encode(" ~/*-+"), "%20~%2F%2A-%2B");
        assert_eq!(encode_path_segment("a/b/c/ test"), "a%2Fb%2Fc%2F%20test");
        assert_eq!(
            format!("/path/{}", encode_path_segment(" test")),
            "/path/%20test"
        );
    }

    #[test]
    fn multibyte_characters_are_encoded_per_byte_in_uppercase_hex() {
        assert_eq!(percent_encode("客户"), "%E5%AE%A2%E6%88%B7");
        assert_eq!(percent_decode("%e5%ae%a2%E6%88%B7", false).unwrap(), "客户");
    }

    #[test]
    fn decode_rejects_truncated_and_non_hex_escapes() {
        assert_eq!(percent_decode("ab%4", false).unwrap_err().offset, 2);
        assert_eq!(percent_decode("%zz", false).unwrap_err().offset, 0);
        assert!(percent_decode("%FF", false).is_err());
    }

    #[test]
    fn plus_is_a_space_only_in_forms() {
        assert_eq!(percent_decode("a+b", false).unwrap(), "a+b");
        assert_eq!(percent_decode("a+b", true).unwrap(), "a b");
    }

    #[test]
    fn form_round_trip() {
        let pairs = [
            ("Content", "你好 world"),
            ("Orders", "[{\"A\":1}]"),
            ("Empty", ""),
        ];
        let encoded = encode_form(pairs);
        assert_eq!(
            encoded,
            "Content=%E4%BD%A0%E5%A5%BD%20world&Orders=%5B%7B%22A%22%3A1%7D%5D&Empty="
        );
        let decoded = decode_form(&encoded).unwrap();
        let expected: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(decoded, expected);
    }
}
