//! Multi-line text (notification and messages) in ratatui-textarea.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

use super::popup::frame_box;
use crate::tui::form::{self, FieldId, Kind};
use crate::tui::theme::Theme;

pub fn render(field: FieldId, area: &TextArea<'static>, frame: &mut Frame, theme: &Theme) {
    let spec = form::spec_of(field);
    let max = match spec.kind {
        Kind::Multiline { max } => max,
        _ => 0,
    };
    let inner = frame_box(frame, 70, 12, &format!("{} — Esc done · Ctrl-E $EDITOR", spec.label));
    let used: usize =
        area.lines().iter().map(|l| l.chars().count()).sum::<usize>() + area.lines().len().saturating_sub(1);
    let text_area = Rect { height: inner.height.saturating_sub(1), ..inner };
    frame.render_widget(area, text_area);
    let count = format!("{used}/{max} characters");
    let style = if used > max { theme.error() } else { theme.dim() };
    frame.render_widget(
        Paragraph::new(Line::styled(count, style)),
        Rect { y: inner.bottom().saturating_sub(1), height: 1, ..inner },
    );
}
