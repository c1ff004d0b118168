//! Cutting and wrapping text by its width on screen (display columns), not
//! by `char`: a CJK character takes two columns, a combining mark none. Every
//! page, popup and row cuts and wraps through here.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns `text` takes on screen.
pub fn width(text: &str) -> usize {
    text.width()
}

/// `text` cut to at most `max` columns, ending in `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` cut to `max` columns and padded with spaces to exactly `max`.
pub fn fit(text: &str, max: usize) -> String {
    let mut s = truncate(text, max);
    let w = s.width();
    s.extend(std::iter::repeat_n(' ', max.saturating_sub(w)));
    s
}

/// Split `text` into lines of at most `max` columns, at spaces when it can
/// (a word longer than a line is cut where it must be).
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(4);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.width() + 1 + word.width() > max {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.width() > max {
            let mut head = String::new();
            let mut used = 0;
            let mut rest = line.chars().peekable();
            while let Some(&c) = rest.peek() {
                let w = c.width().unwrap_or(0);
                if used + w > max {
                    break;
                }
                head.push(c);
                used += w;
                rest.next();
            }
            let tail: String = rest.collect();
            out.push(head);
            line = tail;
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_columns() {
        assert_eq!(truncate("Telegram", 20), "Telegram");
        assert_eq!(truncate("Telegram", 5), "Tele…");
        // each of these takes two columns
        assert_eq!(truncate("客服渠道配置", 7), "客服渠…");
        assert!(width(&truncate("客服渠道配置", 7)) <= 7);
        assert_eq!(fit("客服", 6), "客服  ");
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn wrapping_counts_columns_and_breaks_at_spaces() {
        assert_eq!(wrap("one two three", 8), vec!["one two", "three"]);
        let lines = wrap("非工作时间通知客户", 6);
        assert!(lines.iter().all(|l| width(l) <= 6), "{lines:?}");
        assert_eq!(lines.concat(), "非工作时间通知客户");
        assert_eq!(wrap("", 10), vec![""]);
    }
}
