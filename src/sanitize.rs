//! Text from a server or a file is untrusted when drawn: escape sequences
//! could move the cursor, retitle the window or rewrite the clipboard, and
//! bidirectional overrides can make text read differently than it is.

use std::borrow::Cow;

/// The one marker put in place of a secret (admin token, bot token, webhook
/// secret, APP Secret) found in a message or shown by `Debug`.
pub const REDACTED: &str = "<redacted>";

/// `text` with every occurrence of `secret` replaced by [`REDACTED`] (an
/// empty secret changes nothing).
pub fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() { text.to_owned() } else { text.replace(secret, REDACTED) }
}

/// `text` with every control character, escape sequence and bidirectional
/// override removed. Line breaks become spaces.
pub fn clean(text: &str) -> Cow<'_, str> {
    clean_with(text, false)
}

/// A value on one line (a diff, a merge, a review): line breaks shown as
/// ⏎, control characters dropped.
pub fn one_line(text: &str) -> String {
    clean(&text.replace('\n', " ⏎ ")).into_owned()
}

/// Like [`clean`], but keeps `\n` (for multi-line messages).
pub fn clean_multiline(text: &str) -> Cow<'_, str> {
    clean_with(text, true)
}

/// `value` with every string in it (keys too) cleaned as by
/// [`clean_multiline`]: JSON for a terminal that stays JSON (cleaning the
/// printed text instead could swallow a quote after a CSI introducer).
pub fn clean_json(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(clean_multiline(&s).into_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(clean_json).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (clean_multiline(&k).into_owned(), clean_json(v))).collect())
        }
        other => other,
    }
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn clean_with(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\t' => out.push(' '),
            // ESC: drop the whole sequence it starts
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                Some(_) | None => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Parameters and intermediates, then one final byte (0x40–0x7E).
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) || !(('\u{20}'..='\u{3f}').contains(&c)) {
            break;
        }
    }
}

/// An OSC/DCS/... string, up to BEL or ST (ESC \ or U+009C).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_untouched() {
        assert!(matches!(clean("sales_tg — Ünïcode ok"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_vanish_whole() {
        assert_eq!(clean("a\u{1b}[31mred\u{1b}[0m b"), "ared b");
        assert_eq!(clean("x\u{1b}]0;pwned title\u{7}y"), "xy");
        assert_eq!(clean("x\u{1b}]52;c;ZXZpbA==\u{1b}\\y"), "xy");
        assert_eq!(clean("x\u{9b}2Jy"), "xy");
        assert_eq!(clean("a\u{1b}cb"), "ab");
        assert_eq!(clean("bell\u{7}\u{8}\u{0}"), "bell");
        assert_eq!(clean("evil\u{202E}txt.exe"), "eviltxt.exe");
    }

    #[test]
    fn newlines_are_kept_only_where_asked() {
        assert_eq!(clean("one\ntwo\tthree"), "one two three");
        assert_eq!(clean_multiline("one\ntwo\r\n"), "one\ntwo\n");
    }
}
