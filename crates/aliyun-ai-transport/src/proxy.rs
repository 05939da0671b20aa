//! Which proxy the built-in transports send a request through: one rule for
//! both, read from the environment by default, set explicitly, or off.
//!
//! The rule, in order:
//! 1. Loopback destinations (`localhost`, `127.0.0.0/8`, `::1`) and the
//!    instance metadata address ([`INSTANCE_METADATA_HOST`]) are always
//!    reached directly. Go's `net/http` does the same for loopback; the
//!    metadata service answers only inside the instance, so a proxy could
//!    only fail it (issue 21 #16).
//! 2. A host in the no-proxy list is reached directly (hyper-util's rules, the
//!    same as reqwest's and curl's: comma-separated domains matching their
//!    subdomains, IP addresses and CIDR ranges, `*` for everything).
//! 3. Otherwise an `http` destination goes through the HTTP proxy, an
//!    `https` one through the HTTPS proxy (as a `CONNECT` tunnel), each
//!    falling back to the "all" proxy.
//!
//! From the environment, the variables are those of curl and reqwest:
//! `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`, upper case first,
//! then lower case. `HTTP_PROXY` is ignored when `REQUEST_METHOD` is set (a
//! CGI program, where a client can set it: "httpoxy"). A proxy URL that is
//! not `http://` or `https://` (or has no host) is an error when the
//! transport is built, naming the variable, never its password.

use std::fmt;
use std::net::IpAddr;

use aliyun_ai_core::INSTANCE_METADATA_HOST;
use hyper_util::client::proxy::matcher::{Intercept, Matcher};

use crate::error::TransportError;

/// Where a built-in transport's requests go: straight to the service, or
/// through a proxy. The default reads the environment when the transport is
/// built ([`Proxies::from_env`]).
///
/// ```
/// use aliyun_ai_transport::Proxies;
///
/// // Every request through one proxy, but the hosts of one internal domain.
/// let proxies = Proxies::none()
///     .all("http://proxy.internal:3128")
///     .no_proxy(".corp.example, 10.0.0.0/8");
/// # let _ = proxies;
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct Proxies {
    /// `None`: read the environment.
    explicit: Option<Explicit>,
}

#[derive(Clone, Default)]
struct Explicit {
    http: Option<String>,
    https: Option<String>,
    all: Option<String>,
    no_proxy: Option<String>,
}

impl Proxies {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (or their lower
    /// case), read when the transport is built. The default.
    pub fn from_env() -> Self {
        Self { explicit: None }
    }

    /// No proxy, whatever the environment says; add one with the methods
    /// below.
    pub fn none() -> Self {
        Self {
            explicit: Some(Explicit::default()),
        }
    }

    /// The proxy for `http://` destinations. Setting any proxy or no-proxy
    /// list here stops the environment from being read.
    pub fn http(mut self, url: impl Into<String>) -> Self {
        self.explicit().http = Some(url.into());
        self
    }

    /// The proxy for `https://` destinations, reached by `CONNECT`.
    pub fn https(mut self, url: impl Into<String>) -> Self {
        self.explicit().https = Some(url.into());
        self
    }

    /// The proxy for every destination without a proxy of its own scheme.
    pub fn all(mut self, url: impl Into<String>) -> Self {
        self.explicit().all = Some(url.into());
        self
    }

    /// Hosts reached directly: comma-separated domains (each with its
    /// subdomains), IP addresses, CIDR ranges, or `*` for all.
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Self {
        self.explicit().no_proxy = Some(hosts.into());
        self
    }

    fn explicit(&mut self) -> &mut Explicit {
        self.explicit.get_or_insert_with(Explicit::default)
    }

    /// The routes these settings give, reading the process environment.
    pub(crate) fn resolve(&self) -> Result<ProxyRoutes, TransportError> {
        self.resolve_with(&|name| std::env::var(name).ok())
    }

    /// The routes these settings give, with `env` standing for the
    /// environment.
    pub(crate) fn resolve_with(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ProxyRoutes, TransportError> {
        let first = |names: [&'static str; 2]| {
            names.into_iter().find_map(|name| {
                env(name)
                    .filter(|value| !value.trim().is_empty())
                    .map(|value| (name, value))
            })
        };
        let (http, https, all, no_proxy) = match &self.explicit {
            None => {
                let cgi = env("REQUEST_METHOD").is_some();
                (
                    first(["HTTP_PROXY", "http_proxy"]).filter(|_| !cgi),
                    first(["HTTPS_PROXY", "https_proxy"]),
                    first(["ALL_PROXY", "all_proxy"]),
                    first(["NO_PROXY", "no_proxy"]).map(|(_, value)| value),
                )
            }
            Some(explicit) => (
                explicit.http.clone().map(|value| ("Proxies::http", value)),
                explicit
                    .https
                    .clone()
                    .map(|value| ("Proxies::https", value)),
                explicit.all.clone().map(|value| ("Proxies::all", value)),
                explicit.no_proxy.clone(),
            ),
        };
        let all = all.map(|(name, value)| check(name, value)).transpose()?;
        let http = http.map(|(name, value)| check(name, value)).transpose()?;
        let https = https.map(|(name, value)| check(name, value)).transpose()?;
        let http = http.or_else(|| all.clone());
        let https = https.or(all);
        let mut matcher = Matcher::builder().no(no_proxy.unwrap_or_default());
        if let Some(target) = &http {
            matcher = matcher.http(target.url.clone());
        }
        if let Some(target) = &https {
            matcher = matcher.https(target.url.clone());
        }
        Ok(ProxyRoutes {
            matcher: matcher.build(),
            http,
            https,
        })
    }
}

impl fmt::Debug for Proxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.explicit {
            None => f.write_str("Proxies::from_env()"),
            Some(explicit) => {
                let shown = |url: &Option<String>| url.as_deref().map(redacted);
                f.debug_struct("Proxies")
                    .field("http", &shown(&explicit.http))
                    .field("https", &shown(&explicit.https))
                    .field("all", &shown(&explicit.all))
                    .field("no_proxy", &explicit.no_proxy)
                    .finish()
            }
        }
    }
}

