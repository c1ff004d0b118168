//! What one client may hold of the server: how long it may take to send a
//! request, how many connections may be open at once, how many requests a
//! tenant may make a second. The timers are hyper's, axum-server's and
//! tower-http's own; this module only sets them and adds the two pieces they
//! lack, a connection cap ([`CapMakeService`], closing the idlest connection
//! to make room) and a per-tenant rate limit
//! ([`RateLimit`], the GCRA of the `governor` crate).
//!
//! - **Header read**: hyper closes a connection whose request head has not
//!   fully arrived within [`Limits::header_timeout`]. hyper starts that clock
//!   as soon as it waits for a request head, so it is also the **idle
//!   keep-alive** timeout: a connection that sends nothing (a new one, or one
//!   between two requests) is closed after it.
//! - **Body read**: the whole body must arrive within
//!   [`Limits::body_timeout`] of its head (408 otherwise).
//! - **Whole request**: an answer not ready within
//!   [`Limits::request_timeout`] becomes a 408 and the connection is closed.
//! - **TLS handshake**: at most [`Limits::tls_handshake_timeout`].
//! - **First request**: a new connection must send its first request head
//!   within [`Limits::first_request_timeout`] (a couple of seconds): one that
//!   connects and sends nothing is cut long before the idle timeout.
//! - **Connections**: at most [`Limits::max_connections`] are served, and at
//!   most [`Limits::max_per_address`] of them from one client address, so one
//!   address holding hundreds of sockets cannot lock anyone else out. Up to
//!   [`REFUSAL_SLOTS`] more are answered `503` with `Retry-After` and closed
//!   (the client learns why; at most [`REFUSALS_PER_ADDRESS`] of them for one
//!   address); beyond those, new connections are closed at once without an
//!   answer, so file descriptors stay bounded. Before a new connection is
//!   refused for want of a slot, the served connection idle the longest
//!   (nothing read since its last answer, for at least [`MIN_IDLE`]) is
//!   closed to make room for it ([`Tracking`] times each connection's reads
//!   and writes beneath TLS); a connection with a request arriving or being
//!   answered is never closed.
//! - **Rate**: each tenant may make [`Limits::rate_per_second`] requests a
//!   second, in bursts of up to [`Limits::rate_burst`]; beyond that `429` with
//!   `Retry-After` (whole seconds).
//!
//! - **Quotas**: a channel keeps [`Limits::update_bytes_per_channel`] of
//!   stored updates and a tenant [`Limits::update_bytes_per_tenant`] (the
//!   oldest go first; deliveries are still accepted); a tenant holds at most
//!   [`Limits::certificates_per_tenant`] certificates and keeps at most
//!   [`Limits::exports_kept_per_tenant`] finished exports (beyond them `409`
//!   naming the limit and its flag).
//!
//! The server speaks HTTP/1.1 only: hyper's HTTP/2 has no idle timeout, and
//! every client of this API speaks HTTP/1.1.

use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::Request;
use governor::clock::Clock;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const MIB: u64 = 1024 * 1024;

/// Connections beyond [`Limits::max_connections`] that are still answered
/// (`503`) rather than closed unanswered.
pub const REFUSAL_SLOTS: usize = 64;

/// Of the refusal slots, how many one client address may take.
pub const REFUSALS_PER_ADDRESS: usize = 4;

/// Timeouts and limits of a running server. [`Limits::default`] is what
/// `chanwiz serve` uses without flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Time to send a complete request head; also how long an idle
    /// connection is kept open.
    pub header_timeout: Duration,
    /// Time to send the whole body, counted from the head.
    pub body_timeout: Duration,
    /// Time from the head to the answer.
    pub request_timeout: Duration,
    pub tls_handshake_timeout: Duration,
    /// Time a new connection has to send its first request head.
    pub first_request_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Connections served at once from one client address.
    pub max_per_address: usize,
    /// Requests a second per tenant; 0: no rate limit.
    pub rate_per_second: u32,
    /// Requests a tenant may make at once before the rate applies.
    pub rate_burst: u32,
    /// How long a finished export's file is kept (then the task is marked
    /// expired).
    pub export_retention: Duration,
    /// Bytes of stored updates a channel keeps (the oldest go first).
    pub update_bytes_per_channel: u64,
    /// Bytes of stored updates a tenant keeps, all its channels together.
    pub update_bytes_per_tenant: u64,
    /// Certificates a tenant may hold.
    pub certificates_per_tenant: u32,
    /// Finished exports a tenant may keep within the retention.
    pub exports_kept_per_tenant: u32,
    /// How long an address past its refused deliveries waits for its 429
    /// ([`RefusalThrottle`]): it then costs the server a request a second
    /// per connection, not thousands. At most half the request timeout is
    /// waited, so the answer is never the deadline's 408.
    pub refused_delivery_delay: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            tls_handshake_timeout: Duration::from_secs(10),
            first_request_timeout: Duration::from_secs(2),
            max_connections: 512,
            max_per_address: 64,
            rate_per_second: 100,
            rate_burst: 200,
            export_retention: super::exports::EXPORT_KEEP,
            update_bytes_per_channel: 8 * MIB,
            update_bytes_per_tenant: 256 * MIB,
            certificates_per_tenant: 500,
            exports_kept_per_tenant: 20,
            refused_delivery_delay: Duration::from_secs(1),
        }
    }
}

