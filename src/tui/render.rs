//! `render(&State, &mut Frame)`: draws the state, changes nothing.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::keymap;
use super::screens::wizard::form::message_lines;
use super::screens::wizard::page;
use super::state::{Level, Link, Screen, Shared, State};
use super::text::width;
use super::theme::Theme;
use super::update::{contexts, contexts_beneath};
use super::widgets::popup::Place;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// Below the smallest layout nothing is drawn but the size needed, and no
/// key but quit and repaint acts.
pub fn too_small((width, height): (u16, u16)) -> bool {
    width < MIN_WIDTH || height < MIN_HEIGHT
}

pub fn render(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let theme = Theme { color: state.shared.color };
    if too_small((area.width, area.height)) {
        // on one line where it fits, else a line each; the way out is the
        // line kept last when rows run short
        let whole = format!("terminal too small (need {MIN_WIDTH}×{MIN_HEIGHT}) · Ctrl-Q quits");
        let lines: Vec<String> = if super::text::width(&whole) < usize::from(area.width) {
            vec![whole]
        } else {
            let all = [
                "terminal too small".to_owned(),
                format!("(need {MIN_WIDTH}×{MIN_HEIGHT})"),
                "Ctrl-Q quits".to_owned(),
            ];
            all[all.len().saturating_sub(usize::from(area.height))..].to_vec()
        };
        let lines: Vec<Line> = lines
            .iter()
            .map(|l| Line::from(super::text::truncate(l, usize::from(area.width).saturating_sub(1))))
            .collect();
        let n = u16::try_from(lines.len()).unwrap_or(1).min(area.height);
        let y = area.height.saturating_sub(n).div_ceil(2);
        frame.render_widget(
            Paragraph::new(lines).alignment(Alignment::Center),
            Rect { x: area.x, y: area.y + y, width: area.width, height: n },
        );
        return;
    }
    let rows = message_rows(state, area.width);
    let body = Rect { x: area.x, y: area.y, width: area.width, height: area.height - 1 - rows };
    let cursor_shown = state.popup.is_none() && state.help.is_none();
    match &state.screen {
        Screen::Home(h) => h.render(&state.shared, frame, body, &theme),
        Screen::Wizard(w) => page::render(&state.shared, w, frame, body, cursor_shown),
        Screen::Integration(p) => p.render(&state.shared, frame, body, &theme, cursor_shown),
        Screen::Channels(c) => c.render(&state.shared, frame, body, &theme, cursor_shown),
    }
    message_line(
        state,
        frame,
        Rect { x: area.x, y: area.bottom() - 1 - rows, width: area.width, height: rows },
        &theme,
    );
    key_bar(state, frame, Rect { x: area.x, y: area.bottom() - 1, width: area.width, height: 1 }, &theme);
    if let Some(popup) = &state.popup {
        // a popup editing a field leaves the field's row in view
        let place = match &state.screen {
            Screen::Wizard(w) => page::focus_y(&state.shared, w, body).map_or(Place::Centre, Place::Beside),
            _ => Place::Centre,
        };
        popup.render(&state.screen, frame, &theme, place);
    }
    if let Some(help) = &state.help {
        help.render(&contexts_beneath(state), frame, &theme);
    }
}

/// The message area's text: the flash message; else a save that failed;
/// else the focused field's hint (wizard, integration). None: the status of
/// the backend (home, lists). The level styles it (None: a hint).
fn message(state: &State) -> Option<(Option<Level>, String)> {
    match &state.screen {
        Screen::Wizard(w) => w.message(&state.shared),
        _ => state.shared.flash_message().or_else(|| match &state.screen {
            Screen::Integration(p) => Some((None, p.focus.hint().to_string())),
            _ => None,
        }),
    }
}

/// Rows the message area takes: a message that does not fit one row goes
/// on to a second (wizard and integration pages) instead of being cut.
fn message_rows(state: &State, width: u16) -> u16 {
    match (&state.screen, message(state)) {
        (Screen::Wizard(_) | Screen::Integration(_), Some((_, text))) => message_lines(&text, width).len() as u16,
        _ => 1,
    }
}

fn message_line(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let lines = match message(state) {
        Some((level, text)) => {
            let style = match level {
                Some(Level::Info) => theme.ok(),
                Some(Level::Warn) => theme.warn(),
                Some(Level::Error) => theme.error(),
                None => theme.dim(),
            };
            let shown = if area.height > 1 {
                message_lines(&text, area.width)
            } else {
                vec![super::text::truncate(&text, usize::from(area.width))]
            };
            shown.into_iter().map(|l| Line::from(Span::styled(l, style))).collect()
        }
        None => vec![status_line(&state.shared, theme, usize::from(area.width))],
    };
    frame.render_widget(Paragraph::new(lines), area);
}