/// A proxy URL, checked.
#[derive(Clone)]
pub(crate) struct ProxyTarget {
    /// As given, user and password included (reqwest reads them from it).
    pub(crate) url: String,
    /// Whether the proxy itself is reached over TLS (`https://`): what
    /// `HyperTransport` refuses.
    #[cfg_attr(not(any(feature = "hyper", feature = "websocket")), allow(dead_code))]
    pub(crate) tls: bool,
}

impl fmt::Debug for ProxyTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redacted(&self.url))
    }
}

/// Checks one proxy URL; `name` is where it came from, for the error.
fn check(name: &str, value: String) -> Result<ProxyTarget, TransportError> {
    let value = value.trim();
    // A URL without a scheme means an HTTP proxy (curl, hyper-util).
    let url = if value.contains("://") {
        value.to_owned()
    } else {
        format!("http://{value}")
    };
    let refuse =
        |why: &str| TransportError::other(format!("{name}: the proxy `{}` {why}", redacted(&url)));
    let uri: http::Uri = url.parse().map_err(|_| refuse("is not a URL"))?;
    let tls = match uri.scheme_str() {
        Some("http") => false,
        Some("https") => true,
        _ => return Err(refuse("is not an http:// or https:// proxy")),
    };
    if uri.host().is_none_or(str::is_empty) {
        return Err(refuse("names no host"));
    }
    Ok(ProxyTarget { url, tls })
}

/// A URL with any `user:password@` replaced, for messages and `Debug`.
fn redacted(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let scheme = if scheme.is_empty() {
                String::new()
            } else {
                format!("{scheme}://")
            };
            format!("{scheme}***@{}", &rest[at + 1..])
        }
        None => url.to_owned(),
    }
}

/// The resolved rule: which destinations go through which proxy.
pub(crate) struct ProxyRoutes {
    matcher: Matcher,
    http: Option<ProxyTarget>,
    https: Option<ProxyTarget>,
}

impl fmt::Debug for ProxyRoutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyRoutes")
            .field("http", &self.http)
            .field("https", &self.https)
            .finish_non_exhaustive()
    }
}

impl ProxyRoutes {
    /// Whether any destination can go through a proxy.
    #[cfg_attr(not(any(feature = "reqwest", feature = "hyper")), allow(dead_code))]
    pub(crate) fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// Refuses a proxy reached over TLS (an `https://` proxy URL), which the
    /// hyper-util-based transports cannot reach; `who` is the transport,
    /// `otherwise` what else the user can do.
    #[cfg(any(feature = "hyper", feature = "websocket"))]
    pub(crate) fn plain_http_proxies_only(
        &self,
        who: &str,
        otherwise: &str,
    ) -> Result<(), TransportError> {
        match self
            .http
            .iter()
            .chain(self.https.iter())
            .find(|target| target.tls)
        {
            Some(target) => Err(TransportError::other(format!(
                "{who} reaches proxies over plain HTTP only, not {target:?}: use an http:// proxy URL{otherwise}"
            ))),
            None => Ok(()),
        }
    }

    /// The proxy for `destination`, if any: its URL as given (what the
    /// reqwest transport hands reqwest).
    #[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
    pub(crate) fn target_for(&self, destination: &http::Uri) -> Option<&ProxyTarget> {
        self.intercept(destination)?;
        match destination.scheme_str() {
            Some("http") => self.http.as_ref(),
            Some("https") => self.https.as_ref(),
            _ => None,
        }
    }

    /// The proxy for `destination`, if any, as hyper-util reads it: the
    /// proxy's address and its `Proxy-Authorization`.
    pub(crate) fn intercept(&self, destination: &http::Uri) -> Option<Intercept> {
        if always_direct(destination.host()?) {
            return None;
        }
        self.matcher.intercept(destination)
    }
}