impl Limits {
    /// Why these limits cannot be used, naming the setting and the rule.
    pub fn check(&self) -> Result<(), String> {
        let positive = [
            ("header timeout (--header-timeout)", self.header_timeout),
            ("body timeout (--body-timeout)", self.body_timeout),
            ("request timeout (--request-timeout)", self.request_timeout),
            ("TLS handshake timeout (--tls-handshake-timeout)", self.tls_handshake_timeout),
            ("first-request timeout (--first-request-timeout)", self.first_request_timeout),
        ];
        for (what, d) in positive {
            if d.is_zero() {
                return Err(format!("the {what} must be more than 0"));
            }
        }
        if self.header_timeout > Duration::from_secs(10) {
            return Err("the header timeout (--header-timeout) may be at most 10 s".into());
        }
        if self.max_connections == 0 {
            return Err("the connection limit (--max-connections) must be 1 or more".into());
        }
        if self.max_per_address == 0 {
            return Err("the connection limit per address (--max-connections-per-address) must be 1 or more".into());
        }
        let one_update = super::DELIVERY_LIMIT as u64;
        if self.update_bytes_per_channel < one_update {
            return Err(format!(
                "the stored updates per channel (--updates-bytes-per-channel) must be at least {} KiB, the largest update accepted",
                one_update / 1024
            ));
        }
        if self.update_bytes_per_tenant < self.update_bytes_per_channel {
            return Err(
                "the stored updates per tenant (--updates-bytes-per-tenant) must be at least those per channel (--updates-bytes-per-channel)"
                    .into(),
            );
        }
        if self.certificates_per_tenant == 0 {
            return Err("the certificates per tenant (--certificates-per-tenant) must be 1 or more".into());
        }
        if self.exports_kept_per_tenant == 0 {
            return Err("the finished exports kept per tenant (--exports-kept-per-tenant) must be 1 or more".into());
        }
        if self.rate_per_second > 0 && self.rate_burst == 0 {
            return Err("the rate burst (--rate-burst) must be 1 or more while a rate limit is set".into());
        }
        Ok(())
    }
}

/// Marks a request that came on a connection beyond the cap: it is
/// answered 503 and the connection closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverCapacity {
    /// Every connection the server serves is taken.
    Server,
    /// The client's address holds its whole share.
    Address,
}

/// The client address of the connection a request came on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub std::net::SocketAddr);

/// Refused deliveries per client address: an address past
/// [`REFUSALS_PER_SECOND`] (bursts of [`REFUSAL_BURST`]) is answered `429`
/// for a second without any database work, each 429 held back for
/// [`Limits::refused_delivery_delay`], so forged deliveries cost next to
/// nothing. Telegram's own deliveries are never refused, so never slowed.
pub struct RefusalThrottle {
    limiter: governor::DefaultKeyedRateLimiter<std::net::IpAddr>,
    blocked: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, std::time::Instant>>,
}

pub const REFUSALS_PER_SECOND: u32 = 20;
pub const REFUSAL_BURST: u32 = 50;

impl Default for RefusalThrottle {
    fn default() -> Self {
        let quota = governor::Quota::per_second(NonZeroU32::new(REFUSALS_PER_SECOND).expect("positive"))
            .allow_burst(NonZeroU32::new(REFUSAL_BURST).expect("positive"));
        Self { limiter: governor::RateLimiter::keyed(quota), blocked: Default::default() }
    }
}

