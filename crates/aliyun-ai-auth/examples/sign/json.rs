//! The logic of the `sign` example: compute a signature from a JSON
//! description of a request, to debug a `SignatureDoesNotMatch`. The vector
//! tests include this file too (`tests/vectors.rs`).

use serde_json::{Map, Value, json};

use aliyun_ai_auth::sign::{
    HeaderSelection, canonical_query, compute_v3, sha256_hex, signature_v1, string_to_sign_v1,
};

fn string_map(input: &Map<String, Value>, key: &str) -> Result<Vec<(String, String)>, String> {
    match input.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, value)| match value {
                Value::String(text) => Ok((name.clone(), text.clone())),
                Value::Array(items) => Ok((
                    name.clone(),
                    items
                        .iter()
                        .map(|i| i.as_str().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(","),
                )),
                other => Ok((name.clone(), other.to_string())),
            })
            .collect(),
        Some(_) => Err(format!("`{key}` must be an object of name: value")),
    }
}

fn text<'a>(input: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    input
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("`{key}` (a string) is required"))
}

/// V3: reads `{"method", "canonical_uri", "query", "headers", "body", "ak",
/// "sk", "security_token"?}` (the URI already encoded; the date and nonce
/// among the headers; `x-acs-content-sha256` computed from the body and added
/// when the headers lack it; optionally `hashed_payload` to use a given hash,
/// as the vendor's unit test does; optionally `signed_headers`, a `;`-joined
/// list or an array of names, to sign exactly those as a verifier would,
/// else the standard `host`, `content-type` and `x-acs-*`) and returns
/// `{"canonical_request", "string_to_sign", "signature", "authorization"}`.
pub fn sign_v3_json(input: &Value) -> Result<Value, String> {
    let input = input.as_object().ok_or("the input must be a JSON object")?;
    let method = text(input, "method")?;
    let uri = input
        .get("canonical_uri")
        .and_then(Value::as_str)
        .unwrap_or("/");
    let query = string_map(input, "query")?;
    let mut headers = string_map(input, "headers")?;
    let body = input.get("body").and_then(Value::as_str).unwrap_or("");
    let access_key_id = text(input, "ak")?;
    let secret = text(input, "sk")?;
    if let Some(token) = input.get("security_token").and_then(Value::as_str) {
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("x-acs-security-token"))
        {
            headers.push(("x-acs-security-token".into(), token.into()));
        }
    }
    let hashed_payload = match input.get("hashed_payload").and_then(Value::as_str) {
        Some(hash) => hash.to_owned(),
        None => {
            let hash = sha256_hex(body.as_bytes());
            if !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("x-acs-content-sha256"))
            {
                headers.push(("x-acs-content-sha256".into(), hash.clone()));
            }
            hash
        }
    };
    let selection = match input.get("signed_headers") {
        None | Some(Value::Null) => HeaderSelection::standard(),
        Some(Value::String(list)) => HeaderSelection::exactly(list.split(';')),
        Some(Value::Array(names)) => {
            HeaderSelection::exactly(names.iter().filter_map(Value::as_str))
        }
        Some(_) => return Err("`signed_headers` is a `;`-joined string or an array".into()),
    };
    if let Some(names) = selection.exact_names() {
        if let Some(missing) = names
            .iter()
            .find(|name| !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        {
            return Err(format!(
                "signed header `{missing}` is not among the headers"
            ));
        }
    }
    let canonical_query = canonical_query(query.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let signature = compute_v3(
        method,
        uri,
        &canonical_query,
        headers
            .iter()
            .filter(|(name, _)| selection.selects(name))
            .map(|(n, v)| (n.as_str(), v.as_str())),
        &hashed_payload,
        access_key_id,
        secret,
    );
    Ok(json!({
        "canonical_request": signature.canonical_request,
        "string_to_sign": signature.string_to_sign,
        "signature": signature.signature,
        "authorization": signature.authorization,
    }))
}

/// V1: reads `{"method", "params": {name: value}, "sk"}` and returns
/// `{"string_to_sign", "signature"}`.
pub fn sign_v1_json(input: &Value) -> Result<Value, String> {
    let input = input.as_object().ok_or("the input must be a JSON object")?;
    let method = text(input, "method")?;
    let params = string_map(input, "params")?;
    let secret = text(input, "sk")?;
    let string_to_sign =
        string_to_sign_v1(method, params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let signature = signature_v1(&string_to_sign, secret);
    Ok(json!({ "string_to_sign": string_to_sign, "signature": signature }))
}