/// Loopback and the instance metadata service: never through a proxy.
fn always_direct(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let bytes = host.as_bytes();
    let subdomain_of_localhost =
        bytes.len() > 10 && bytes[bytes.len() - 10..].eq_ignore_ascii_case(b".localhost");
    if host.eq_ignore_ascii_case("localhost")
        || subdomain_of_localhost
        || host == INSTANCE_METADATA_HOST
    {
        return true;
    }
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> http::Uri {
        text.parse().unwrap()
    }

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    fn proxy_of(routes: &ProxyRoutes, destination: &str) -> Option<String> {
        routes
            .target_for(&uri(destination))
            .map(|target| target.url.clone())
    }

    #[test]
    fn the_environment_routes_by_scheme_and_no_proxy() {
        let routes = Proxies::from_env()
            .resolve_with(&env(&[
                ("HTTPS_PROXY", "http://secure-proxy:3128"),
                ("http_proxy", "plain-proxy:8080"),
                ("no_proxy", "internal.example, 10.0.0.0/8"),
            ]))
            .unwrap();
        assert_eq!(
            proxy_of(&routes, "https://dianjin.cn-beijing.aliyuncs.com/api"),
            Some("http://secure-proxy:3128".into())
        );
        // No scheme means an HTTP proxy.
        assert_eq!(
            proxy_of(&routes, "http://bucket.oss.example/"),
            Some("http://plain-proxy:8080".into())
        );
        assert_eq!(proxy_of(&routes, "https://api.internal.example/"), None);
        assert_eq!(proxy_of(&routes, "https://10.1.2.3/"), None);
    }

    #[test]
    fn upper_case_wins_and_all_proxy_is_the_fallback() {
        let routes = Proxies::from_env()
            .resolve_with(&env(&[
                ("HTTPS_PROXY", "http://upper:1"),
                ("https_proxy", "http://lower:1"),
                ("all_proxy", "http://everything:1"),
            ]))
            .unwrap();
        assert_eq!(
            proxy_of(&routes, "https://a.example/"),
            Some("http://upper:1".into())
        );
        assert_eq!(
            proxy_of(&routes, "http://a.example/"),
            Some("http://everything:1".into())
        );
    }

    #[test]
    fn a_cgi_program_ignores_http_proxy() {
        let routes = Proxies::from_env()
            .resolve_with(&env(&[
                ("REQUEST_METHOD", "GET"),
                ("HTTP_PROXY", "http://set-by-a-client:1"),
            ]))
            .unwrap();
        assert!(routes.is_empty());
    }

    #[test]
    fn explicit_settings_ignore_the_environment() {
        let environment = env(&[("HTTPS_PROXY", "http://from-env:1")]);
        let routes = Proxies::none().resolve_with(&environment).unwrap();
        assert!(routes.is_empty());
        let routes = Proxies::from_env()
            .https("http://explicit:2")
            .resolve_with(&environment)
            .unwrap();
        assert_eq!(
            proxy_of(&routes, "https://a.example/"),
            Some("http://explicit:2".into())
        );
        assert_eq!(proxy_of(&routes, "http://a.example/"), None);
    }

    #[test]
    fn loopback_and_the_metadata_service_are_never_proxied() {
        let routes = Proxies::none()
            .all("http://proxy:3128")
            .resolve_with(&env(&[]))
            .unwrap();
        for direct in [
            "http://100.100.100.200/latest/meta-data/ram/security-credentials/",
            "http://127.0.0.1:8080/",
            "http://127.3.4.5/",
            "http://[::1]:9000/",
            "http://localhost:1/",
            "http://emulator.localhost/",
        ] {
            assert_eq!(proxy_of(&routes, direct), None, "{direct}");
        }
        assert_eq!(
            proxy_of(&routes, "http://100.100.100.201/"),
            Some("http://proxy:3128".into())
        );
    }

    #[test]
    fn a_bad_proxy_url_names_its_source_and_never_its_password() {
        let error = Proxies::from_env()
            .resolve_with(&env(&[("HTTPS_PROXY", "socks5://user:s3cret@proxy:1080")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("HTTPS_PROXY"), "{error}");
        assert!(
            error.contains("is not an http:// or https:// proxy"),
            "{error}"
        );
        assert!(!error.contains("s3cret"), "{error}");
        let error = Proxies::none()
            .http("http://")
            .resolve_with(&env(&[]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("Proxies::http"), "{error}");
    }

    #[test]
    fn debug_hides_proxy_passwords() {
        let proxies = Proxies::none().https("http://user:s3cret@proxy:3128");
        let shown = format!("{proxies:?}");
        assert!(shown.contains("***@proxy:3128"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
        let routes = proxies.resolve_with(&env(&[])).unwrap();
        assert!(!format!("{routes:?}").contains("s3cret"));
    }

    #[test]
    fn the_intercept_carries_basic_auth_for_the_proxy() {
        let routes = Proxies::none()
            .all("http://user:pa%20ss@proxy:3128")
            .resolve_with(&env(&[]))
            .unwrap();
        let intercept = routes.intercept(&uri("https://a.example/")).unwrap();
        assert_eq!(intercept.uri(), &uri("http://proxy:3128/"));
        // "user:pa ss", percent-decoded, in base64.
        assert_eq!(intercept.basic_auth().unwrap(), "Basic dXNlcjpwYSBzcw==");
    }
}
