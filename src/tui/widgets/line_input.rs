//! A single-line text input: the text, a cursor, and the editing keys. The
//! view scrolls by half widths so that typing does not redraw the line.

use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    chars: Vec<char>,
    /// Cursor position, in characters.
    cursor: usize,
}

impl LineInput {
    /// An input holding `text`, the cursor at its end.
    pub fn new(text: &str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        Self { cursor: chars.len(), chars }
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn insert(&mut self, c: char) {
        self.chars.insert(self.cursor, c);
        self.cursor += 1;
    }

    /// Insert pasted text; line breaks become spaces (single-line field).
    pub fn paste(&mut self, text: &str, allow: impl Fn(char) -> bool, max: usize) {
        for c in text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }) {
            if self.chars.len() >= max {
                break;
            }
            if allow(c) && !c.is_control() {
                self.insert(c);
            }
        }
    }

    pub fn backspace(&mut self) -> bool {
        if self.cursor == 0 {
            return false;
        }
        self.cursor -= 1;
        self.chars.remove(self.cursor);
        true
    }

    pub fn delete(&mut self) -> bool {
        if self.cursor >= self.chars.len() {
            return false;
        }
        self.chars.remove(self.cursor);
        true
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.chars.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.chars.len();
    }

    /// Ctrl-U: delete from the start of the line to the cursor.
    pub fn kill_to_start(&mut self) -> bool {
        let n = self.cursor;
        self.chars.drain(..n);
        self.cursor = 0;
        n > 0
    }

    /// Ctrl-K: delete from the cursor to the end.
    pub fn kill_to_end(&mut self) -> bool {
        let n = self.chars.len() - self.cursor;
        self.chars.truncate(self.cursor);
        n > 0
    }

    /// Ctrl-W: delete the word before the cursor.
    pub fn delete_word(&mut self) -> bool {
        let start = self.cursor;
        let mut i = self.cursor;
        while i > 0 && self.chars[i - 1].is_whitespace() {
            i -= 1;
        }
        while i > 0 && !self.chars[i - 1].is_whitespace() {
            i -= 1;
        }
        self.chars.drain(i..start);
        self.cursor = i;
        i < start
    }

    /// What to draw in `width` columns and the cursor's column in it. With
    /// `mask`, every character shows as that one.
    pub fn view(&self, width: usize, mask: Option<char>) -> (String, usize) {
        let w = |c: char| mask.map_or_else(|| c.width().unwrap_or(0), |m| m.width().unwrap_or(1));
        let col_of = |n: usize| self.chars[..n].iter().map(|c| w(*c)).sum::<usize>();
        let width = width.max(2);
        let cursor_col = col_of(self.cursor);
        // scroll in steps of half the width, so that most keys redraw nothing
        let half = (width / 2).max(1);
        let offset_col = if cursor_col < width { 0 } else { ((cursor_col - width) / half + 1) * half };
        let mut out = String::new();
        let mut col = 0;
        for &c in &self.chars {
            let cw = w(c);
            if col >= offset_col && col + cw <= offset_col + width {
                out.push(mask.unwrap_or(c));
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
    fn paste_flattens_lines_and_respects_the_limit() {
        let mut l = LineInput::new("");
        l.paste("a b\nc\u{1b}d", |c| c != ' ', 4);
        assert_eq!(l.text(), "abcd");
        let mut l = LineInput::new("");
        l.paste("line one\nline two", |_| true, 100);
        assert_eq!(l.text(), "line one line two");
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
}