impl RefusalThrottle {
    /// The address is past its refusals for now.
    pub fn blocked(&self, ip: std::net::IpAddr) -> bool {
        let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        match blocked.get(&ip) {
            Some(until) if *until > std::time::Instant::now() => true,
            Some(_) => {
                blocked.remove(&ip);
                false
            }
            None => false,
        }
    }

    /// A delivery from `ip` was refused.
    pub fn refused(&self, ip: std::net::IpAddr) {
        if self.limiter.check_key(&ip).is_err() {
            let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
            if blocked.len() > 100_000 {
                blocked.clear();
            }
            blocked.insert(ip, std::time::Instant::now() + Duration::from_secs(1));
        }
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
    }
}

/// Connections open per client address.
#[derive(Default)]
struct Addresses {
    open: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, (usize, usize)>>,
}

/// One connection counted for its address (served, or refused): the count
/// goes down when the connection ends.
struct AddressSlot {
    table: Arc<Addresses>,
    ip: std::net::IpAddr,
    refused: bool,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.table.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = open.get_mut(&self.ip) {
            if self.refused {
                entry.1 = entry.1.saturating_sub(1);
            } else {
                entry.0 = entry.0.saturating_sub(1);
            }
            if *entry == (0, 0) {
                open.remove(&self.ip);
            }
        }
    }
}

impl Addresses {
    /// A served slot for `ip` when it has its share left; else a refusal
    /// slot when it has one of those left; else nothing.
    fn take(self: &Arc<Self>, ip: std::net::IpAddr, share: usize) -> Option<AddressSlot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let entry = open.entry(ip).or_default();
        let refused = if entry.0 < share {
            entry.0 += 1;
            false
        } else if entry.1 < REFUSALS_PER_ADDRESS {
            entry.1 += 1;
            true
        } else {
            if *entry == (0, 0) {
                open.remove(&ip);
            }
            return None;
        };
        Some(AddressSlot { table: self.clone(), ip, refused })
    }
}

/// Wraps the router's make-service: every accepted connection takes a
/// permit, in the order the connections are accepted, and holds it until
/// hyper drops the connection's service (when the connection ends).
#[derive(Clone)]
pub struct CapMakeService<M> {
    inner: M,
    served: Arc<Semaphore>,
    refusing: Arc<Semaphore>,
    addresses: Arc<Addresses>,
    per_address: usize,
    connections: Arc<Connections>,
}

impl<M> CapMakeService<M> {
    /// Also the acceptor that tracks the served connections, so the idlest
    /// can be closed when every slot is taken ([`Tracking`]).
    pub fn new(inner: M, max_connections: usize, per_address: usize) -> (Self, Tracking) {
        let connections = Arc::<Connections>::default();
        let make = Self {
            inner,
            served: Arc::new(Semaphore::new(max_connections)),
            refusing: Arc::new(Semaphore::new(REFUSAL_SLOTS)),
            addresses: Arc::default(),
            per_address,
            connections: connections.clone(),
        };
        (make, Tracking { connections })
    }
}

/// How long a connection must have been idle to be closed to make room.
pub const MIN_IDLE: Duration = Duration::from_millis(250);

/// How long a new connection waits for the slot of the idle connection
/// closed to make room for it.
const EVICTION_WAIT: Duration = Duration::from_secs(1);

/// The served connections: when they were last read from and written to,
/// so that the idlest can be closed to make room for a new one.
#[derive(Default)]
pub struct Connections {
    next: std::sync::atomic::AtomicU64,
    open: std::sync::Mutex<std::collections::HashMap<u64, Arc<Activity>>>,
}

/// One served connection's activity, in microseconds since [`epoch`].
#[derive(Default)]
struct Activity {
    opened: std::sync::atomic::AtomicU64,
    read: std::sync::atomic::AtomicU64,
    written: std::sync::atomic::AtomicU64,
    closing: std::sync::atomic::AtomicBool,
    waker: std::sync::Mutex<Option<std::task::Waker>>,
}

fn epoch() -> std::time::Instant {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(std::time::Instant::now)
}

fn now_micros() -> u64 {
    u64::try_from(epoch().elapsed().as_micros()).unwrap_or(u64::MAX).max(1)
}

