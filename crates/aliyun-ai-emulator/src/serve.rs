//! The accept loop and each connection's life: a permit per connection
//! (the connection limit), hyper's HTTP/1 with a header read timeout, and
//! the phases of a shutdown.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::call::Inner;
use crate::server;

/// Where the emulator is in its life; every connection watches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    Serving,
    /// No new connection; each open one finishes the request in flight (an
    /// idle keep-alive connection closes at once), then closes.
    Draining,
    /// Every connection still open is cut.
    Closing,
}

/// The serving task's handles.
pub(crate) struct Serving {
    pub(crate) phase: watch::Sender<Phase>,
    inner: Arc<Inner>,
    permits: Arc<Semaphore>,
    max_connections: u32,
    accept_loop: tokio::task::JoinHandle<()>,
}

impl Serving {
    /// Accepts connections on `listener` until the phase leaves `Serving`.
    pub(crate) fn start(listener: TcpListener, inner: Arc<Inner>) -> Self {
        let (phase, watching) = watch::channel(Phase::Serving);
        // At most u32::MAX permits can be awaited at once (`acquire_many`).
        let max_connections =
            u32::try_from(inner.config.max_connections.max(1)).unwrap_or(u32::MAX);
        let permits = Arc::new(Semaphore::new(max_connections as usize));
        let accept_loop = tokio::spawn(accept_loop(
            listener,
            inner.clone(),
            permits.clone(),
            watching,
        ));
        Self {
            phase,
            inner,
            permits,
            max_connections,
            accept_loop,
        }
    }

    /// Drains, waits up to `grace` for the open connections to close, then
    /// cuts the rest; returns how many were cut.
    pub(crate) async fn shutdown(self, grace: Duration) -> usize {
        self.drain();
        let _ = self.accept_loop.await;
        // Each connection holds a permit until it is gone: all of them back
        // means none is left.
        let all = self.permits.acquire_many(self.max_connections);
        if tokio::time::timeout(grace, all).await.is_ok() {
            return 0;
        }
        let cut = self.max_connections as usize - self.permits.available_permits();
        let _ = self.phase.send(Phase::Closing);
        let _ = self.permits.acquire_many(self.max_connections).await;
        cut
    }
}

impl Serving {
    /// Stops accepting; each connection finishes its request in flight;
    /// WebSocket sessions (no longer hyper's connections) close.
    pub(crate) fn drain(&self) {
        let _ = self.phase.send(Phase::Draining);
        self.inner.sessions.close_all();
    }
}

async fn accept_loop(
    listener: TcpListener,
    inner: Arc<Inner>,
    permits: Arc<Semaphore>,
    mut phase: watch::Receiver<Phase>,
) {
    let stopping = |phase: &Phase| *phase != Phase::Serving;
    loop {
        // A connection is accepted only with a permit: past the limit,
        // clients wait in the listen backlog.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            _ = until(&mut phase, stopping) => return,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = until(&mut phase, stopping) => return,
        };
        let inner = inner.clone();
        let mut phase = phase.clone();
        tokio::spawn(async move {
            inner.open_connections.fetch_add(1, Ordering::Relaxed);
            let counted = inner.clone();
            let header_timeout = inner.config.header_read_timeout;
            let service = service_fn(move |request| server::handle(inner.clone(), request));
            // hyper times the headers out only with a timer.
            let connection = http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service)
                // EndToEndRealTimeDialog switches to a WebSocket (`realtime`).
                .with_upgrades();
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = until(&mut phase, stopping) => {
                    connection.as_mut().graceful_shutdown();
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        _ = until(&mut phase, |phase| *phase == Phase::Closing) => {}
                    }
                }
            }
            counted.open_connections.fetch_sub(1, Ordering::Relaxed);
            drop(permit);
        });
    }
}

/// Returns once the phase passes `test` (or the emulator is gone).
async fn until(phase: &mut watch::Receiver<Phase>, test: impl FnMut(&Phase) -> bool) {
    // The guard `wait_for` returns holds a lock: not kept across an await.
    let _ = phase.wait_for(test).await;
}
