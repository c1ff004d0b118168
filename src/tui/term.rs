//! A ratatui backend that sends the terminal only what changed. ratatui's
//! own crossterm backend repositions the cursor before every run of cells and
//! resets colours after every frame; over a slow SSH link that is most of the
//! traffic. This one tracks where the terminal's cursor really is and which
//! attributes are in force, so that typing a character into a field, where
//! the cursor already stands, costs the character alone.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// The attributes a cell is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

impl Pen {
    const DEFAULT: Pen = Pen { fg: Color::Reset, bg: Color::Reset, modifier: Modifier::empty() };

    fn of(cell: &Cell) -> Pen {
        Pen { fg: cell.fg, bg: cell.bg, modifier: cell.modifier }
    }
}

pub struct LeanBackend<W: Write> {
    out: W,
    buf: Vec<u8>,
    size: Size,
    /// Where the terminal's cursor is, when known.
    cursor: Option<Position>,
    /// The attributes in force, when known.
    pen: Option<Pen>,
    cursor_visible: Option<bool>,
    /// Report the size instead of asking the terminal (tests, benchmarks).
    fixed_size: bool,
    /// The terminal takes ASCII only (`--ascii`, a locale without UTF-8):
    /// every symbol is sent as its ASCII stand-in.
    ascii: bool,
    /// A line last written as one run that the terminal wrapped itself
    /// (first row, text): not written again while its rows stay untouched.
    wrapped: Option<(u16, String)>,
}

impl<W: Write> LeanBackend<W> {
    /// A backend writing to `out`, asking the terminal for its size.
    pub fn new(out: W) -> io::Result<Self> {
        let (w, h) = crossterm::terminal::size()?;
        Ok(Self::with_size(out, Size::new(w, h), false))
    }

    /// A backend of a fixed size (for tests and measurements).
    pub fn fixed(out: W, width: u16, height: u16) -> Self {
        Self::with_size(out, Size::new(width, height), true)
    }

    fn with_size(out: W, size: Size, fixed_size: bool) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(4096),
            size,
            cursor: None,
            pen: None,
            cursor_visible: None,
            fixed_size,
            ascii: false,
            wrapped: None,
        }
    }

    /// Send ASCII only (see [`crate::tui::text::to_ascii`]).
    pub fn with_ascii(mut self, ascii: bool) -> Self {
        self.ascii = ascii;
        self
    }

    pub fn writer(&self) -> &W {
        &self.out
    }

    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Forget what the terminal shows (after another program used it).
    pub fn invalidate(&mut self) {
        self.cursor = None;
        self.pen = None;
        self.cursor_visible = None;
        self.wrapped = None;
    }

    /// Write `text`, which the screen already shows from column 0 of `row`
    /// over as many full rows as it needs, once more in one run: the
    /// terminal then wraps it itself and keeps it as one line, so a mouse
    /// selection or `tmux capture-pane -J` gives it back without a line
    /// break inside (a URL to copy). Drawn cell by cell, each row would be a
    /// line of its own. Nothing is sent while those rows stay as they are.
    pub fn write_wrapped(&mut self, row: u16, text: &str) -> io::Result<()> {
        if self.wrapped.as_ref().is_some_and(|(r, t)| *r == row && t == text) {
            return Ok(());
        }
        if text.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Ok(());
        }
        let back = self.cursor;
        self.cursor = None;
        self.move_to(0, row);
        self.set_pen(Pen::DEFAULT);
        self.buf.extend_from_slice(text.as_bytes());
        self.cursor = None;
        if let Some(p) = back {
            self.move_to(p.x, p.y);
        }
        self.wrapped = Some((row, text.to_owned()));
        self.flush()
    }

    fn move_to(&mut self, x: u16, y: u16) {
        match self.cursor {
            Some(c) if c.x == x && c.y == y => {}
            Some(c) if c.y == y && x == 0 => self.buf.push(b'\r'),
            Some(c) if c.y == y && x > c.x => csi_n(&mut self.buf, x - c.x, b'C'),
            Some(c) if c.y == y && x < c.x => csi_n(&mut self.buf, c.x - x, b'D'),
            _ => {
                let _ = write!(self.buf, "\x1b[{};{}H", y + 1, x + 1);
            }
        }
        self.cursor = Some(Position { x, y });
    }

    fn set_pen(&mut self, pen: Pen) {
        if self.pen == Some(pen) {
            return;
        }
        self.buf.extend_from_slice(b"\x1b[");
        if pen == Pen::DEFAULT {
            self.buf.push(b'm');
        } else {
            self.buf.push(b'0');
            for (m, code) in [
                (Modifier::BOLD, 1),
                (Modifier::DIM, 2),
                (Modifier::ITALIC, 3),
                (Modifier::UNDERLINED, 4),
                (Modifier::SLOW_BLINK, 5),
                (Modifier::RAPID_BLINK, 6),
                (Modifier::REVERSED, 7),
                (Modifier::HIDDEN, 8),
                (Modifier::CROSSED_OUT, 9),
            ] {
                if pen.modifier.contains(m) {
                    let _ = write!(self.buf, ";{code}");
                }
            }
            color_params(&mut self.buf, pen.fg, false);
            color_params(&mut self.buf, pen.bg, true);
            self.buf.push(b'm');
        }
        self.pen = Some(pen);
    }
}

