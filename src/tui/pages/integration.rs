//! Channel Integration: the integration URL (copy with y), then the bot
//! token registered with Telegram as the channel's webhook — checks first,
//! each step's result as it comes.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::sanitize::clean;
use crate::tui::pages::form::wrap;
use crate::tui::pages::home::truncate;
use crate::tui::state::{IntItem, IntegrationPage, Level, State};
use crate::tui::theme::{MARKER, NO_MARKER, Theme};

const LABEL_W: usize = 18;

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(page) = &state.integration else { return };
    let width = usize::from(area.width);
    let mut lines: Vec<Line> = Vec::new();
    let name = clean(&page.channel.document.basic.channel_name).into_owned();
    lines.push(Line::from(Span::styled(format!(" Channel Integration · {name}"), theme.title())));
    if page.just_saved {
        lines.push(Line::from(vec![
            Span::styled("  ✓ ", theme.ok()),
            Span::raw(format!("saved as channel {} (version {})", clean(&page.channel.id), page.channel.version)),
        ]));
    } else {
        lines.push(Line::from(Span::styled(format!("  channel {}", clean(&page.channel.id)), theme.dim())));
    }
    lines.push(Line::from(Span::styled("  url used to send message to agent (y copies)", theme.dim())));
    let mut cursor = None;
    let url = truncate(&clean(&page.channel.integration_url), width.saturating_sub(4));
    lines.push(item_line(page, IntItem::Url, vec![Span::raw(url)], theme));
    lines.push(Line::raw(""));
    let value_w = width.saturating_sub(LABEL_W + 4);
    for (item, label, input, mask, hint) in [
        (IntItem::Token, "Bot token", &page.token, !page.reveal, "from @BotFather · Ctrl-R shows"),
        (IntItem::PublicUrl, "Public address", &page.public_url, false, "optional https://PUBLIC-IP:PORT"),
        (IntItem::Allowed, "Allowed updates", &page.allowed, false, ""),
    ] {
        let focused = page.focus == item;
        let (text, col) = if focused {
            input.view(value_w.saturating_sub(1), mask.then_some('*'))
        } else {
            // not being typed into: show its start
            let shown = if mask { "*".repeat(input.len()) } else { input.text() };
            (truncate(&shown, value_w), 0)
        };
        if focused {
            cursor = Some((lines.len(), 2 + LABEL_W + 1 + col));
        }
        let value = if text.is_empty() && !focused {
            Span::styled(hint.to_string(), theme.dim())
        } else {
            Span::raw(if mask { text } else { clean(&text).into_owned() })
        };
        lines.push(item_line(
            page,
            item,
            vec![Span::styled(format!("{label:<LABEL_W$}"), label_style(page, item, theme)), Span::raw(" "), value],
            theme,
        ));
    }
    lines.push(item_line(
        page,
        IntItem::DropPending,
        vec![
            Span::styled(format!("{:<LABEL_W$}", "Drop pending"), label_style(page, IntItem::DropPending, theme)),
            Span::raw(if page.drop_pending { " [x] drop queued updates" } else { " [ ] keep queued updates" }),
        ],
        theme,
    ));
    let mut buttons = vec![Span::raw("  ")];
    for (item, text) in [
        (IntItem::Register, "[ Register ]"),
        (IntItem::Rotate, "[ Rotate token ]"),
        (IntItem::Status, "[ Status ]"),
        (IntItem::Delete, "[ Delete ]"),
    ] {
        let style = if page.focus == item { theme.focus() } else { theme.title() };
        buttons.push(Span::raw(if page.focus == item { "▸" } else { " " }));
        buttons.push(Span::styled(text, style));
        buttons.push(Span::raw(" "));
    }
    if page.busy.is_some() {
        buttons.push(Span::styled(" working…", theme.dim()));
    }
    lines.push(Line::from(buttons));
    // the pre-checks, as the fields change
    match (&page.load_error, &page.checks) {
        (Some(e), _) => lines.push(Line::from(Span::styled(format!("  ✗ {}", clean(e)), theme.error()))),
        (None, None) => {
            lines.push(Line::from(Span::styled("  loading the channel's integration details…", theme.dim())))
        }
        (None, Some(Ok(url))) => lines.push(Line::from(vec![
            Span::styled("  ✓ webhook URL ", theme.ok()),
            Span::raw(truncate(&clean(url), width.saturating_sub(18))),
        ])),
        (None, Some(Err(problems))) => {
            for p in problems {
                for (i, chunk) in wrap(&clean(p), width.saturating_sub(6)).into_iter().enumerate() {
                    let lead = if i == 0 { "  ✗ " } else { "    " };
                    lines.push(Line::from(Span::styled(format!("{lead}{chunk}"), theme.error())));
                }
            }
        }
    }
    if let Ok(Some(token)) = page.bot_token()
        && let Some(w) = token.format_warning()
    {
        lines.push(Line::from(Span::styled(format!("  ! {}", clean(&w)), theme.warn())));
    }
    // the log of what Telegram and the backend answered, newest at the bottom
    let room = usize::from(area.height).saturating_sub(lines.len() + 1);
    let mut log_lines: Vec<Line> = Vec::new();
    for (level, text) in &page.log {
        let (mark, style) = match level {
            Level::Info => ("✓ ", theme.ok()),
            Level::Warn => ("! ", theme.warn()),
            Level::Error => ("✗ ", theme.error()),
        };
        for (i, chunk) in wrap(&clean(text), width.saturating_sub(6)).into_iter().enumerate() {
            log_lines.push(Line::from(vec![
                Span::styled(if i == 0 { format!("  {mark}") } else { "    ".into() }, style),
                Span::raw(chunk),
            ]));
        }
    }
    if !log_lines.is_empty() && room > 0 {
        lines.push(Line::raw(""));
        let skip = log_lines.len().saturating_sub(room.saturating_sub(1));
        lines.extend(log_lines.into_iter().skip(skip));
    }
    let height = usize::from(area.height);
    frame.render_widget(Paragraph::new(lines.into_iter().take(height).collect::<Vec<_>>()), area);
    if state.popup.is_none()
        && let Some((line, col)) = cursor
        && line < height
    {
        frame.set_cursor_position(Position { x: area.x + col as u16, y: area.y + line as u16 });
    }
}

fn label_style(page: &IntegrationPage, item: IntItem, theme: &Theme) -> ratatui::style::Style {
    if page.focus == item { theme.focus() } else { Default::default() }
}

fn item_line<'a>(page: &IntegrationPage, item: IntItem, mut spans: Vec<Span<'a>>, theme: &Theme) -> Line<'a> {
    let focused = page.focus == item;
    if item == IntItem::Url && focused {
        spans = spans.into_iter().map(|s| s.style(theme.focus())).collect();
    }
    let mut out = vec![Span::raw(if focused { MARKER } else { NO_MARKER })];
    out.extend(spans);
    Line::from(out)
}
