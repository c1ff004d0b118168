//! The bot token from @BotFather and the webhook secret: secrets that must
//! never reach a log, an error or a printed URL. Both print masked through
//! `Debug` and `Display`; [`BotToken::redact`] scrubs a token out of any
//! text (an error message from a lower layer, for instance).

use std::fmt;

pub use crate::sanitize::REDACTED;

/// A bot token, trimmed of surrounding whitespace. Its format is only
/// warned about ([`BotToken::format_warning`]): Telegram's `getMe` is the
/// proof that a token works.
#[derive(Clone, PartialEq, Eq)]
pub struct BotToken(String);

/// Why a text cannot be used as a bot token at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("bot token: it is empty: paste the token @BotFather gave you (it looks like 123456789:AA...)")]
    Empty,
    #[error(
        "bot token: it contains spaces or invisible characters: copy it again from @BotFather, without anything around it"
    )]
    Whitespace,
    #[error(
        "bot token: it contains '{0}', which no token has (a token is digits, ':' and letters, digits, '_' or '-'): copy it again from @BotFather"
    )]
    Forbidden(char),
}

impl BotToken {
    /// The token in `raw`, trimmed. Refuses only what cannot be a token and
    /// would change the request URL (empty, inner whitespace or control
    /// characters, `/ ? # %`); any other oddity is a warning.
    pub fn parse(raw: &str) -> Result<Self, TokenError> {
        let token = raw.trim();
        if token.is_empty() {
            return Err(TokenError::Empty);
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(TokenError::Whitespace);
        }
        if let Some(c) = token.chars().find(|c| matches!(c, '/' | '?' | '#' | '%' | '\\')) {
            return Err(TokenError::Forbidden(c));
        }
        Ok(BotToken(token.to_owned()))
    }

    /// The token itself, for the request URL and for storing it in the
    /// backend. Never print or log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The bot's user id (the part before `:`), when it is a number.
    pub fn bot_id(&self) -> Option<u64> {
        self.0.split_once(':').and_then(|(id, _)| id.parse().ok())
    }

    /// A sentence warning that the token does not look like the tokens
    /// @BotFather gives out (`<digits>:<35 characters of A-Za-z0-9_->`), or
    /// `None` when it does. Only a warning: `getMe` decides.
    pub fn format_warning(&self) -> Option<String> {
        format_warning(&self.0)
    }

    /// The masked form shown instead of the token: the bot id (public: it
    /// is the bot's user id) and stars.
    pub fn masked(&self) -> String {
        match self.0.split_once(':') {
            Some((id, _)) if !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{id}:***")
            }
            _ => "***".to_owned(),
        }
    }

    /// `text` with every occurrence of this token (also percent-encoded, and
    /// its secret part alone) replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.replace(&self.0, REDACTED);
        let encoded = self.0.replace(':', "%3A");
        if encoded != self.0 {
            out = out.replace(&encoded, REDACTED);
            out = out.replace(&self.0.replace(':', "%3a"), REDACTED);
        }
        if let Some((_, secret)) = self.0.split_once(':')
            && secret.len() >= 4
        {
            out = out.replace(secret, REDACTED);
        }
        out
    }
}

impl fmt::Debug for BotToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BotToken({})", self.masked())
    }
}

impl fmt::Display for BotToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// See [`BotToken::format_warning`]; works on raw (untrimmed) text too.
pub fn format_warning(raw: &str) -> Option<String> {
    let token = raw.trim();
    let Some((id, secret)) = token.split_once(':') else {
        return Some(
            "The bot token has no ':': tokens from @BotFather look like 123456789:AA... (digits, ':' and 35 characters); check that you copied all of it."
                .to_owned(),
        );
    };
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            "The part of the bot token before ':' should be the bot's number (digits only): check that you copied the whole token from @BotFather."
                .to_owned(),
        );
    }
    if secret.len() != 35 || !secret.bytes().all(is_secret_byte) {
        return Some(format!(
            "The part of the bot token after ':' should be 35 characters of letters, digits, '_' or '-' (this one has {} characters{}): check that you copied the whole token from @BotFather.",
            secret.chars().count(),
            if secret.bytes().all(is_secret_byte) { "" } else { ", some of them not allowed" }
        ));
    }
    None
}

/// `A-Z a-z 0-9 _ -`: the characters of a token's secret part and of a
/// webhook secret.
pub(crate) fn is_secret_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The webhook secret given to Telegram as `secret_token` (sent back on
/// every delivery in `X-Telegram-Bot-Api-Secret-Token`). Prints masked.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// Wraps the secret as given (the backend generates it; checks live in
    /// [`crate::telegram::checks::check_secret`]).
    pub fn new(secret: impl Into<String>) -> Self {
        WebhookSecret(secret.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with the secret replaced by [`REDACTED`] (only secrets of 4
    /// characters or more, to keep short words of a message readable).
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() >= 4 { text.replace(&self.0, REDACTED) } else { text.to_owned() }
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookSecret(*** {} characters)", self.0.chars().count())
    }
}

impl fmt::Display for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        let t = BotToken::parse(&format!("  \t{GOOD}\r\n")).unwrap();
        assert_eq!(t.expose(), GOOD);
        assert_eq!(t.bot_id(), Some(123456789));
    }

    #[test]
    fn unusable_text_is_refused() {
        assert_eq!(BotToken::parse("   "), Err(TokenError::Empty));
        assert_eq!(BotToken::parse("123 456:abc"), Err(TokenError::Whitespace));
        assert_eq!(BotToken::parse("123:ab/../c"), Err(TokenError::Forbidden('/')));
        assert_eq!(BotToken::parse("123:ab?x=1"), Err(TokenError::Forbidden('?')));
    }

    #[test]
    fn format_is_only_warned_about() {
        assert_eq!(format_warning(GOOD), None);
        assert_eq!(format_warning(&format!(" {GOOD} ")), None);
        let short = BotToken::parse("123456789:AAshort").unwrap();
        let w = short.format_warning().unwrap();
        assert!(w.contains("35 characters") && w.contains("7 characters"), "{w}");
        assert!(format_warning("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0").unwrap().contains("no ':'"));
        assert!(format_warning("bot123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0").unwrap().contains("digits only"));
        assert!(format_warning("123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsa.0").unwrap().contains("not allowed"));
    }

    #[test]
    fn debug_and_display_are_masked() {
        let t = BotToken::parse(GOOD).unwrap();
        let shown = format!("{t:?} {t} {:?}", Some(&t));
        assert!(!shown.contains("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"), "{shown}");
        assert!(shown.contains("123456789:***"), "{shown}");
        let odd = BotToken::parse("notatoken").unwrap();
        assert_eq!(odd.to_string(), "***");
        let s = WebhookSecret::new("s3cr3t_value-123");
        assert!(!format!("{s:?} {s}").contains("s3cr3t"));
    }

    #[test]
    fn redact_removes_plain_encoded_and_secret_part() {
        let t = BotToken::parse(GOOD).unwrap();
        let text = format!(
            "GET /bot{GOOD}/getMe and /bot123456789%3AAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0/x and AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
        );
        let r = t.redact(&text);
        assert!(!r.contains("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"), "{r}");
        assert_eq!(r.matches(REDACTED).count(), 3);
    }
}