fn csi_n(buf: &mut Vec<u8>, n: u16, cmd: u8) {
    if n == 1 {
        buf.extend_from_slice(&[0x1b, b'[', cmd]);
    } else {
        let _ = write!(buf, "\x1b[{n}{}", cmd as char);
    }
}

fn color_params(buf: &mut Vec<u8>, color: Color, background: bool) {
    let base = if background { 40 } else { 30 };
    let bright = if background { 100 } else { 90 };
    let _ = match color {
        Color::Reset => Ok(()),
        Color::Black => write!(buf, ";{}", base),
        Color::Red => write!(buf, ";{}", base + 1),
        Color::Green => write!(buf, ";{}", base + 2),
        Color::Yellow => write!(buf, ";{}", base + 3),
        Color::Blue => write!(buf, ";{}", base + 4),
        Color::Magenta => write!(buf, ";{}", base + 5),
        Color::Cyan => write!(buf, ";{}", base + 6),
        Color::Gray => write!(buf, ";{}", base + 7),
        Color::DarkGray => write!(buf, ";{}", bright),
        Color::LightRed => write!(buf, ";{}", bright + 1),
        Color::LightGreen => write!(buf, ";{}", bright + 2),
        Color::LightYellow => write!(buf, ";{}", bright + 3),
        Color::LightBlue => write!(buf, ";{}", bright + 4),
        Color::LightMagenta => write!(buf, ";{}", bright + 5),
        Color::LightCyan => write!(buf, ";{}", bright + 6),
        Color::White => write!(buf, ";{}", bright + 7),
        Color::Indexed(i) => write!(buf, ";{};5;{i}", base + 8),
        Color::Rgb(r, g, b) => write!(buf, ";{};2;{r};{g};{b}", base + 8),
    };
}

