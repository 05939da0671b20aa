//! Proxies, against a proxy of the test's own on loopback (issue 21 #16):
//! plain HTTP in absolute form, HTTPS through a `CONNECT` tunnel, each with
//! the proxy's credentials; no-proxy hosts, loopback and the instance
//! metadata address reached directly.

use std::sync::{Arc, Mutex};

use aliyun_ai_transport::bytes::Bytes;
use aliyun_ai_transport::{HttpRequest, HttpTransport, Proxies, TransportErrorKind, http};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn get(url: &str) -> HttpRequest {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

/// A proxy on loopback that records the head of every request it receives.
/// It answers a request in absolute form itself (200, `via proxy`); it
/// accepts a `CONNECT`, then closes the tunnel at the client's first bytes
/// (the TLS handshake with a server that is not there).
struct LoopbackProxy {
    address: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl LoopbackProxy {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let record = heads.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let record = record.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if socket.read(&mut byte).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
                    let connect = head.starts_with("connect ");
                    record.lock().unwrap().push(head);
                    if connect {
                        let _ = socket
                            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                            .await;
                        let _ = socket.read(&mut [0u8; 64]).await;
                    } else {
                        let _ = socket
                            .write_all(
                                b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\nconnection: close\r\n\r\nvia proxy",
                            )
                            .await;
                    }
                });
            }
        });
        Self { address, heads }
    }

    fn url_with_credentials(&self) -> String {
        format!("http://user:pa%20ss@{}", self.address)
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// `user:pa ss` (percent-decoded from the URL) in base64.
const CREDENTIALS: &str = "proxy-authorization: basic dxnlcjpwysbzcw==";

#[tokio::test]
async fn an_http_destination_goes_to_the_proxy_in_absolute_form_with_its_credentials() {
    let proxy = LoopbackProxy::start().await;
    let transport =
        super::super::with_proxies(Proxies::none().http(proxy.url_with_credentials())).unwrap();
    // The host exists nowhere: only the proxy can answer.
    let response = transport
        .send(get("http://service.invalid:8080/api/library?x=1"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.into_body().collect().await.unwrap(), "via proxy");
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with("get http://service.invalid:8080/api/library?x=1 http/1.1\r\n"),
        "{}",
        heads[0]
    );
    assert!(heads[0].contains(CREDENTIALS), "{}", heads[0]);
}

#[tokio::test]
async fn an_https_destination_is_tunnelled_through_connect_with_the_credentials() {
    let proxy = LoopbackProxy::start().await;
    let transport =
        super::super::with_proxies(Proxies::none().https(proxy.url_with_credentials())).unwrap();
    // The proxy closes the tunnel where TLS would start: the call fails, after
    // the CONNECT named the destination.
    let error = transport
        .send(get("https://service.invalid/api/library"))
        .await
        .unwrap_err();
    let heads = proxy.heads();
    assert!(!heads.is_empty(), "no CONNECT reached the proxy: {error}");
    assert!(
        heads[0].starts_with("connect service.invalid:443 http/1.1\r\n"),
        "{}",
        heads[0]
    );
    assert!(heads[0].contains(CREDENTIALS), "{}", heads[0]);
    assert!(!error.to_string().contains("pa%20ss"), "{error}");
}

#[tokio::test]
async fn no_proxy_hosts_and_loopback_are_reached_directly() {
    // The instance metadata address is direct by the same rule (its unit
    // test, `proxy::tests`): a test here would connect to it for real.
    let proxy = LoopbackProxy::start().await;
    let transport = super::super::with_proxies(
        Proxies::none()
            .all(format!("http://{}", proxy.address))
            .no_proxy("direct.invalid"),
    )
    .unwrap();
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let response = transport.send(get(&server.uri())).await.unwrap();
    assert_eq!(response.status(), 204, "loopback answers directly");
    // Reached directly, the host does not resolve (`.invalid` never does):
    // the call fails without the proxy seeing it.
    let error = transport
        .send(get("http://api.direct.invalid/"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Connect, "{error}");
    assert_eq!(proxy.heads(), Vec::<String>::new());
    // Through the proxy, the same kind of host is answered.
    let response = transport
        .send(get("http://api.elsewhere.invalid/"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(proxy.heads().len(), 1);
}

#[tokio::test]
async fn a_proxy_url_that_is_not_http_fails_the_build_naming_it_without_its_password() {
    let error = super::super::with_proxies(Proxies::none().all("socks5://user:s3cret@proxy:1080"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("Proxies::all"), "{error}");
    assert!(!error.contains("s3cret"), "{error}");
}
