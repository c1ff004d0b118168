//! Home: local drafts and, when the backend answers, its channels.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::sanitize::clean;
use crate::tui::state::State;
use crate::tui::theme::{MARKER, NO_MARKER, Theme};

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let home = &state.home;
    let mut lines: Vec<Line> =
        vec![Line::from(Span::styled(" chanwiz · Telegram customer-service channels", theme.title())), Line::raw("")];
    for p in &home.problems {
        lines.push(Line::from(Span::styled(format!("  ! {}", clean(p)), theme.warn())));
    }
    lines.push(Line::from(Span::styled("  Drafts", theme.title())));
    let mut selected_line = 0;
    if !home.drafts_loaded {
        lines.push(Line::from(Span::styled("    loading drafts…", theme.dim())));
    } else if home.drafts.is_empty() {
        lines.push(Line::from(Span::styled("    no drafts yet: press n to configure a new channel", theme.dim())));
    }
    let name_w = usize::from(area.width).saturating_sub(48).clamp(12, 40);
    for (i, d) in home.drafts.iter().enumerate() {
        let selected = i == home.selected;
        if selected {
            selected_line = lines.len();
        }
        let name = if d.name.is_empty() { "(unnamed)".to_string() } else { clean(&d.name).into_owned() };
        let status = match d.errors {
            0 => Span::styled("✓ valid".to_string(), theme.ok()),
            1 => Span::styled("✗ 1 error".to_string(), theme.error()),
            n => Span::styled(format!("✗ {n} errors"), theme.error()),
        };
        let row = format!(
            "{:<name_w$}  step {}/4  {}  ",
            truncate(&name, name_w),
            d.step,
            d.updated.format("%Y-%m-%d %H:%M")
        );
        lines.push(Line::from(vec![
            Span::raw(if selected { MARKER } else { NO_MARKER }),
            Span::styled(row, if selected { theme.focus() } else { Default::default() }),
            status,
        ]));
    }
    if !home.channels.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled("  Channels on the backend (Enter edits)", theme.title())));
        for (j, c) in home.channels.iter().enumerate() {
            let selected = home.drafts.len() + j == home.selected;
            if selected {
                selected_line = lines.len();
            }
            let row = format!(
                "{:<name_w$}  v{}  {}",
                truncate(&clean(&c.name), name_w),
                c.version,
                c.updated.format("%Y-%m-%d %H:%M")
            );
            lines.push(Line::from(vec![
                Span::raw(if selected { MARKER } else { NO_MARKER }),
                Span::styled(row, if selected { theme.focus() } else { Default::default() }),
            ]));
        }
    }
    let height = usize::from(area.height);
    let top = selected_line.saturating_sub(height.saturating_sub(2));
    let visible: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
    frame.render_widget(Paragraph::new(visible), area);
}

pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}
