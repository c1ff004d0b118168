//! A single-line text input: the text, a cursor, and the editing keys. The
//! cursor moves, and Backspace and Delete remove, one extended grapheme
//! cluster at a time (what a reader sees as one character: 🇨🇳, 👩‍💻, é
//! written as e + ◌́), so no key ever leaves half a character behind; widths
//! are those of whole clusters. The view scrolls by half widths so that
//! typing does not redraw the line.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Why a paste was refused (nothing of it went in).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pasted {
    /// Characters the field does not take, in order.
    pub dropped: Vec<char>,
    /// Characters beyond the field's length limit.
    pub cut: usize,
}

impl Pasted {
    /// One sentence for the user naming `label`, or `None` when the paste
    /// went in whole: "paste not taken, APP Key is unchanged: APP Key does
    /// not take space, tab".
    pub fn message(&self, label: &str, max: usize) -> Option<String> {
        let mut parts = Vec::new();
        if !self.dropped.is_empty() {
            let mut names: Vec<String> = Vec::new();
            for c in &self.dropped {
                let name = char_name(*c);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            parts.push(format!("{label} does not take {}", names.join(", ")));
        }
        if self.cut > 0 {
            parts.push(format!("{label} is at most {max} characters ({} too many)", self.cut));
        }
        (!parts.is_empty()).then(|| format!("paste not taken, {label} is unchanged: {}", parts.join("; ")))
    }
}

/// How a refused character is named in a message.
fn char_name(c: char) -> String {
    match c {
        ' ' => "space".into(),
        '\t' => "tab".into(),
        c if c.is_control() => format!("control character U+{:04X}", u32::from(c)),
        c if c.is_whitespace() => format!("a space (U+{:04X})", u32::from(c)),
        c => format!("'{c}'"),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// Cursor position: a byte offset, always on a cluster boundary.
    cursor: usize,
}

/// The columns a cluster takes (a cluster that draws nothing still takes
/// one, so the cursor can stand on it).
fn cluster_width(g: &str) -> usize {
    g.width().max(1)
}

impl LineInput {
    /// An input holding `text`, the cursor at its end.
    pub fn new(text: &str) -> Self {
        Self { cursor: text.len(), text: text.to_string() }
    }

    /// An input holding `text`, the cursor after `chars` characters (at the
    /// end of the cluster it falls in; at the end when past it).
    pub fn with_caret(text: &str, chars: usize) -> Self {
        let byte = text.char_indices().nth(chars).map_or(text.len(), |(i, _)| i);
        // the first cluster end at or past it (ends come in order)
        let cursor = if byte == 0 {
            0
        } else {
            text.grapheme_indices(true).map(|(i, g)| i + g.len()).find(|&end| end >= byte).unwrap_or(text.len())
        };
        Self { cursor, text: text.to_string() }
    }

    pub fn text(&self) -> String {
        self.text.clone()
    }

    /// Length in characters (code points), as the rules count lengths.
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Characters before the cursor.
    pub fn cursor(&self) -> usize {
        self.text[..self.cursor].chars().count()
    }

    /// The cluster boundary before the cursor (the cursor when at the start).
    fn prev_boundary(&self) -> usize {
        self.text[..self.cursor].grapheme_indices(true).next_back().map_or(0, |(i, _)| i)
    }

    /// The cluster boundary after the cursor.
    fn next_boundary(&self) -> usize {
        self.text[self.cursor..].graphemes(true).next().map_or(self.cursor, |g| self.cursor + g.len())
    }

    /// Put the cursor on the nearest cluster boundary at or after it (a
    /// combining mark typed after a letter joins it).
    fn settle(&mut self) {
        if self.cursor == 0 {
            return;
        }
        let end = self.text.grapheme_indices(true).map(|(i, g)| i + g.len()).find(|&end| end >= self.cursor);
        self.cursor = end.unwrap_or(self.text.len());
    }

    pub fn insert(&mut self, c: char) {
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        self.settle();
    }

    /// Insert pasted text whole, or nothing of it: a value that cannot be
    /// taken whole (a character the field refuses, more than `max`) is
    /// refused with the reason, so a paste never saves a changed value.
    /// Surrounding whitespace is no part of a value; inner line breaks
    /// become spaces (a single-line field).
    pub fn paste(&mut self, text: &str, allow: impl Fn(char) -> bool, max: usize) -> Pasted {
        let text = text.trim();
        let mut report = Pasted::default();
        let chars: Vec<char> = text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
        for &c in &chars {
            if !allow(c) || c.is_control() {
                report.dropped.push(c);
            }
        }
        let room = max.saturating_sub(self.len());
        report.cut = chars.len().saturating_sub(room);
        if report.dropped.is_empty() && report.cut == 0 {
            for c in chars {
                self.insert(c);
            }
        }
        report
    }

    pub fn backspace(&mut self) -> bool {
        if self.cursor == 0 {
            return false;
        }
        let from = self.prev_boundary();
        self.text.replace_range(from..self.cursor, "");
        self.cursor = from;
        true
    }

    pub fn delete(&mut self) -> bool {
        if self.cursor >= self.text.len() {
            return false;
        }
        let to = self.next_boundary();
        self.text.replace_range(self.cursor..to, "");
        true
    }

    pub fn left(&mut self) {
        self.cursor = self.prev_boundary();
    }

    pub fn right(&mut self) {
        self.cursor = self.next_boundary();
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    /// Ctrl-U: delete from the start of the line to the cursor.
    pub fn kill_to_start(&mut self) -> bool {
        let n = self.cursor;
        self.text.replace_range(..n, "");
        self.cursor = 0;
        n > 0
    }

    /// Ctrl-K: delete from the cursor to the end.
    pub fn kill_to_end(&mut self) -> bool {
        let n = self.text.len() - self.cursor;
        self.text.truncate(self.cursor);
        n > 0
    }

    /// Ctrl-W: delete the word before the cursor (and the spaces after it).
    pub fn delete_word(&mut self) -> bool {
        let start = self.cursor;
        let before: Vec<(usize, &str)> = self.text[..start].grapheme_indices(true).collect();
        let mut k = before.len();
        let blank = |g: &str| g.chars().all(char::is_whitespace);
        while k > 0 && blank(before[k - 1].1) {
            k -= 1;
        }
        while k > 0 && !blank(before[k - 1].1) {
            k -= 1;
        }
        let i = before.get(k).map_or(start, |(i, _)| *i);
        self.text.replace_range(i..start, "");
        self.cursor = i;
        i < start
    }

    /// What to draw in `width` columns and the cursor's column in it. With
    /// `mask`, every character shows as that one.
    pub fn view(&self, width: usize, mask: Option<char>) -> (String, usize) {
        let w =
            |g: &str| mask.map_or_else(|| cluster_width(g), |m| unicode_width::UnicodeWidthChar::width(m).unwrap_or(1));
        let width = width.max(2);
        let cursor_col: usize = self.text[..self.cursor].graphemes(true).map(w).sum();
        // scroll in steps of half the width, so that most keys redraw nothing
        let half = (width / 2).max(1);
        let offset_col = if cursor_col < width { 0 } else { ((cursor_col - width) / half + 1) * half };
        let mut out = String::new();
        // scrolled sideways: `…` in the first column says there is more
        // to the left (the cursor never stands there: it is half a width in)
        let first = if offset_col > 0 {
            out.push('…');
            offset_col + 1
        } else {
            0
        };
        let mut drawn = first;
        let mut col = 0;
        for g in self.text.graphemes(true) {
            let cw = w(g);
            if col >= first && col + cw <= offset_col + width {
                // a wide character cut by the `…` leaves its other half blank
                out.extend(std::iter::repeat_n(' ', col - drawn));
                match mask {
                    Some(m) => out.push(m),
                    None => out.push_str(g),
                }
                drawn = col + cw;
            }
            col += cw;
            if col > offset_col + width {
                break;
            }
        }
        (out, cursor_col - offset_col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_scrolled_sideways_shows_an_ellipsis_at_the_left() {
        let mut l = LineInput::new("");
        for c in "abcdefghijklmnopqrstuvwxyz".chars() {
            l.insert(c);
        }
        let (shown, col) = l.view(10, None);
        assert!(shown.starts_with('…') && shown.ends_with('z'), "{shown}");
        assert_eq!(crate::tui::text::width(&shown), col, "the cursor stands after the z");
        l.home();
        let (shown, col) = l.view(10, None);
        assert_eq!((shown.as_str(), col), ("abcdefghij", 0));
        // wide characters keep their columns after the ellipsis
        let mut l = LineInput::new("");
        for c in "客服中心总部客服中心总部".chars() {
            l.insert(c);
        }
        let (shown, col) = l.view(10, None);
        assert!(shown.starts_with('…'), "{shown}");
        assert_eq!(crate::tui::text::width(&shown), col, "{shown}");
    }

    #[test]
    fn edits_at_the_cursor() {
        let mut l = LineInput::new("helo");
        l.left();
        l.insert('l');
        assert_eq!(l.text(), "hello");
        l.home();
        l.delete();
        assert_eq!(l.text(), "ello");
        l.end();
        l.backspace();
        assert_eq!(l.text(), "ell");
        assert!(!LineInput::new("").backspace());
    }

    #[test]
    fn kills_and_words() {
        let mut l = LineInput::new("one two  three");
        assert!(l.delete_word());
        assert_eq!(l.text(), "one two  ");
        l.delete_word();
        assert_eq!(l.text(), "one ");
        l.home();
        l.right();
        assert!(l.kill_to_end());
        assert_eq!(l.text(), "o");
        assert!(l.kill_to_start());
        assert_eq!(l.text(), "");
    }

    #[test]
    fn a_paste_that_cannot_go_in_whole_changes_nothing_and_says_why() {
        let mut l = LineInput::new("ak1");
        let report = l.paste(" aicc key\twith tab ", |c| !c.is_whitespace(), 128);
        assert_eq!(l.text(), "ak1");
        assert_eq!(
            report.message("APP Key", 128).as_deref(),
            Some("paste not taken, APP Key is unchanged: APP Key does not take space, tab")
        );
        let mut l = LineInput::new("ab");
        let report = l.paste("cdef", |_| true, 4);
        assert_eq!(l.text(), "ab");
        assert_eq!(
            report.message("Port", 4).as_deref(),
            Some("paste not taken, Port is unchanged: Port is at most 4 characters (2 too many)")
        );
        assert_eq!(LineInput::new("").paste("ok", |_| true, 9).message("X", 9), None);
    }

    #[test]
    fn paste_trims_flattens_lines_and_goes_in_whole() {
        let mut l = LineInput::new("");
        assert!(l.paste("a b\nc\u{1b}d", |c| c != ' ', 9).message("X", 9).is_some());
        assert_eq!(l.text(), "");
        let mut l = LineInput::new("");
        l.paste("  line one\nline two\r\n", |_| true, 100);
        assert_eq!(l.text(), "line one line two");
        let mut l = LineInput::new("");
        l.paste("\tak-good ", |c| !c.is_whitespace(), 100);
        assert_eq!(l.text(), "ak-good");
    }

    #[test]
    fn the_view_scrolls_by_half_widths_and_masks() {
        let l = LineInput::new("abcdefghij");
        assert_eq!(l.view(20, None), ("abcdefghij".into(), 10));
        let (text, col) = l.view(8, None);
        assert_eq!(col, text.chars().count().min(col));
        assert!(text.ends_with('j'));
        assert_eq!(LineInput::new("secret").view(10, Some('*')), ("******".into(), 6));
        // wide characters count two columns
        assert_eq!(LineInput::new("人工").view(10, None).1, 4);
    }

    #[test]
    fn a_flag_a_zwj_emoji_and_a_combining_accent_are_one_character_each() {
        // Backspace after 🇨🇳 removes the whole flag, not half of it
        let mut l = LineInput::new("a🇨🇳");
        assert!(l.backspace());
        assert_eq!(l.text(), "a");
        // Left never lands inside a cluster; Delete takes it whole
        let mut l = LineInput::new("x👩‍💻y");
        l.left();
        l.left();
        assert_eq!(l.cursor(), 1, "the cursor is after x, before the whole emoji");
        assert!(l.delete());
        assert_eq!(l.text(), "xy");
        // a combining mark typed after a letter joins it
        let mut l = LineInput::new("cafe");
        l.insert('\u{301}');
        assert_eq!(l.text(), "cafe\u{301}");
        assert!(l.backspace());
        assert_eq!(l.text(), "caf");
        // masked, each cluster is one mask character
        assert_eq!(LineInput::new("🇨🇳ab").view(10, Some('*')).0, "***");
        // the cursor column counts whole clusters' widths
        let l = LineInput::new("🇨🇳客");
        assert_eq!(l.view(20, None).1, 4);
        // Ctrl-W takes a word of CJK and emoji whole
        let mut l = LineInput::new("hi 人工👩‍💻");
        assert!(l.delete_word());
        assert_eq!(l.text(), "hi ");
    }

    #[test]
    fn a_caret_restored_inside_a_cluster_stands_at_its_end() {
        // "ab" then a flag (two code points) then "c"
        let text = "ab\u{1F1E8}\u{1F1F3}c";
        assert_eq!(LineInput::with_caret(text, 0).cursor(), 0);
        assert_eq!(LineInput::with_caret(text, 2).cursor(), 2);
        assert_eq!(LineInput::with_caret(text, 3).cursor(), 4, "inside the flag: after it");
        assert_eq!(LineInput::with_caret(text, 4).cursor(), 4);
        assert_eq!(LineInput::with_caret(text, 99).cursor(), 5, "past the end: the end");
    }
}
