//! Accepting connections so that no client can take the server down: a limit on open
//! connections (the oldest idle one is closed to make room, as nginx does), a timeout for a
//! request's headers and for an idle keep-alive connection, and a write timeout that closes a
//! connection whose client stopped reading (an event stream resumes later with
//! `Last-Event-ID`). Running out of file descriptors closes idle connections instead of
//! failing every new one.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// How long each connection may take, and how many there may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most; `None` takes the process's file limit less a reserve.
    pub max_connections: Option<usize>,
    /// A new connection must send its first request's headers within this.
    pub header_timeout: Duration,
    /// A keep-alive connection with no request in flight is closed after this.
    pub idle_timeout: Duration,
    /// A connection whose client takes nothing written for this long is closed.
    pub write_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: None,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
        }
    }
}

/// File descriptors kept for everything but connections: SQLite's files, static files, logs.
const RESERVE_FDS: u64 = 64;
const DEFAULT_MAX_CONNECTIONS: usize = 4096;

impl Limits {
    /// The connection limit in force: the one asked for, else what the open-file limit
    /// leaves after the reserve.
    pub fn connections(&self) -> usize {
        if let Some(max) = self.max_connections {
            return max.max(1);
        }
        let files = rlimit::getrlimit(rlimit::Resource::NOFILE)
            .map(|(soft, _)| soft)
            .unwrap_or(1024);
        let room = files.saturating_sub(RESERVE_FDS).max(16);
        usize::try_from(room)
            .unwrap_or(usize::MAX)
            .min(DEFAULT_MAX_CONNECTIONS)
    }
}

/// Milliseconds since the server started: cheap to store in an atomic.
#[derive(Clone, Copy)]
struct Epoch(Instant);

impl Epoch {
    fn now(self) -> u64 {
        self.0.elapsed().as_millis() as u64
    }
}

/// What the server knows of one connection.
struct Connection {
    epoch: Epoch,
    /// Requests whose response has not been sent in full.
    in_flight: AtomicUsize,
    /// Whether a request ever arrived (an idle connection that never sent one is closed
    /// after the header timeout, a used one after the idle timeout).
    used: AtomicBool,
    /// When bytes last moved, or a request started or ended.
    last_activity: AtomicU64,
    /// Since when a write has been waiting for the client to read (0: none is).
    write_blocked_since: AtomicU64,
    close: Notify,
}

impl Connection {
    fn touch(&self) {
        self.last_activity
            .store(self.epoch.now(), Ordering::Relaxed);
    }

    fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) == 0
    }

    /// Why this connection should be closed now, if it should.
    fn expired(&self, limits: &Limits) -> Option<&'static str> {
        let now = self.epoch.now();
        let blocked = self.write_blocked_since.load(Ordering::Relaxed);
        if blocked > 0 && now.saturating_sub(blocked) >= limits.write_timeout.as_millis() as u64 {
            return Some("the client stopped reading");
        }
        if self.is_idle() {
            let idle = now.saturating_sub(self.last_activity.load(Ordering::Relaxed));
            let allowed = if self.used.load(Ordering::Relaxed) {
                limits.idle_timeout
            } else {
                limits.header_timeout
            };
            if idle >= allowed.as_millis() as u64 {
                return Some("idle");
            }
        }
        None
    }
}

/// The open connections, oldest first, so the oldest idle one can make room.
#[derive(Default)]
struct Registry {
    next: AtomicU64,
    open: Mutex<BTreeMap<u64, Arc<Connection>>>,
}

