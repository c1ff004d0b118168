//! `render(&State, &mut Frame)`: draws the state, changes nothing.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::keymap;
use super::pages;
use super::state::{Level, Link, Popup, Screen, State};
use super::theme::Theme;
use super::update::contexts;
use super::widgets;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

pub fn render(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let theme = Theme { color: state.color };
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!("terminal too small (need {MIN_WIDTH}×{MIN_HEIGHT})");
        let y = area.height / 2;
        frame.render_widget(
            Paragraph::new(msg).alignment(Alignment::Center),
            Rect { x: area.x, y: area.y + y, width: area.width, height: 1.min(area.height) },
        );
        return;
    }
    let body = Rect { x: area.x, y: area.y, width: area.width, height: area.height - 2 };
    match state.screen {
        Screen::Home => pages::home::render(state, frame, body, &theme),
        Screen::Wizard => pages::wizard::render(state, frame, body, &theme),
        Screen::Integration => pages::integration::render(state, frame, body, &theme),
    }
    message_line(state, frame, Rect { x: area.x, y: area.bottom() - 2, width: area.width, height: 1 }, &theme);
    key_bar(state, frame, Rect { x: area.x, y: area.bottom() - 1, width: area.width, height: 1 }, &theme);
    if let Some(popup) = &state.popup {
        match popup {
            Popup::Help => widgets::help::render(state, frame, &theme),
            Popup::ConfirmQuit
            | Popup::ConfirmDelete { .. }
            | Popup::ConfirmReplace { .. }
            | Popup::ConfirmWebhookDelete
            | Popup::Conflict { .. } => widgets::confirm::render(popup, frame, &theme),
            Popup::Select(sel) => widgets::select::render(state, sel, frame, &theme),
            Popup::List(list) => widgets::list::render(state, list, frame, &theme),
            Popup::Text { field, area } => widgets::text::render(*field, area, frame, &theme),
        }
    }
}

/// The flash message, else the status of the backend (home) or the focused
/// field's hint (wizard).
fn message_line(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let line = match &state.flash {
        Some((level, text)) => {
            let style = match level {
                Level::Info => theme.ok(),
                Level::Warn => theme.warn(),
                Level::Error => theme.error(),
            };
            Line::from(Span::styled(crate::sanitize::clean(text).into_owned(), style))
        }
        None => match state.screen {
            Screen::Wizard => match &state.wizard {
                Some(w) if w.step < 4 => {
                    Line::from(Span::styled(super::form::spec_of(w.focus).hint.to_string(), theme.dim()))
                }
                _ => status_line(state, theme),
            },
            Screen::Integration => match &state.integration {
                Some(page) => Line::from(Span::styled(page.focus.hint().to_string(), theme.dim())),
                None => status_line(state, theme),
            },
            Screen::Home => status_line(state, theme),
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// `backend <url> · online · catalogue 3 min old`
pub fn status_line(state: &State, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    match &state.backend_url {
        Some(url) => spans.push(Span::raw(format!("backend {}", crate::sanitize::clean(url)))),
        None => spans.push(Span::raw("no backend".to_string())),
    }
    let (text, style) = match &state.link {
        Link::Offline => ("offline".to_string(), theme.warn()),
        Link::Connecting => ("connecting…".to_string(), theme.dim()),
        Link::Online => ("online".to_string(), theme.ok()),
        Link::Unreachable(why) => (format!("unreachable: {}", crate::sanitize::clean(why)), theme.error()),
    };
    spans.push(Span::raw(" · "));
    spans.push(Span::styled(text, style));
    spans.push(Span::raw(" · "));
    spans.push(Span::raw(match state.catalogue_fetched {
        None => "no catalogue".to_string(),
        Some(t) => format!("catalogue {}", age((state.now - t).num_seconds())),
    }));
    Line::from(spans)
}

/// "just now", "3 min old", "2 h old", "5 days old".
pub fn age(seconds: i64) -> String {
    match seconds.max(0) {
        s if s < 60 => "fresh".to_string(),
        s if s < 3600 => format!("{} min old", s / 60),
        s if s < 86400 => format!("{} h old", s / 3600),
        s => format!("{} days old", s / 86400),
    }
}

fn key_bar(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let all = keymap::bar(&contexts(state));
    let width = |(label, help): &(&str, &str)| label.chars().count() + 1 + help.chars().count() + 2;
    // the key to every other key is never cut: its room is kept first
    let help = all.iter().position(|(_, h)| h.starts_with("help") || *h == "close help");
    let mut keep = vec![false; all.len()];
    let mut used = 0;
    if let Some(h) = help {
        keep[h] = true;
        used = width(&all[h]);
    }
    for (i, item) in all.iter().enumerate() {
        if !keep[i] && used + width(item) <= usize::from(area.width) {
            keep[i] = true;
            used += width(item);
        }
    }
    let mut spans = Vec::new();
    for ((label, help), _) in all.iter().zip(&keep).filter(|(_, k)| **k) {
        spans.push(Span::styled(*label, theme.key()));
        spans.push(Span::raw(format!(" {help}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
