//! The vendor's vectors from `docs/vendor/auth.md`, through the same code path
//! that signs real requests, and through the `sign` example.

use crate::common;
/// The `sign` example's logic, included as it is compiled into the example.
#[path = "../../examples/sign/json.rs"]
mod sign_json;

use std::path::PathBuf;
use std::sync::Arc;

use aliyun_ai_auth::sign::{
    FixedNonce, canonical_query, compute_v3, encode_path, signature_v1, string_to_sign_v1,
};
use aliyun_ai_auth::time::parse_iso8601;
use aliyun_ai_auth::{AccessKey, V3Signer, encoding::percent_encode};
use aliyun_ai_core::time::ManualTimer;
use aliyun_ai_transport::bytes::Bytes;
use aliyun_ai_transport::http;
use serde_json::json;

const WORKED_CANONICAL_REQUEST: &str = "POST
/
ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai
host:ecs.cn-shanghai.aliyuncs.com
x-acs-action:RunInstances
x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
x-acs-date:2023-10-26T10:22:32Z
x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d
x-acs-version:2014-05-26

host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const WORKED_SIGNATURE: &str = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0";

/// The worked example's signer (its clock and nonce), request and key. The
/// query arrives unsorted; the signer sends the canonical order it signed.
fn worked_example() -> (V3Signer, http::Request<Bytes>, AccessKey) {
    let signer = V3Signer::new(
        Arc::new(ManualTimer::at(
            parse_iso8601("2023-10-26T10:22:32Z").unwrap(),
        )),
        Arc::new(FixedNonce("3156853299f313e23d1673dc12e1703d".into())),
    );
    let request = http::Request::post(
        "https://ecs.cn-shanghai.aliyuncs.com/?RegionId=cn-shanghai&ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
    )
    .body(Bytes::new())
    .unwrap();
    let key = AccessKey::new("YourAccessKeyId", "YourAccessKeySecret");
    (signer, request, key)
}