impl Registry {
    fn add(&self, connection: Arc<Connection>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut open) = self.open.lock() {
            open.insert(id, connection);
        }
        id
    }

    fn remove(&self, id: u64) {
        if let Ok(mut open) = self.open.lock() {
            open.remove(&id);
        }
    }

    /// Closes the oldest connection with no request in flight; whether there was one.
    fn close_oldest_idle(&self) -> bool {
        let Ok(open) = self.open.lock() else {
            return false;
        };
        match open.values().find(|c| c.is_idle()) {
            Some(c) => {
                c.close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// The socket, watched: every read and write counts as activity, and a write the client
/// does not take marks since when it waits.
struct Watched {
    stream: TcpStream,
    connection: Arc<Connection>,
}

impl Watched {
    fn wrote<T>(&self, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match &poll {
            Poll::Pending => {
                let _ = self.connection.write_blocked_since.compare_exchange(
                    0,
                    self.connection.epoch.now().max(1),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }
            Poll::Ready(_) => {
                self.connection
                    .write_blocked_since
                    .store(0, Ordering::Relaxed);
                self.connection.touch();
            }
        }
        poll
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.connection.touch();
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.wrote(poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.wrote(poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.stream).poll_flush(cx);
        self.wrote(poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Counts a request as in flight until its response body is sent or dropped.
struct InFlight(Arc<Connection>);

impl InFlight {
    fn start(connection: Arc<Connection>) -> InFlight {
        connection.used.store(true, Ordering::Relaxed);
        connection.in_flight.fetch_add(1, Ordering::SeqCst);
        connection.touch();
        InFlight(connection)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A response body that keeps its request in flight while it is sent.
struct Tracked {
    body: Body,
    _in_flight: InFlight,
}

impl HttpBody for Tracked {
    type Data = <Body as HttpBody>::Data;
    type Error = <Body as HttpBody>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

fn is_out_of_files(e: &io::Error) -> bool {
    // EMFILE (24) and ENFILE (23) on Linux and the BSDs.
    matches!(e.raw_os_error(), Some(23 | 24))
}

/// Serves `router` on `listener` until the returned future is dropped; the connections end
/// with it.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits) {
    let max = limits.connections();
    tracing::info!(max_connections = max, "accepting connections");
    let slots = Arc::new(Semaphore::new(max));
    let registry = Arc::new(Registry::default());
    let epoch = Epoch(Instant::now());
    let mut connections = JoinSet::new();
    loop {
        // Finished connections are collected as we go.
        while connections.try_join_next().is_some() {}
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) if is_out_of_files(&e) => {
                tracing::warn!(error = %e, "out of file descriptors: closing an idle connection");
                registry.close_oldest_idle();
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            Err(e) => {
                tracing::debug!(error = %e, "a connection could not be accepted");
                continue;
            }
        };
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                registry.close_oldest_idle();
                match tokio::time::timeout(Duration::from_secs(2), slots.clone().acquire_owned())
                    .await
                {
                    Ok(Ok(slot)) => slot,
                    // Every connection is busy: this one is turned away.
                    _ => {
                        tracing::warn!(max, "connection limit reached: a connection was refused");
                        continue;
                    }
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let connection = Arc::new(Connection {
            epoch,
            in_flight: AtomicUsize::new(0),
            used: AtomicBool::new(false),
            last_activity: AtomicU64::new(epoch.now()),
            write_blocked_since: AtomicU64::new(0),
            close: Notify::new(),
        });
        let id = registry.add(connection.clone());
        let registry = registry.clone();
        let router = router.clone();
        connections.spawn(async move {
            serve_connection(stream, router, connection, limits).await;
            registry.remove(id);
            drop(slot);
        });
    }
}

async fn serve_connection(
    stream: TcpStream,
    router: Router,
    connection: Arc<Connection>,
    limits: Limits,
) {
    let io = TokioIo::new(Watched {
        stream,
        connection: connection.clone(),
    });
    let per_request = connection.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let in_flight = InFlight::start(per_request.clone());
        let router = router.clone();
        async move {
            let response = match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            Ok::<_, Infallible>(response.map(|body| Tracked {
                body,
                _in_flight: in_flight,
            }))
        }
    });
    let served = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(io, service);
    tokio::pin!(served);
    let check_every = (limits.write_timeout.min(limits.idle_timeout) / 4)
        .clamp(Duration::from_millis(50), Duration::from_secs(1));
    let mut check = tokio::time::interval(check_every);
    loop {
        tokio::select! {
            _ = &mut served => return,
            () = connection.close.notified() => return,
            _ = check.tick() => {
                if let Some(why) = connection.expired(&limits) {
                    tracing::debug!(why, "connection closed");
                    return;
                }
            }
        }
    }
}
