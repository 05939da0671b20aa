//! `HyperTransport`'s connector with proxies: hyper's `HttpConnector`, then,
//! by the shared rule ([`ProxyRoutes`]), either the destination itself, a
//! `CONNECT` tunnel through the proxy (hyper-util's `Tunnel`) for `https`,
//! or the proxy itself for `http`, where the request goes in absolute form.
//! TLS to the destination is added on top by hyper-rustls, as without a
//! proxy.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::proxy::ProxyRoutes;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Connects to a destination directly or through its proxy.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    direct: HttpConnector,
    routes: Arc<ProxyRoutes>,
}

impl ProxyConnector {
    pub(crate) fn new(direct: HttpConnector, routes: Arc<ProxyRoutes>) -> Self {
        Self { direct, routes }
    }
}

impl Service<http::Uri> for ProxyConnector {
    type Response = ProxiedStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<ProxiedStream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.direct.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, destination: http::Uri) -> Self::Future {
        let mut direct = self.direct.clone();
        let intercept = self.routes.intercept(&destination);
        Box::pin(async move {
            let Some(intercept) = intercept else {
                let stream = direct.call(destination).await?;
                return Ok(ProxiedStream::new(stream, false));
            };
            if destination.scheme() == Some(&http::uri::Scheme::HTTPS) {
                let mut tunnel = Tunnel::new(intercept.uri().clone(), direct);
                if let Some(auth) = intercept.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let stream = tunnel.call(destination).await?;
                Ok(ProxiedStream::new(stream, false))
            } else {
                // Plain HTTP: the proxy is the peer, and the request line
                // names the destination (`GET http://host/path`).
                let stream = direct.call(intercept.uri().clone()).await?;
                Ok(ProxiedStream::new(stream, true))
            }
        })
    }
}

/// A TCP stream to a destination or a proxy, telling hyper which.
pub(crate) struct ProxiedStream {
    inner: TokioIo<TcpStream>,
    through_http_proxy: bool,
}

impl ProxiedStream {
    fn new(inner: TokioIo<TcpStream>, through_http_proxy: bool) -> Self {
        Self {
            inner,
            through_http_proxy,
        }
    }
}

impl Connection for ProxiedStream {
    fn connected(&self) -> Connected {
        // `proxy(true)` makes hyper write the request target in absolute form.
        self.inner.connected().proxy(self.through_http_proxy)
    }
}

impl Read for ProxiedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl Write for ProxiedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
}
