//! Property tests of the encoder and the canonical query.

use aliyun_ai_auth::encoding::{percent_decode, percent_encode};
use aliyun_ai_auth::sign::{canonical_query, canonical_query_from_encoded};
use proptest::prelude::*;

fn expected_encoding(input: &str) -> String {
    input
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn the_encoder_leaves_exactly_the_unreserved_set_alone(input in any::<String>()) {
        let encoded = percent_encode(&input);
        prop_assert_eq!(&encoded, &expected_encoding(&input));
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
        prop_assert_eq!(percent_decode(&encoded, false).unwrap(), input);
    }

    #[test]
    fn every_single_byte_value_encodes_as_specified(byte in 0u8..128) {
        let text = (byte as char).to_string();
        let unreserved = byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte);
        prop_assert_eq!(percent_encode(&text) == text, unreserved);
    }

    #[test]
    fn the_canonical_query_is_sorted_and_uses_percent_20_never_plus(
        pairs in proptest::collection::vec((any::<String>(), any::<String>()), 0..8),
    ) {
        let query = canonical_query(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        prop_assert!(!query.contains('+'));
        prop_assert!(!query.contains(' '));
        let parts: Vec<&str> = if query.is_empty() { Vec::new() } else { query.split('&').collect() };
        prop_assert_eq!(parts.len(), pairs.len());
        let keys: Vec<(String, String)> = parts
            .iter()
            .map(|p| { let (n, v) = p.split_once('=').unwrap(); (n.to_owned(), v.to_owned()) })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        prop_assert_eq!(&keys, &sorted);
        // Spaces became %20, and re-canonicalizing the sent string changes nothing.
        for (name, value) in &pairs {
            if value.contains(' ') {
                let prefix = percent_encode(name) + "=";
                prop_assert!(query.contains(&prefix));
                prop_assert!(query.contains("%20"));
            }
        }
        prop_assert_eq!(canonical_query_from_encoded(&query), query);
    }
}
