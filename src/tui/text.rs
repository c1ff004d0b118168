//! Cutting and wrapping text by its width on screen (display columns), not
//! by `char`: a CJK character takes two columns, a combining mark none. Every
//! page, popup and row cuts and wraps through here.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Columns `text` takes on screen, as ratatui lays it out: the sum of its
/// grapheme clusters' widths. (A whole string's width can be less: Arabic
/// lam-alef counts one column as a pair, two as the cells ratatui fills.)
pub fn width(text: &str) -> usize {
    text.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// The leading whole grapheme clusters of `text` that fit in `max` columns,
/// and the rest.
fn split_at_width(text: &str, max: usize) -> (&str, &str) {
    let mut used = 0;
    for (at, g) in text.grapheme_indices(true) {
        let w = g.width();
        if used + w > max {
            return (&text[..at], &text[at..]);
        }
        used += w;
    }
    (text, "")
}

/// `text` cut to at most `max` columns, ending in `…` when cut (never inside
/// a grapheme cluster: a flag or a ZWJ emoji is kept whole or dropped whole).
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let (head, _) = split_at_width(text, max - 1);
    format!("{head}…")
}

/// `text` cut to `max` columns and padded with spaces to exactly `max`.
pub fn fit(text: &str, max: usize) -> String {
    let mut s = truncate(text, max);
    let w = width(&s);
    s.extend(std::iter::repeat_n(' ', max.saturating_sub(w)));
    s
}

/// Split `text` into lines of at most `max` columns, at spaces when it can
/// (a word longer than a line is cut between grapheme clusters).
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(4);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && width(&line) + 1 + width(word) > max {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while width(&line) > max {
            let (head, tail) = split_at_width(&line, max);
            let (head, tail) = (head.to_string(), tail.to_string());
            out.push(head);
            line = tail;
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// What a terminal without UTF-8 is sent for `symbol` (one cell of the
/// screen, `width` columns): each symbol the UI draws has an ASCII
/// stand-in; any other character (a name in Chinese) becomes `?` per
/// column, so the layout stays in place.
pub fn to_ascii(symbol: &str, width: usize) -> String {
    if symbol.is_ascii() {
        return symbol.to_string();
    }
    let mut chars = symbol.chars();
    let c = match (chars.next(), chars.next()) {
        (Some(c), None) => c,
        _ => '?',
    };
    let stand_in = match c {
        '▸' | '▶' | '›' | '→' | '⇒' => '>',
        '←' | '‹' => '<',
        '↑' => '^',
        '↓' => 'v',
        '✗' | '✘' | '×' => 'x',
        '✓' | '✔' => '+',
        '●' | '•' | '⠋' | '⠙' | '⠹' | '⠸' | '⠼' | '⠴' | '⠦' | '⠧' => '*',
        '○' | '◌' => 'o',
        '⚠' => '!',
        '─' | '━' | '—' | '–' | '‐' | '═' => '-',
        '│' | '┃' | '║' | '⏎' => '|',
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╯' | '╰' => '+',
        '…' => '~',
        '·' => '.',
        '█' | '▇' | '▆' | '▅' | '▄' | '▃' | '▂' | '▁' | '■' => '#',
        '░' | '▒' | '▓' => ':',
        '“' | '”' | '„' => '"',
        '‘' | '’' => '\'',
        ' ' => ' ',
        _ => '?',
    };
    let mut out = String::with_capacity(width.max(1));
    out.push(stand_in);
    // a wide character keeps its columns
    for _ in 1..width {
        out.push(if stand_in == '?' { '?' } else { ' ' });
    }
    out
}

/// Whether the locale says the terminal takes UTF-8: the first of
/// `LC_ALL`, `LC_CTYPE`, `LANG` that is set names UTF-8. None set counts
/// as UTF-8 (today's terminals; `--ascii` is there for the rest), a set
/// locale of another charset (`C`, `en_US.ISO-8859-1`) does not.
pub fn locale_is_utf8(var: impl Fn(&str) -> Option<String>) -> bool {
    for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
        if let Some(v) = var(name).filter(|v| !v.is_empty()) {
            let v = v.to_ascii_lowercase();
            return v.contains("utf-8") || v.contains("utf8");
        }
    }
    true
}

/// [`wrap`] to at most `rows` lines, the last one ending in `…` when text
/// was left over.
pub fn wrap_rows(text: &str, max: usize, rows: usize) -> Vec<String> {
    let mut lines = wrap(text, max);
    if lines.len() > rows.max(1) {
        let rest = lines.split_off(rows.max(1) - 1);
        lines.push(truncate(&rest.join(" "), max));
    }
    lines
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

    #[test]
    fn every_symbol_has_an_ascii_stand_in_that_keeps_its_columns() {
        for s in ["▸", "✗", "✓", "⚠", "●", "○", "↓", "↑", "─", "│", "┌", "…", "·", "⏎", "–", "⠋", "█"]
        {
            let a = to_ascii(s, width(s));
            assert!(a.is_ascii() && a != "?" && width(&a) == width(s), "{s} → {a}");
        }
        assert_eq!(to_ascii("客", 2), "??");
        assert_eq!(to_ascii("a", 1), "a");
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert!(locale_is_utf8(env(&[("LANG", "en_US.UTF-8")])));
        assert!(locale_is_utf8(env(&[("LANG", "C.utf8")])));
        assert!(locale_is_utf8(env(&[])));
        assert!(!locale_is_utf8(env(&[("LANG", "en_US.ISO-8859-1")])));
        assert!(!locale_is_utf8(env(&[("LC_ALL", "C"), ("LANG", "en_US.UTF-8")])), "LC_ALL wins");
        assert!(locale_is_utf8(env(&[("LC_ALL", ""), ("LC_CTYPE", "zh_CN.UTF-8"), ("LANG", "C")])));
    }

    #[test]
    fn cuts_fall_between_grapheme_clusters() {
        // a flag is two code points, a family one ZWJ sequence of five
        assert_eq!(truncate("ab🇨🇳🇨🇳", 5), "ab🇨🇳…");
        assert_eq!(truncate("ab🇨🇳🇨🇳", 4), "ab…");
        let family = "👨\u{200D}👩\u{200D}👧";
        let cut = truncate(&format!("{family}{family}{family}"), 5);
        assert_eq!(cut, format!("{family}{family}…"));
        let lines = wrap("🇨🇳🇨🇳🇨🇳🇨🇳🇨🇳", 5);
        assert_eq!(lines, vec!["🇨🇳🇨🇳", "🇨🇳🇨🇳", "🇨🇳"]);
        assert_eq!(wrap_rows("one two three four five", 9, 2), vec!["one two", "three fo…"]);
        assert_eq!(wrap_rows("one two", 9, 2), vec!["one two"]);
        // lam-alef: one column as a string, two cells as ratatui draws it
        assert_eq!(width("لا"), 2);
    }
}
