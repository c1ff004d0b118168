//! Error answers and the extractors that turn bad input into them. Every
//! refusal is a 4xx with an [`ApiError`] JSON body: axum's own rejections
//! (plain text) never reach a client.

use axum::Json;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::api::{ApiError, Channel};
use crate::model::FieldError;

/// An error answer: a status and its [`ApiError`] body.
#[derive(Debug)]
pub struct ApiErr {
    pub status: StatusCode,
    pub body: ApiError,
    /// Seconds for a `Retry-After` header (429, 503).
    pub retry_after: Option<u64>,
}

/// Largest error answer, in bytes of JSON.
pub const ERROR_BODY_MAX: usize = 64 * 1024;
/// Broken rules listed in a 422; the rest are counted in `more`.
pub const ERRORS_LISTED: usize = 100;
/// Longest excerpt of client input in a message, in bytes.
const EXCERPT_MAX: usize = 80;
/// Longest field path and rule message in a 422, in bytes.
const PATH_MAX: usize = 200;
const MESSAGE_MAX: usize = 400;

pub type ApiResult<T> = Result<T, ApiErr>;

impl ApiErr {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiError {
                error: bounded(&message.into(), MESSAGE_MAX * 2),
                errors: Vec::new(),
                more: None,
                current: None,
                bot_channel: None,
            },
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn channel_not_found(id: &str) -> Self {
        Self::not_found(format!("There is no channel '{}' in this tenant.", shorten(id)))
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    /// 422 with the broken rules: the first [`ERRORS_LISTED`], the rest
    /// counted in `more`.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        Self::invalid_found(crate::model::Findings { errors, ..Default::default() })
    }

    /// 422 with what a bounded validation found: its errors (the first
    /// [`ERRORS_LISTED`] of them) and its count of the rest.
    pub fn invalid_found(found: crate::model::Findings) -> Self {
        let n = found.errors.len() + found.more;
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            match n {
                1 => "The request breaks 1 rule.".to_string(),
                n if n > ERRORS_LISTED => {
                    format!("The request breaks {n} rules; the first {ERRORS_LISTED} are listed.")
                }
                n => format!("The request breaks {n} rules."),
            },
        );
        e.body.errors = found.errors.into_iter().take(ERRORS_LISTED).map(bounded_field).collect();
        e.body.more = (n > ERRORS_LISTED).then(|| (n - ERRORS_LISTED) as u64);
        e
    }

    /// 422 for one field.
    pub fn invalid_field(path: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, message.clone());
        e.body.errors = vec![bounded_field(FieldError::new(path, message))];
        e
    }

    /// 422 for JSON of the wrong shape at `path` (unknown field, wrong type).
    /// The path and message may hold client input (an unknown key): both are
    /// cut to a short, cleaned excerpt.
    pub fn shape(path: &str, message: String) -> Self {
        let (path, message) = (bounded(path, PATH_MAX), bounded(&message, MESSAGE_MAX));
        let mut e = Self::invalid_field(&path, message);
        e.body.error = format!("{path}: {}", e.body.error);
        e
    }

    /// 429: the tenant is over its request rate.
    pub fn too_many_requests(wait_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many requests for this tenant: wait {wait_secs} s (Retry-After) and try again."),
        );
        e.retry_after = Some(wait_secs.max(1));
        e
    }

    /// 412 carrying the channel as it now is.
    pub fn stale(current: Channel) -> Self {
        let mut e = Self::new(
            StatusCode::PRECONDITION_FAILED,
            format!(
                "The channel was changed by someone else (it is now at version {}): review the current version and apply your change to it.",
                current.version
            ),
        );
        e.body.current = Some(Box::new(current));
        e
    }

    /// 507: the backend's disk is full; nothing of the request was stored.
    pub fn disk_full() -> Self {
        Self::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "The backend's disk is full: nothing was stored. Free space on the backend's disk, then send the \
             request again (a create with the same Idempotency-Key).",
        )
    }

    /// 507: the backend serves read-only (`why`: its disk was full, or its
    /// filesystem read-only, when it started); nothing was stored.
    pub fn read_only(why: &str) -> Self {
        Self::new(
            StatusCode::INSUFFICIENT_STORAGE,
            format!(
                "The backend is read-only: {why}. Nothing was stored: send the request again once it writes (a create \
                 with the same Idempotency-Key)."
            ),
        )
    }

    /// 500: the detail goes to the log, the client gets one plain sentence.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {detail}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server failed to complete the request; the details are in its log.",
        )
    }
}

impl From<rusqlite::Error> for ApiErr {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        {
            tracing::warn!("database busy: {e}");
            return Self::new(StatusCode::SERVICE_UNAVAILABLE, "The server's database is busy: try again in a moment.");
        }
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && f.code == rusqlite::ErrorCode::ConstraintViolation
        {
            tracing::warn!("constraint: {e}");
            return Self::conflict(
                "The request conflicts with a record stored at the same moment: read it again and retry.",
            );
        }
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && f.code == rusqlite::ErrorCode::DiskFull
        {
            tracing::error!("database: the disk is full: {e}");
            return Self::disk_full();
        }
        Self::internal(format!("database: {e}"))
    }
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut response = (status, Json(fit(self.body))).into_response();
        let headers = response.headers_mut();
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        // the rest of the request may still be on its way: do not read it
        if matches!(status, StatusCode::REQUEST_TIMEOUT | StatusCode::PAYLOAD_TOO_LARGE) {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// The body made to fit [`ERROR_BODY_MAX`]: listed errors dropped from the
/// end (and counted in `more`), then the 412's `current`.
fn fit(mut body: ApiError) -> ApiError {
    let size = |b: &ApiError| serde_json::to_vec(b).map(|v| v.len()).unwrap_or(usize::MAX);
    while size(&body) > ERROR_BODY_MAX && !body.errors.is_empty() {
        let drop = body.errors.len().div_ceil(4);
        body.errors.truncate(body.errors.len() - drop);
        body.more = Some(body.more.unwrap_or(0) + drop as u64);
    }
    if size(&body) > ERROR_BODY_MAX {
        body.current = None;
    }
    body
}

fn bounded_field(e: FieldError) -> FieldError {
    FieldError { path: bounded(&e.path, PATH_MAX), message: bounded(&e.message, MESSAGE_MAX) }
}

/// `text` cleaned of control characters and terminal sequences, cut to at
/// most `max` bytes (at a character boundary) with `…` when cut.
pub fn bounded(text: &str, max: usize) -> String {
    let clean = crate::sanitize::clean(text);
    if clean.len() <= max {
        return clean.into_owned();
    }
    let mut end = max;
    while !clean.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &clean[..end])
}

