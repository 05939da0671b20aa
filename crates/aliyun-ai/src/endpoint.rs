//! Endpoints: parsing and checking `host`, `host:port`, `https://host[:port]`
//! or a loopback `http://` address.

use std::fmt;
use std::net::IpAddr;

use crate::error::Error;

/// A checked endpoint: scheme and authority (`host[:port]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: String,
    authority: String,
}

/// Whether `host` is a loopback name or address.
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The host part of an authority (`host:port`, `[::1]:port`).
pub(crate) fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                host
            } else {
                authority
            }
        })
}

impl Endpoint {
    /// Parses `host`, `host:port`, `https://host[:port]` or `http://...`;
    /// plain HTTP is refused unless the host is loopback or `allow_http`.
    pub fn parse(text: &str, allow_http: bool) -> Result<Self, Error> {
        let text = text.trim().trim_end_matches('/');
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("https".to_owned(), text),
        };
        if scheme != "https" && scheme != "http" {
            return Err(Error::build(format!(
                "endpoint `{text}`: the scheme must be https or http"
            )));
        }
        if rest.is_empty() || rest.contains('/') || rest.contains('?') || rest.contains('@') {
            return Err(Error::build(format!(
                "endpoint `{text}`: expected a host with an optional port, and no path"
            )));
        }
        if scheme == "http" && !allow_http && !is_loopback(host_of(rest)) {
            return Err(Error::build(format!(
                "endpoint `{text}`: plain http is refused for a non-loopback host (credentials would travel unencrypted); use https or opt in with allow_insecure_http"
            )));
        }
        Ok(Self {
            scheme,
            authority: rest.to_owned(),
        })
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// `host[:port]`.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// `scheme://authority`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base_url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_refuse_plain_http_unless_loopback_or_opted_in() {
        assert_eq!(
            Endpoint::parse("dianjin.cn-beijing.aliyuncs.com", false)
                .unwrap()
                .base_url(),
            "https://dianjin.cn-beijing.aliyuncs.com"
        );
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:8080/", false)
                .unwrap()
                .authority(),
            "127.0.0.1:8080"
        );
        assert!(Endpoint::parse("http://localhost:9", false).is_ok());
        assert!(Endpoint::parse("http://[::1]:9", false).is_ok());
        let error = Endpoint::parse("http://proxy.internal:8080", false).unwrap_err();
        assert!(
            error.to_string().contains("plain http is refused"),
            "{error}"
        );
        assert!(Endpoint::parse("http://proxy.internal:8080", true).is_ok());
        assert!(Endpoint::parse("https://host/path", false).is_err());
        assert!(Endpoint::parse("ftp://host", false).is_err());
    }
}