impl Activity {
    /// Idle for at least [`MIN_IDLE`] at `now`: nothing read since its last
    /// answer (or nothing read at all), so no request is arriving or
    /// waiting for its answer. A connection just opened, or just answered,
    /// has that long to send its next request.
    fn idle_since(&self, now: u64) -> Option<u64> {
        use std::sync::atomic::Ordering::Relaxed;
        let (read, written) = (self.read.load(Relaxed), self.written.load(Relaxed));
        let since = written.max(self.opened.load(Relaxed));
        let min_idle = u64::try_from(MIN_IDLE.as_micros()).unwrap_or(u64::MAX);
        (read <= written && !self.closing.load(Relaxed) && now.saturating_sub(since) >= min_idle).then_some(since)
    }

    fn close(&self) {
        self.closing.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(w) = self.waker.lock().unwrap_or_else(|p| p.into_inner()).take() {
            w.wake();
        }
    }
}

impl Connections {
    fn register(self: &Arc<Self>) -> (u64, Arc<Activity>) {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let activity = Arc::new(Activity::default());
        activity.opened.store(now_micros(), std::sync::atomic::Ordering::Relaxed);
        self.open.lock().unwrap_or_else(|p| p.into_inner()).insert(id, activity.clone());
        (id, activity)
    }

    /// Close the connection idle the longest; `false` when none is idle
    /// (every one has a request arriving or being answered).
    fn close_idlest(&self) -> bool {
        let now = now_micros();
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let idlest = open.values().filter_map(|a| a.idle_since(now).map(|t| (t, a))).min_by_key(|(t, _)| *t);
        match idlest {
            Some((_, a)) => {
                a.close();
                true
            }
            None => false,
        }
    }
}

/// The acceptor that tracks each served connection's reads and writes
/// ([`Tracked`]); one closed to make room ends as if its client had hung
/// up. Runs on the TCP stream, beneath TLS.
#[derive(Clone)]
pub struct Tracking {
    connections: Arc<Connections>,
}

impl<I, S> axum_server::accept::Accept<I, CapService<S>> for Tracking {
    type Stream = Tracked<I>;
    type Service = CapService<S>;
    type Future = std::future::Ready<std::io::Result<(Self::Stream, Self::Service)>>;

    fn accept(&self, stream: I, service: CapService<S>) -> Self::Future {
        // a connection answered 503 is closed after its answer anyway
        let registered = service.over.is_none().then(|| {
            let (id, activity) = self.connections.register();
            Registered { connections: self.connections.clone(), id, activity }
        });
        std::future::ready(Ok((Tracked { inner: stream, registered }, service)))
    }
}

struct Registered {
    connections: Arc<Connections>,
    id: u64,
    activity: Arc<Activity>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.connections.open.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.id);
    }
}

/// A connection's stream, its reads and writes timed; once closed to make
/// room, reads end (hyper then closes the connection).
pub struct Tracked<I> {
    inner: I,
    registered: Option<Registered>,
}

impl<I: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Tracked<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if let Some(r) = &self.registered {
            if r.activity.closing.load(std::sync::atomic::Ordering::Relaxed) {
                return Poll::Ready(Ok(()));
            }
            *r.activity.waker.lock().unwrap_or_else(|p| p.into_inner()) = Some(cx.waker().clone());
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let (Some(r), Poll::Ready(Ok(()))) = (&self.registered, &polled)
            && buf.filled().len() > before
        {
            r.activity.read.store(now_micros(), std::sync::atomic::Ordering::Relaxed);
        }
        polled
    }
}

