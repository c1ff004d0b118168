//! Channel Integration: the saved channel and its integration URL.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::sanitize::clean;
use crate::tui::state::State;
use crate::tui::theme::Theme;

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(ch) = &state.saved_channel else { return };
    let lines = vec![
        Line::from(Span::styled(" Channel Integration", theme.title())),
        Line::raw(""),
        Line::from(vec![
            Span::styled("  ✓ ", theme.ok()),
            Span::raw(format!("Channel {} saved (version {}).", clean(&ch.document.basic.channel_name), ch.version)),
        ]),
        Line::raw(""),
        Line::from(vec![Span::styled("  Channel id   ", theme.dim()), Span::raw(clean(&ch.id).into_owned())]),
        Line::from(Span::styled("  url used to send message to agent", theme.dim())),
        Line::from(Span::raw(format!("  {}", clean(&ch.integration_url)))),
        Line::raw(""),
        Line::raw("  Press y to copy the URL (works over SSH and inside tmux); it is also printed when you quit."),
        Line::raw("  Next: register it with Telegram (setWebhook) using the bot token from @BotFather."),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
