//! Query (and form) parameters, percent-decoded: what the router and the
//! handlers read a request's parameters with.

/// Every value of a query (or form) parameter, in order: a name may repeat
/// (`a=x&a=y`, the `repeat` array style).
pub fn query_values(query: &str, name: &str) -> Vec<String> {
    aliyun_ai_auth::encoding::decode_form(query)
        .unwrap_or_default()
        .into_iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v)
        .collect()
}

/// The first value of a query (or form) parameter.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query_values(query, name).into_iter().next()
}