#[test]
fn the_vendor_worked_example_through_the_request_signer() {
    let (signer, mut request, key) = worked_example();
    let signature = signer
        .sign(&mut request, &key, "RunInstances", "2014-05-26")
        .unwrap();
    assert_eq!(signature.canonical_request, WORKED_CANONICAL_REQUEST);
    assert_eq!(
        signature.string_to_sign,
        "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    );
    assert_eq!(signature.signature, WORKED_SIGNATURE);
    let expected_authorization = format!(
        "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature={WORKED_SIGNATURE}"
    );
    assert_eq!(
        request.headers()["authorization"],
        expected_authorization.as_str()
    );
    assert_eq!(request.headers()["x-acs-date"], "2023-10-26T10:22:32Z");
    assert_eq!(request.headers()["host"], "ecs.cn-shanghai.aliyuncs.com");
    // The string signed is the string sent.
    assert_eq!(
        request.uri().query(),
        Some("ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai")
    );
}

#[test]
fn the_vendor_worked_example_through_the_client_path() {
    // `sign_request` (what the client calls) keeps no intermediates; it must
    // put the same bytes on the wire as `sign`.
    use aliyun_ai_auth::sign::{RequestSigner, SigningKey};
    let (signer, mut request, key) = worked_example();
    signer
        .sign_request(
            &mut request,
            SigningKey::AccessKey(&key),
            "RunInstances",
            "2014-05-26",
        )
        .unwrap();
    assert_eq!(
        request.headers()["authorization"],
        format!(
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature={WORKED_SIGNATURE}"
        )
        .as_str()
    );
    assert_eq!(
        request.uri().query(),
        Some("ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai")
    );
}

const UNIT_HASH: &str = "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23";
const UNIT_SIGNATURE: &str = "d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1";

#[test]
fn the_vendor_sdk_unit_vector() {
    // The vendor's test passes a precomputed payload hash (SM3 of "test").
    let query = canonical_query([("test", "ok"), ("empty", "")]);
    let signature = compute_v3(
        "GET",
        "/",
        &query,
        [("x-acs-test", "http"), ("x-acs-TEST", "https")],
        UNIT_HASH,
        "acesskey",
        "secret",
    );
    assert_eq!(
        signature.canonical_request,
        format!("GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n{UNIT_HASH}")
    );
    assert_eq!(signature.signature, UNIT_SIGNATURE);
    assert_eq!(
        signature.authorization,
        format!(
            "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature={UNIT_SIGNATURE}"
        )
    );
}

#[test]
fn the_vendor_encoding_cases() {
    assert_eq!(encode_path("/path/ test"), "/path/%20test");
    assert_eq!(percent_encode("a/b/c/ test"), "a%2Fb%2Fc%2F%20test");
    assert_eq!(canonical_query([("k", " ~/*-+")]), "k=%20~%2F%2A-%2B");
}

const V1_PARAMS: [(&str, &str); 8] = [
    ("AccessKeyId", "testid"),
    ("Action", "DescribeRegions"),
    ("Format", "XML"),
    ("SignatureMethod", "HMAC-SHA1"),
    ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
    ("SignatureVersion", "1.0"),
    ("Timestamp", "2016-02-23T12:46:24Z"),
    ("Version", "2014-05-26"),
];

#[test]
fn the_vendor_v1_example() {
    let string_to_sign = string_to_sign_v1("GET", V1_PARAMS);
    assert!(string_to_sign.starts_with("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions"));
    assert_eq!(
        signature_v1(&string_to_sign, "testsecret"),
        "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    );
}

fn worked_example_json() -> serde_json::Value {
    json!({
        "method": "POST",
        "canonical_uri": "/",
        "query": { "RegionId": "cn-shanghai", "ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd" },
        "headers": {
            "host": "ecs.cn-shanghai.aliyuncs.com",
            "x-acs-action": "RunInstances",
            "x-acs-version": "2014-05-26",
            "x-acs-date": "2023-10-26T10:22:32Z",
            "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d"
        },
        "body": "",
        "ak": "YourAccessKeyId",
        "sk": "YourAccessKeySecret"
    })
}

#[test]
fn the_vectors_through_the_sign_example_logic() {
    use sign_json::{sign_v1_json, sign_v3_json};
    let output = sign_v3_json(&worked_example_json()).unwrap();
    assert_eq!(output["canonical_request"], WORKED_CANONICAL_REQUEST);
    assert_eq!(output["signature"], WORKED_SIGNATURE);

    let unit = json!({
        "method": "GET", "canonical_uri": "/", "query": { "test": "ok", "empty": "" },
        "headers": { "x-acs-test": ["http", "https"] }, "hashed_payload": UNIT_HASH,
        "ak": "acesskey", "sk": "secret"
    });
    assert_eq!(sign_v3_json(&unit).unwrap()["signature"], UNIT_SIGNATURE);

    let params: serde_json::Map<String, serde_json::Value> = V1_PARAMS
        .iter()
        .map(|(n, v)| (n.to_string(), json!(v)))
        .collect();
    let v1 =
        sign_v1_json(&json!({ "method": "GET", "params": params, "sk": "testsecret" })).unwrap();
    assert_eq!(v1["signature"], "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    assert!(
        sign_v3_json(&json!({"method": "GET"}))
            .unwrap_err()
            .contains("`ak`")
    );
}

/// The compiled `sign` example (cargo test builds the examples).
fn example_binary() -> PathBuf {
    let mut dir = std::env::current_exe().unwrap();
    dir.pop();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir
        .join("examples")
        .join(format!("sign{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} was not built", path.display());
    path
}

#[test]
fn the_vectors_through_the_sign_example_binary() {
    let dir = common::TempDir::new("sign-example");
    let v3 = dir.write("v3.json", &worked_example_json().to_string());
    let output = std::process::Command::new(example_binary())
        .arg(&v3)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["signature"], WORKED_SIGNATURE);
    assert_eq!(
        printed["string_to_sign"],
        "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    );

    let params: serde_json::Map<String, serde_json::Value> = V1_PARAMS
        .iter()
        .map(|(n, v)| (n.to_string(), json!(v)))
        .collect();
    let v1 = dir.write(
        "v1.json",
        &json!({ "method": "GET", "params": params, "sk": "testsecret" }).to_string(),
    );
    let output = std::process::Command::new(example_binary())
        .arg("--v1")
        .arg(&v1)
        .output()
        .unwrap();
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["signature"], "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
}