impl<I: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Tracked<I> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if let (Some(r), Poll::Ready(Ok(n))) = (&self.registered, &polled)
            && *n > 0
        {
            r.activity.written.store(now_micros(), std::sync::atomic::Ordering::Relaxed);
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let (Some(r), Poll::Ready(Ok(n))) = (&self.registered, &polled)
            && *n > 0
        {
            r.activity.written.store(now_micros(), std::sync::atomic::Ordering::Relaxed);
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<M> tower_service::Service<std::net::SocketAddr> for CapMakeService<M>
where
    M: tower_service::Service<std::net::SocketAddr>,
    M::Future: Send + 'static,
    M::Response: Send + 'static,
    M::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = CapService<M::Response>;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, target: std::net::SocketAddr) -> Self::Future {
        let closed = |why: &'static str| -> Self::Future { Box::pin(std::future::ready(Err(why.into()))) };
        // the address's share first: one address cannot take every slot
        let Some(slot) = self.addresses.take(target.ip(), self.per_address) else {
            return closed("this address holds its share of connections and of refusals: closed unanswered");
        };
        let (served, refusing, connections) = (self.served.clone(), self.refusing.clone(), self.connections.clone());
        let fut = self.inner.call(target);
        Box::pin(async move {
            let permit = if slot.refused {
                refusing.try_acquire_owned().map(|p| (p, Some(OverCapacity::Address)))
            } else {
                let mut got = served.clone().try_acquire_owned().ok();
                if got.is_none() && connections.close_idlest() {
                    // the idlest connection was told to close: its slot
                    // comes free as soon as it has
                    got = tokio::time::timeout(EVICTION_WAIT, served.acquire_owned()).await.ok().and_then(Result::ok);
                }
                match got {
                    Some(p) => Ok((p, None)),
                    None => refusing.try_acquire_owned().map(|p| (p, Some(OverCapacity::Server))),
                }
            };
            let Ok((permit, over)) = permit else {
                // axum-server closes the connection unanswered
                return Err("connection limit reached and every refusal slot taken: closed unanswered".into());
            };
            let inner = fut.await.map_err(Into::into)?;
            Ok(CapService { inner, _permit: Arc::new((permit, slot)), over, peer: target })
        })
    }
}

/// The per-connection service: the router, the connection's permit, and
/// whether it is over the cap.
#[derive(Clone)]
pub struct CapService<S> {
    inner: S,
    _permit: Arc<(OwnedSemaphorePermit, AddressSlot)>,
    over: Option<OverCapacity>,
    peer: std::net::SocketAddr,
}

impl<S, B> tower_service::Service<Request<B>> for CapService<S>
where
    S: tower_service::Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        if let Some(over) = self.over {
            req.extensions_mut().insert(over);
        }
        req.extensions_mut().insert(PeerAddr(self.peer));
        self.inner.call(req)
    }
}

type Limiter = governor::DefaultKeyedRateLimiter<i64>;

/// Requests per tenant, over time.
#[derive(Clone)]
pub struct RateLimit {
    limiter: Option<Arc<Limiter>>,
}

impl RateLimit {
    pub fn new(limits: &Limits) -> Self {
        let limiter = match (NonZeroU32::new(limits.rate_per_second), NonZeroU32::new(limits.rate_burst)) {
            (Some(rate), Some(burst)) => {
                Some(Arc::new(governor::RateLimiter::keyed(governor::Quota::per_second(rate).allow_burst(burst))))
            }
            _ => None,
        };
        Self { limiter }
    }

    /// `Err(seconds to wait)` when the tenant is over its rate.
    pub fn check(&self, tenant: i64) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else { return Ok(()) };
        limiter.check_key(&tenant).map_err(|not_until| {
            let wait = not_until.wait_time_from(limiter.clock().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_name_the_setting_they_break() {
        assert_eq!(Limits::default().check(), Ok(()));
        let slow = Limits { header_timeout: Duration::from_secs(11), ..Limits::default() };
        assert!(slow.check().unwrap_err().contains("--header-timeout"));
        let none = Limits { max_connections: 0, ..Limits::default() };
        assert!(none.check().unwrap_err().contains("--max-connections"));
        let zero = Limits { body_timeout: Duration::ZERO, ..Limits::default() };
        assert!(zero.check().unwrap_err().contains("--body-timeout"));
        let tiny = Limits { update_bytes_per_channel: 1024, ..Limits::default() };
        assert!(tiny.check().unwrap_err().contains("--updates-bytes-per-channel"));
        let tenant = Limits { update_bytes_per_tenant: MIB, ..Limits::default() };
        assert!(tenant.check().unwrap_err().contains("--updates-bytes-per-tenant"));
        let certs = Limits { certificates_per_tenant: 0, ..Limits::default() };
        assert!(certs.check().unwrap_err().contains("--certificates-per-tenant"));
    }

    #[test]
    fn a_tenant_over_its_burst_waits_and_others_do_not() {
        let rate = RateLimit::new(&Limits { rate_per_second: 1, rate_burst: 3, ..Limits::default() });
        for _ in 0..3 {
            assert_eq!(rate.check(1), Ok(()));
        }
        let wait = rate.check(1).unwrap_err();
        assert!((1..=2).contains(&wait), "{wait}");
        assert_eq!(rate.check(2), Ok(()));
        let off = RateLimit::new(&Limits { rate_per_second: 0, ..Limits::default() });
        assert!((0..1000).all(|_| off.check(1).is_ok()));
    }
}
