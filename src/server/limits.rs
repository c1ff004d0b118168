//! What one client may hold of the server: how long it may take to send a
//! request, how many connections may be open at once, how many requests a
//! tenant may make a second. The timers are hyper's, axum-server's and
//! tower-http's own; this module only sets them and adds the two pieces they
//! lack, a connection cap ([`CapMakeService`]) and a per-tenant rate limit
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
//! - **Connections**: at most [`Limits::max_connections`] are served. Up to
//!   [`REFUSAL_SLOTS`] more are answered `503` with `Retry-After` and closed
//!   (the client learns why); beyond those, new connections are closed at
//!   once without an answer, so file descriptors stay bounded.
//! - **Rate**: each tenant may make [`Limits::rate_per_second`] requests a
//!   second, in bursts of up to [`Limits::rate_burst`]; beyond that `429` with
//!   `Retry-After` (whole seconds).
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

/// Connections beyond [`Limits::max_connections`] that are still answered
/// (`503`) rather than closed unanswered.
pub const REFUSAL_SLOTS: usize = 64;

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
    /// Connections served at once.
    pub max_connections: usize,
    /// Requests a second per tenant; 0: no rate limit.
    pub rate_per_second: u32,
    /// Requests a tenant may make at once before the rate applies.
    pub rate_burst: u32,
    /// How long a finished export's file is kept (then the task is marked
    /// expired).
    pub export_retention: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            tls_handshake_timeout: Duration::from_secs(10),
            max_connections: 512,
            rate_per_second: 100,
            rate_burst: 200,
            export_retention: super::exports::EXPORT_KEEP,
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
        if self.rate_per_second > 0 && self.rate_burst == 0 {
            return Err("the rate burst (--rate-burst) must be 1 or more while a rate limit is set".into());
        }
        Ok(())
    }
}

/// Marks a request that came on a connection beyond the cap: it is
/// answered 503 and the connection closed.
#[derive(Debug, Clone, Copy)]
pub struct OverCapacity;

/// Wraps the router's make-service: every accepted connection takes a
/// permit, in the order the connections are accepted, and holds it until
/// hyper drops the connection's service (when the connection ends).
#[derive(Clone)]
pub struct CapMakeService<M> {
    inner: M,
    served: Arc<Semaphore>,
    refusing: Arc<Semaphore>,
}

impl<M> CapMakeService<M> {
    pub fn new(inner: M, max_connections: usize) -> Self {
        Self {
            inner,
            served: Arc::new(Semaphore::new(max_connections)),
            refusing: Arc::new(Semaphore::new(REFUSAL_SLOTS)),
        }
    }
}

impl<M, T> tower_service::Service<T> for CapMakeService<M>
where
    M: tower_service::Service<T>,
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

    fn call(&mut self, target: T) -> Self::Future {
        let (permit, over) = match self.served.clone().try_acquire_owned() {
            Ok(p) => (p, false),
            Err(_) => match self.refusing.clone().try_acquire_owned() {
                Ok(p) => (p, true),
                // axum-server closes the connection unanswered
                Err(_) => {
                    return Box::pin(std::future::ready(Err(
                        "connection limit reached and every refusal slot taken: closed unanswered".into(),
                    )));
                }
            },
        };
        let fut = self.inner.call(target);
        Box::pin(async move {
            let inner = fut.await.map_err(Into::into)?;
            Ok(CapService { inner, _permit: Arc::new(permit), over })
        })
    }
}

/// The per-connection service: the router, the connection's permit, and
/// whether it is over the cap.
#[derive(Clone)]
pub struct CapService<S> {
    inner: S,
    _permit: Arc<OwnedSemaphorePermit>,
    over: bool,
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
        if self.over {
            req.extensions_mut().insert(OverCapacity);
        }
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