/// A short excerpt of a client-given text, for messages.
pub fn shorten(text: &str) -> String {
    bounded(text, EXCERPT_MAX)
}

fn body_rejection(r: BytesRejection) -> ApiErr {
    let status = r.status();
    if is_timeout(&r) {
        ApiErr::new(StatusCode::REQUEST_TIMEOUT, "The request body did not arrive in time.")
    } else if status == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(super::BODY_LIMIT)
    } else {
        ApiErr::new(
            if status.is_client_error() { status } else { StatusCode::BAD_REQUEST },
            "The request body could not be read.",
        )
    }
}

/// 413 for a body over `limit` bytes.
pub fn too_large(limit: usize) -> ApiErr {
    ApiErr::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "The request body is too large (this address takes at most {limit} bytes): the API takes at most {} bytes, Telegram deliveries at most {}.",
            super::BODY_LIMIT,
            super::DELIVERY_LIMIT
        ),
    )
}

/// Whether reading the body stopped at the body deadline.
fn is_timeout(r: &BytesRejection) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(r);
    while let Some(e) = source {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// The request body as bytes, with size and read errors as [`ApiErr`].
pub async fn body_bytes(req: Request) -> ApiResult<axum::body::Bytes> {
    json_content_type(req.headers())?;
    axum::body::Bytes::from_request(req, &()).await.map_err(body_rejection)
}

/// A body must be declared `application/json` (415 otherwise). A request
/// without a body may leave Content-Type out: it gets the empty-body 400.
fn json_content_type(headers: &axum::http::HeaderMap) -> ApiResult<()> {
    let unsupported = || {
        ApiErr::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The request body must be JSON sent with 'Content-Type: application/json'.",
        )
    };
    match headers.get(header::CONTENT_TYPE) {
        Some(v) => {
            let media = v.to_str().map_err(|_| unsupported())?.split(';').next().unwrap_or_default().trim();
            if media.eq_ignore_ascii_case("application/json") { Ok(()) } else { Err(unsupported()) }
        }
        None => {
            let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).map(str::trim);
            let empty = matches!(length, None | Some("0")) && !headers.contains_key(header::TRANSFER_ENCODING);
            if empty { Ok(()) } else { Err(unsupported()) }
        }
    }
}

/// Parse JSON text into `T`: broken JSON is 400, JSON of the wrong shape
/// (unknown field, wrong type, missing field) 422 naming the path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let text = std::str::from_utf8(bytes).map_err(|_| ApiErr::bad_request("The request body is not UTF-8 text."))?;
    if text.trim().is_empty() {
        return Err(ApiErr::bad_request("The request body is empty: send a JSON document."));
    }
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(ApiErr::bad_request(format!(
            "The request body is not valid JSON: {}",
            crate::model::parse::bare_message(&e)
        )));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        if e.inner().to_string().starts_with("recursion limit exceeded") {
            // JSON, but deeper than it is read (serde_json's 128 levels)
            return ApiErr::bad_request(
                "The request body is nested deeper than 128 levels of arrays and objects: it is not read.",
            );
        }
        let path = e.path().to_string();
        let message = crate::model::parse::shape_message(&path, e.inner());
        let path = if path == "." { "(body)".to_string() } else { path };
        ApiErr::shape(&path, message)
    })
}

/// serde_json's message without its trailing " at line L column C".
/// A JSON body; every rejection is an [`ApiErr`].
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiErr;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req).await?;
        // every body of this API is an object; serde would take an array
        // as the fields in order (`[null, null]` as two absent fields)
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|&b| b != b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() {
            return Err(ApiErr::shape("(body)", "the request body must be a JSON object ({ ... })".into()));
        }
        parse_json(&bytes).map(ApiJson)
    }
}

/// A path parameter; a rejection is a 400 [`ApiErr`].
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e: PathRejection| ApiErr::bad_request(format!("The address is not valid: {}", e.body_text())))
    }
}

/// A query string; a rejection is a 400 [`ApiErr`].
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state).await.map(|q| ApiQuery(q.0)).map_err(
            |e: QueryRejection| ApiErr::bad_request(format!("The query string is not valid: {}", e.body_text())),
        )
    }
}

/// What an id path parameter names, for its 404 message.
pub trait IdKind {
    fn not_found(id: &str) -> ApiErr;
}

/// An id from the path. Ids are made by the server (hex digits); anything
/// else cannot name a record, so it answers the same 404 as an unknown id.
pub struct Id<K>(pub String, std::marker::PhantomData<K>);

impl<K> Id<K> {
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<S: Send + Sync, K: IdKind> FromRequestParts<S> for Id<K> {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiPath(id) = ApiPath::<String>::from_request_parts(parts, state).await?;
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(K::not_found(&id));
        }
        Ok(Id(id, std::marker::PhantomData))
    }
}