impl<W: Write> Backend for LeanBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        for (x, y, cell) in content {
            // a cell of the wrapped line redrawn: it is to be written again
            if let Some((row, text)) = &self.wrapped {
                let rows = (text.width() as u16).div_ceil(self.size.width.max(1));
                if (*row..row.saturating_add(rows)).contains(&y) {
                    self.wrapped = None;
                }
            }
            self.move_to(x, y);
            self.set_pen(Pen::of(cell));
            let symbol = cell.symbol();
            // Nothing from a server or a file reaches here unsanitised, but a
            // stray control byte must never be sent raw.
            if symbol.bytes().any(|b| b < 0x20 || b == 0x7f) {
                self.buf.push(b' ');
            } else if self.ascii && !symbol.is_ascii() {
                let stand_in = super::text::to_ascii(symbol, symbol.width().max(1));
                self.buf.extend_from_slice(stand_in.as_bytes());
            } else {
                self.buf.extend_from_slice(symbol.as_bytes());
            }
            let width = symbol.width().max(1) as u16;
            let nx = x.saturating_add(width);
            // At the right edge the terminal's cursor is in a pending-wrap
            // state: do not trust it.
            self.cursor = if nx >= self.size.width { None } else { Some(Position { x: nx, y }) };
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_visible != Some(false) {
            self.buf.extend_from_slice(b"\x1b[?25l");
            self.cursor_visible = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_visible != Some(true) {
            self.buf.extend_from_slice(b"\x1b[?25h");
            self.cursor_visible = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor.unwrap_or_default())
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        self.move_to(p.x, p.y);
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.set_pen(Pen::DEFAULT);
        self.buf.extend_from_slice(b"\x1b[2J");
        self.cursor = None;
        self.wrapped = None;
        Ok(())
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.set_pen(Pen::DEFAULT);
        let code: &[u8] = match clear_type {
            ClearType::All => b"\x1b[2J",
            ClearType::AfterCursor => b"\x1b[J",
            ClearType::BeforeCursor => b"\x1b[1J",
            ClearType::CurrentLine => b"\x1b[2K",
            ClearType::UntilNewLine => b"\x1b[K",
        };
        self.buf.extend_from_slice(code);
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        if self.fixed_size {
            return Ok(self.size);
        }
        let (w, h) = crossterm::terminal::size()?;
        Ok(Size::new(w, h))
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let size = self.size()?;
        Ok(WindowSize { columns_rows: size, pixels: Size::new(0, 0) })
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.fixed_size {
            self.size = self.size()?;
        }
        if !self.buf.is_empty() {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::layout::Rect;
    use ratatui::style::{Style, Stylize};
    use ratatui::text::Line;

    fn term() -> Terminal<LeanBackend<Vec<u8>>> {
        Terminal::new(LeanBackend::fixed(Vec::new(), 40, 5)).unwrap()
    }

    fn field(t: &mut Terminal<LeanBackend<Vec<u8>>>, text: &str) -> usize {
        let before = t.backend().writer().len();
        t.draw(|f| {
            f.render_widget(Line::from(vec!["Name: ".reversed(), text.into()]), f.area());
            f.set_cursor_position((6 + text.len() as u16, 0));
        })
        .unwrap();
        t.backend().writer().len() - before
    }

    #[test]
    fn typing_where_the_cursor_stands_sends_only_the_character() {
        let mut t = term();
        field(&mut t, "");
        field(&mut t, "a");
        // steady state: one byte per character
        assert_eq!(field(&mut t, "ab"), 1);
        assert_eq!(field(&mut t, "abc"), 1);
        let out = t.backend().writer();
        assert!(out.ends_with(b"abc"), "{:?}", String::from_utf8_lossy(&out[out.len() - 10..]));
        // an unchanged frame sends nothing at all
        assert_eq!(field(&mut t, "abc"), 0);
    }

    #[test]
    fn backspace_moves_back_and_blanks() {
        let mut t = term();
        field(&mut t, "abc");
        let n = field(&mut t, "ab");
        // cursor left, a blank, cursor left again
        assert!(n <= 7, "{n} bytes");
    }

    #[test]
    fn styles_are_set_once_per_run_and_reset_compactly() {
        let mut t = term();
        t.draw(|f| f.render_widget(Line::from(vec!["ab".bold(), "cd".into()]), f.area())).unwrap();
        let text = String::from_utf8_lossy(t.backend().writer()).into_owned();
        assert_eq!(text.matches("\x1b[0;1m").count(), 1, "{text:?}");
        assert!(text.contains("\x1b[mcd"), "{text:?}");
        let _ = Style::default();
    }

    #[test]
    fn control_bytes_in_text_never_reach_the_terminal() {
        let mut t = term();
        t.draw(|f| f.render_widget(Line::from("a\x1b]0;title\x07b\x1bc"), f.area())).unwrap();
        let out = t.backend().writer();
        // every ESC we send starts a CSI sequence of our own
        for (i, b) in out.iter().enumerate() {
            if *b == 0x1b {
                assert_eq!(out.get(i + 1), Some(&b'['), "{:?}", String::from_utf8_lossy(out));
            }
        }
        assert!(!out.contains(&0x07));
    }

    #[test]
    fn a_wrapped_line_is_written_in_one_run_once_and_again_after_its_rows_are_redrawn() {
        let mut t = term();
        let url = format!("https://{}", "a".repeat(50));
        let draw = |t: &mut Terminal<LeanBackend<Vec<u8>>>, marker: &str| {
            let (a, b) = url.split_at(40);
            t.draw(|f| {
                f.render_widget(Line::from(a.to_string()), Rect::new(0, 1, 40, 1));
                f.render_widget(Line::from(b.to_string()), Rect::new(0, 2, 40, 1));
                f.render_widget(Line::from(marker.to_string()), Rect::new(0, 4, 40, 1));
                f.set_cursor_position((3, 4));
            })
            .unwrap();
        };
        draw(&mut t, "x");
        let before = t.backend().writer().len();
        t.backend_mut().write_wrapped(1, &url).unwrap();
        let sent = String::from_utf8_lossy(&t.backend().writer()[before..]).into_owned();
        // from column 0 of the row, the whole text with no cursor move inside,
        // then the cursor back where the frame left it
        assert!(sent.starts_with("\x1b[2;1H"), "{sent:?}");
        assert!(sent.contains(&url), "{sent:?}");
        assert!(sent.ends_with("\x1b[5;4H"), "{sent:?}");
        // again: nothing, while its rows are untouched
        let before = t.backend().writer().len();
        draw(&mut t, "y");
        t.backend_mut().write_wrapped(1, &url).unwrap();
        let sent = String::from_utf8_lossy(&t.backend().writer()[before..]).into_owned();
        assert!(!sent.contains("https"), "{sent:?}");
        // a popup drawn over its rows and gone: written again
        t.draw(|f| f.render_widget(Line::from("popup"), Rect::new(0, 2, 40, 1))).unwrap();
        draw(&mut t, "y");
        let before = t.backend().writer().len();
        t.backend_mut().write_wrapped(1, &url).unwrap();
        assert!(String::from_utf8_lossy(&t.backend().writer()[before..]).contains(&url));
    }
}
