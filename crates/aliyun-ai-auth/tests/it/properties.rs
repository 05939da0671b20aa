//! Property tests of the encoder and the canonical query.

use aliyun_ai_auth::encoding::{percent_decode, percent_encode};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use aliyun_ai_auth::sign::{
    FixedNonce, RequestSigner, SigningKey, canonical_query, canonical_query_from_encoded,
};
use aliyun_ai_auth::{AccessKey, V3Signer};
use aliyun_ai_core::time::ManualTimer;
use aliyun_ai_transport::bytes::Bytes;
use aliyun_ai_transport::http;
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

    /// The client's path (`sign_request`, which keeps no intermediates) and
    /// `sign` (which returns them) put the same request on the wire.
    #[test]
    fn both_signing_paths_send_the_same_request(
        query in proptest::collection::vec(("[a-zA-Z]{1,6}", "[a-z0-9%]{0,6}"), 0..5),
        body in proptest::collection::vec(any::<u8>(), 0..300),
        extra in proptest::collection::vec(("x-acs-[a-z]{1,5}|x-other", "[ -~]{0,12}"), 0..4),
        token in proptest::option::of("[A-Za-z0-9]{1,20}"),
        seconds in 0u64..4_000_000_000,
    ) {
        let query: Vec<String> = query.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let mut request = http::Request::post(format!(
            "https://h.example.com:8443/p/a%20th?{}",
            query.join("&")
        ))
        .header("content-type", "application/json")
        .body(Bytes::from(body))
        .unwrap();
        for (name, value) in &extra {
            request.headers_mut().append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
        let key = match token {
            Some(token) => AccessKey::new("id", "secret").with_security_token(token),
            None => AccessKey::new("id", "secret"),
        };
        let signer = V3Signer::new(
            Arc::new(ManualTimer::at(UNIX_EPOCH + Duration::from_secs(seconds))),
            Arc::new(FixedNonce("nonce".into())),
        );
        let mut kept = request.clone();
        let mut sent = request;
        signer.sign(&mut kept, &key, "Act", "2024-06-03").unwrap();
        signer
            .sign_request(&mut sent, SigningKey::AccessKey(&key), "Act", "2024-06-03")
            .unwrap();
        prop_assert_eq!(kept.uri(), sent.uri());
        prop_assert_eq!(kept.headers(), sent.headers());
    }
}
