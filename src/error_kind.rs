//! What kind of failure a library error is, for callers that must sort
//! errors without knowing every variant. The CLI maps kinds to its exit
//! codes (`exit::of` in the `cli` module); nothing below it knows them.

/// The kind of a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input was refused: invalid, not found, or the other side said no.
    Refused,
    /// Local input could not be read or parsed, or the settings are unusable.
    Unreadable,
    /// The other side (the backend, Telegram) could not be reached.
    Unreachable,
}
