//! The help overlay: every key of what lies beneath (the popup's, or the
//! screen's), each listed once under what it does there; it scrolls when it
//! does not fit.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::keymap::{self, Cmd, Ctx};
use crate::tui::msg::Outcome;
use crate::tui::text::{fit, width};
use crate::tui::theme::Theme;
use crate::tui::widgets::popup::frame_box;

#[derive(Debug, Default)]
pub struct Help {
    /// First row shown.
    pub scroll: usize,
}

/// Rows of the overlay that fit in a terminal `rows` high.
pub fn visible_rows(rows: u16) -> usize {
    usize::from(rows.saturating_sub(4)).max(1)
}

impl Help {
    /// `total`: rows the overlay lists; `shown`: rows that fit.
    pub fn update(&mut self, cmd: Cmd, total: usize, shown: usize) -> Outcome {
        let last = total.saturating_sub(shown);
        match cmd {
            Cmd::Back => return Outcome::close(),
            Cmd::Up => self.scroll = self.scroll.saturating_sub(1),
            Cmd::Down => self.scroll = (self.scroll + 1).min(last),
            Cmd::PageUp => self.scroll = self.scroll.saturating_sub(shown),
            Cmd::PageDown => self.scroll = (self.scroll + shown).min(last),
            _ => {}
        }
        Outcome::none()
    }

    pub fn render(&self, beneath: &[Ctx], frame: &mut Frame, theme: &Theme) {
        let rows = keymap::overlay(beneath);
        let shown = visible_rows(frame.area().height);
        let more = rows.len() > shown;
        let title = if more {
            format!(
                "Keys {}–{} of {} — ↑↓ scroll, Esc closes",
                self.scroll + 1,
                (self.scroll + shown).min(rows.len()),
                rows.len()
            )
        } else {
            "Keys — Esc closes".to_string()
        };
        let height = (rows.len().min(shown) as u16) + 2;
        let inner = frame_box(frame, 64, height, &title);
        let key_w = rows.iter().map(|(k, _)| width(k)).max().unwrap_or(8).min(24);
        let help_w = usize::from(inner.width).saturating_sub(key_w + 2);
        let lines: Vec<Line> = rows
            .into_iter()
            .skip(self.scroll)
            .take(shown)
            .map(|(keys, help)| {
                Line::from(vec![
                    Span::styled(format!("{}  ", fit(&keys, key_w)), theme.key()),
                    Span::raw(fit(help, help_w)),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