/// `backend <url> · online · catalogue 3 min old` in `columns` (the word
/// "backend" goes first, then the address is cut, never the state).
pub fn status_line(shared: &Shared, theme: &Theme, columns: usize) -> Line<'static> {
    let mut spans = Vec::new();
    spans.push(Span::raw(match (&shared.backend_url, &shared.link) {
        (Some(url), _) => format!("backend {}", crate::sanitize::clean(url)),
        // --offline without a backend set: the local one is not started
        (None, Link::Offline) => "local backend".to_string(),
        (None, _) => "no backend".to_string(),
    }));
    let (text, style) = match &shared.link {
        Link::Offline => ("offline (--offline)".to_string(), theme.warn()),
        Link::Connecting => ("connecting…".to_string(), theme.dim()),
        Link::Online => ("online".to_string(), theme.ok()),
        Link::Unreachable(why) => (format!("unreachable: {}", crate::sanitize::clean(why)), theme.error()),
        Link::TokenRefused => {
            ("token refused (401): check CHANWIZ_TOKEN or `chanwiz config`".to_string(), theme.error())
        }
    };
    spans.push(Span::raw(" · "));
    spans.push(Span::styled(text, style));
    spans.push(Span::raw(" · "));
    spans.push(Span::raw(match shared.catalogue_fetched {
        None => "no catalogue".to_string(),
        Some(t) => format!("catalogue {}", age((shared.now - t).num_seconds())),
    }));
    let rest: usize = spans[1..].iter().map(|s| width(&s.content)).sum();
    let room = columns.saturating_sub(rest + 1);
    if width(&spans[0].content) > room {
        let short = spans[0].content.strip_prefix("backend ").unwrap_or(&spans[0].content).to_string();
        spans[0] = Span::raw(super::text::truncate(&short, room));
    }
    Line::from(spans)
}

/// "fresh", "3 min old", "2 h old", "5 days old".
pub fn age(seconds: i64) -> String {
    match seconds.max(0) {
        s if s < 60 => "fresh".to_string(),
        s if s < 3600 => format!("{} min old", s / 60),
        s if s < 86400 => format!("{} h old", s / 3600),
        s => format!("{} days old", s / 86400),
    }
}

fn key_bar(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let mut spans = Vec::new();
    for item in bar_shown(state, area.width) {
        spans.push(Span::styled(item.label, theme.key()));
        spans.push(Span::raw(format!(" {}  ", item.help)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The bar entries that fit in `columns` (the help key's room is kept
/// first, so the key to every other key is never cut).
pub fn bar_shown(state: &State, columns: u16) -> Vec<keymap::BarItem> {
    let all = keymap::bar(&contexts(state));
    let cost = |i: &keymap::BarItem| width(i.label) + 1 + width(i.help) + 2;
    let help = all.iter().position(|i| matches!(i.cmd, keymap::Cmd::Help) || i.help == "close help");
    let mut keep = vec![false; all.len()];
    let mut used = 0;
    if let Some(h) = help {
        keep[h] = true;
        used = cost(&all[h]);
    }
    for (i, item) in all.iter().enumerate() {
        if !keep[i] && used + cost(item) <= usize::from(columns) {
            keep[i] = true;
            used += cost(item);
        }
    }
    all.into_iter().zip(keep).filter(|(_, k)| *k).map(|(i, _)| i).collect()
}

/// The one line of the frame that is to stay one line when copied: the
/// integration URL, where `buffer` shows it whole from column 0 over two or
/// more full rows (no popup over it, not scrolled out). Its first row and
/// its text, for [`super::term::LeanBackend::write_wrapped`].
pub fn soft_wrapped(state: &State, buffer: &ratatui::buffer::Buffer) -> Option<(u16, String)> {
    let Screen::Integration(page) = &state.screen else { return None };
    if state.popup.is_some() || state.help.is_some() {
        return None;
    }
    let url = crate::sanitize::clean(&page.channel.integration_url).into_owned();
    let width = buffer.area.width;
    let chunks = super::screens::integration::url_lines(&url, usize::from(width));
    if chunks.len() < 2 || chunks.iter().any(|c| c.contains(' ')) {
        return None;
    }
    let row = |y: u16| -> String {
        (0..width).filter_map(|x| buffer.cell((x, y)).map(|c| c.symbol().to_string())).collect::<String>()
    };
    let rows = chunks.len() as u16;
    (0..buffer.area.height.saturating_sub(rows - 1)).find_map(|y| {
        chunks.iter().enumerate().all(|(i, chunk)| row(y + i as u16).trim_end() == chunk).then(|| (y, url.clone()))
    })
}
