//! Endpoints: parsing and checking `host`, `host:port`, `https://host[:port]`
//! or a loopback `http://` address.

use std::fmt;
use std::net::IpAddr;

use crate::error::Error;

/// A checked endpoint: scheme, authority (`host[:port]`) and an optional path
/// prefix (a proxy or gateway mounting the API under a path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: String,
    authority: String,
    prefix: String,
    /// `scheme://authority[/prefix]`, built once: every request starts with it.
    base: String,
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
    /// Parses `host`, `host:port`, `https://host[:port][/prefix]` or
    /// `http://...` with the `http` crate's URI grammar, so that a malformed
    /// endpoint (`ho st`, `host:abc`) fails here, when the config is built,
    /// not at the first call. A path is kept as a prefix of every request
    /// path (`https://gw.example.com/aliyun` sends `/aliyun/{workspaceId}/...`);
    /// a query, a fragment or credentials in the URL are refused. Plain HTTP
    /// is refused unless the host is loopback or `allow_http`.
    pub fn parse(text: &str, allow_http: bool) -> Result<Self, Error> {
        let text = text.trim();
        let invalid = |why: &str| Error::build(format!("endpoint `{text}`: {why}"));
        let full = if text.contains("://") {
            text.to_owned()
        } else {
            // `http//host` or `https:/host` is a mistyped scheme, not a host
            // called `http` with a path.
            let lower = text.to_ascii_lowercase();
            if ["http:", "https:", "http/", "https/"]
                .iter()
                .any(|start| lower.starts_with(start))
            {
                return Err(invalid(
                    "a mistyped scheme: write `https://host` (or `http://` for loopback)",
                ));
            }
            format!("https://{text}")
        };
        let uri: http::Uri = full
            .parse()
            .map_err(|e| invalid(&format!("not a valid URL ({e})")))?;
        let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(invalid("the scheme must be https or http"));
        }
        let authority = uri.authority().ok_or_else(|| invalid("no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid("credentials do not belong in an endpoint"));
        }
        if authority.host().is_empty() {
            return Err(invalid("no host"));
        }
        // `http` accepts `host:abc`; a port must be a number.
        let port_text = authority
            .as_str()
            .strip_prefix(authority.host())
            .and_then(|rest| rest.strip_prefix(':'));
        if let Some(port) = port_text {
            if port.is_empty() || port.parse::<u16>().is_err() {
                return Err(invalid(&format!(
                    "the port `{port}` is not a number from 0 to 65535"
                )));
            }
        }
        if uri.query().is_some() || full.contains('#') {
            return Err(invalid(
                "a query or fragment does not belong in an endpoint",
            ));
        }
        if scheme == "http" && !allow_http && !is_loopback(authority.host()) {
            return Err(invalid(
                "plain http is refused for a non-loopback host (credentials would travel unencrypted); use https or opt in with allow_insecure_http",
            ));
        }
        let prefix = uri.path().trim_end_matches('/').to_owned();
        let authority = authority.as_str().to_ascii_lowercase();
        Ok(Self {
            base: format!("{scheme}://{authority}{prefix}"),
            scheme,
            authority,
            prefix,
        })
    }

    /// The path prefix every request path is sent under (`""` for none).
    pub fn path_prefix(&self) -> &str {
        &self.prefix
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// `host[:port]`.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// `scheme://authority[/prefix]`: an operation's path is appended to it.
    pub fn base_url(&self) -> String {
        self.base.clone()
    }

    /// [`Endpoint::base_url`], borrowed.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
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
        assert!(Endpoint::parse("ftp://host", false).is_err());
    }

    #[test]
    fn malformed_endpoints_fail_when_parsed_and_a_path_is_a_prefix() {
        // Issue 14 #5: these used to pass and fail only at the first call.
        for bad in [
            "ho st",
            "host:abc",
            "host:99999",
            "https://",
            "https://user@host",
            "https://host?x=1",
            // Issue 21 #13: a mistyped scheme was taken for a host.
            "http//host",
            "https:/host",
            "HTTPS//host",
        ] {
            let error = Endpoint::parse(bad, false).unwrap_err();
            assert!(
                error.to_string().starts_with(&format!("endpoint `{bad}`")),
                "{error}"
            );
        }
        let endpoint = Endpoint::parse("https://gw.example.com/x/aliyun/", false).unwrap();
        assert_eq!(endpoint.path_prefix(), "/x/aliyun");
        assert_eq!(endpoint.authority(), "gw.example.com");
        assert_eq!(endpoint.base_url(), "https://gw.example.com/x/aliyun");
        assert_eq!(
            Endpoint::parse("[::1]:8080", false)
                .map(|e| e.base_url())
                .ok(),
            Some("https://[::1]:8080".to_owned())
        );
    }
}
