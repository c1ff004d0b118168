//! Step 4: Submit, the errors (Enter jumps to the field), for an edit what
//! it changes (old → new, the APP Secret only as "replaced"), then every
//! value, long ones wrapped. The page scrolls (↑↓ PgUp PgDn Home End): the
//! lines are built by [`lines`] for update (which decides the first line
//! shown) and render alike.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Submit, Wizard};
use crate::model::diff::changes;
use crate::sanitize::{clean, one_line};
use crate::tui::form::{self, FieldId, Kind, Step};
use crate::tui::state::Shared;
use crate::tui::text::wrap;
use crate::tui::theme::{MARKER, NO_MARKER, Theme};

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// The page's lines at `width` columns, and the line of the selected item
/// (Submit or an error).
pub fn lines(state: &Shared, w: &Wizard, width: u16, theme: &Theme) -> (Vec<Line<'static>>, usize) {
    let errors = w.all_errors();
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut selected_line = 0;
    let status = match &w.submit {
        Submit::Busy { since } => {
            let i = (state.instant.saturating_duration_since(*since).as_millis() / 120) as usize % SPINNER.len();
            Span::raw(format!("{} submitting…", SPINNER[i]))
        }
        Submit::Failed(msg) => Span::styled(format!("✗ {}", clean(msg)), theme.error()),
        Submit::Idle if !errors.is_empty() => Span::styled(
            format!(
                "refused while {} error{} remain{}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                if errors.len() == 1 { "s" } else { "" }
            ),
            theme.error(),
        ),
        Submit::Idle => Span::styled(format!("ready{}", super::schedule::warning_count(w)), theme.ok()),
    };
    let submit_sel = w.review_sel == 0;
    // a long status (a refusal, a conflict) goes on under itself
    let status_w = usize::from(width).saturating_sub(15);
    let style = status.style;
    for (i, chunk) in wrap(&status.content, status_w).into_iter().enumerate() {
        lines.push(Line::from(if i == 0 {
            vec![
                Span::raw(if submit_sel { MARKER } else { NO_MARKER }),
                Span::styled("[ Submit ]", if submit_sel { theme.focus() } else { theme.title() }),
                Span::raw("  "),
                Span::styled(chunk, style),
            ]
        } else {
            vec![Span::raw(" ".repeat(14)), Span::styled(chunk, style)]
        }));
    }
    let text_w = usize::from(width).saturating_sub(6);
    if !errors.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled("  Errors — Enter jumps to the field", theme.title())));
        for (i, e) in errors.iter().enumerate() {
            let selected = w.review_sel == i + 1;
            if selected {
                selected_line = lines.len();
            }
            let label = form::field_for_path(&e.path, &w.draft).map_or("", |f| form::spec_of(f).label);
            let text = format!("✗ {label}: {}", clean(&e.message));
            for (j, chunk) in wrap(&text, text_w).into_iter().enumerate() {
                let lead = if j == 0 && selected { MARKER } else { NO_MARKER };
                let style = if selected { theme.focus() } else { theme.error() };
                lines.push(Line::from(vec![
                    Span::raw(lead),
                    Span::styled(if j == 0 { chunk } else { format!("  {chunk}") }, style),
                ]));
            }
        }
    }
    if let Some(base) = &w.draft.meta.base {
        lines.push(Line::raw(""));
        let version = w.draft.meta.channel_version.map_or("?".to_string(), |v| v.to_string());
        let changed = changes(base, &w.draft.document);
        let title = match changed.len() {
            0 => format!("  No changes to {} (version {version}) yet", clean(&base.basic.channel_name)),
            n => format!(
                "  Changes to {} (version {version}): {n} field{}",
                clean(&base.basic.channel_name),
                if n == 1 { "" } else { "s" }
            ),
        };
        lines.push(Line::from(Span::styled(title, theme.title())));
        for c in &changed {
            let text = one_line(&c.line());
            for (j, chunk) in wrap(&text, text_w).into_iter().enumerate() {
                lines.push(Line::from(Span::styled(
                    if j == 0 { format!("  ~ {chunk}") } else { format!("      {chunk}") },
                    theme.warn(),
                )));
            }
        }
    }
    lines.push(Line::raw(""));
    let label_w = crate::tui::widgets::row::label_width(width, form::SPECS);
    // the last column stays free: a line reaching it would be a cut one
    let value_w = usize::from(width).saturating_sub(label_w + 6).max(8);
    for step in Step::FORMS {
        lines.push(Line::from(Span::styled(format!("  {}", step.title()), theme.title())));
        if step == Step::ChannelInfo {
            lines.push(super::form::channel_selection(&w.draft.document, "  ", label_w + 2, theme));
        }
        for field in form::visible(step, &w.draft) {
            let spec = form::spec_of(field);
            let value = review_value(state, w, field);
            // indented under the step's title; the one row renderer; a long
            // value goes on under itself rather than being cut
            let label = format!("  {}", crate::tui::widgets::row::label_of(spec, label_w));
            for (j, chunk) in wrap(&value, value_w).into_iter().enumerate() {
                if j == 0 {
                    lines.push(crate::tui::widgets::row::row(false, &label, label_w + 2, Span::raw(chunk), theme));
                } else {
                    lines.push(Line::raw(format!("{}{chunk}", " ".repeat(label_w + 2 + 1 + NO_MARKER.len()))));
                }
            }
        }
        if step == Step::Basic {
            lines.extend(super::schedule::review_week(w, state, width, theme));
            lines.extend(super::schedule::review_warnings(w, width, theme));
        }
    }
    (lines, selected_line)
}

/// How many lines of the page show at once in `height` rows: one row is
/// kept for the "more below" mark when the page does not fit.
pub fn view_height(total: usize, height: usize) -> usize {
    if total > height { height.saturating_sub(1).max(1) } else { height }
}

/// The keys that bring the rest of a page into view, as its "more" mark
/// names them: the Review page scrolls with PgDn / PgUp; a page of fields
/// follows the focus (PgDn there is the next step).
#[derive(Debug, Clone, Copy)]
pub struct ScrollKeys {
    pub down: &'static str,
    pub up: &'static str,
}

/// Review's scroll keys.
pub const PAGE_KEYS: ScrollKeys = ScrollKeys { down: "PgDn", up: "PgUp" };
/// A page of fields: the focus moves, the page follows it.
pub const FOCUS_KEYS: ScrollKeys = ScrollKeys { down: "Tab", up: "Shift-Tab" };

/// The last row of a page that does not fit in `height` rows: how much is
/// below (or, at the end, above), and the key that shows it.
pub fn more_mark(total: usize, top: usize, view: usize, height: usize, keys: ScrollKeys) -> Option<String> {
    if total <= height {
        return None;
    }
    let below = total.saturating_sub(top + view);
    Some(if below > 0 {
        format!("  ↓ {below} more line{} below · {}", if below == 1 { "" } else { "s" }, keys.down)
    } else {
        format!("  ↑ {top} line{} above · {}", if top == 1 { "" } else { "s" }, keys.up)
    })
}

pub fn render(state: &Shared, w: &Wizard, frame: &mut Frame, area: Rect, theme: &Theme) {
    let (lines, _) = lines(state, w, area.width, theme);
    let total = lines.len();
    let height = usize::from(area.height);
    let view = view_height(total, height);
    let top = w.scroll.min(total.saturating_sub(view));
    let mut shown: Vec<Line> = lines.into_iter().skip(top).take(view).collect();
    if let Some(mark) = more_mark(total, top, view, height, PAGE_KEYS) {
        shown.push(Line::from(Span::styled(mark, theme.dim())));
    }
    frame.render_widget(Paragraph::new(shown), area);
}

fn review_value(state: &Shared, w: &Wizard, field: FieldId) -> String {
    let doc = &w.draft.document;
    if w.blank.contains(&field) {
        return "(empty)".to_string();
    }
    match form::spec_of(field).kind {
        Kind::Secret { .. } => match &doc.channel_info.app_secret {
            Some(_) if w.draft.meta.channel_id.is_some() => "******** (replaced)".to_string(),
            Some(_) => "******** (set)".to_string(),
            None if w.draft.meta.channel_id.is_some() => "(unchanged)".to_string(),
            None => "(missing)".to_string(),
        },
        Kind::Toggle => if form::spec_of(field).flag(&w.draft) { "on" } else { "off" }.to_string(),
        Kind::Select(source) => {
            crate::tui::choices::describe(source, &form::spec_of(field).text(&w.draft), state.catalogue.as_ref())
        }
        Kind::Keywords => {
            doc.basic.transfer_keywords.iter().map(|k| clean(k).into_owned()).collect::<Vec<_>>().join(", ")
        }
        Kind::WorkTime => {
            let segs =
                if field == FieldId::Workday { &doc.basic.work_time.workday } else { &doc.basic.work_time.non_workday };
            segs.iter().map(|s| format!("{}–{}", clean(&s.start), clean(&s.end))).collect::<Vec<_>>().join(", ")
        }
        Kind::Number { optional: true, .. } if form::spec_of(field).number(&w.draft).is_none() => {
            "unlimited".to_string()
        }
        Kind::Number { unit, .. } => format!("{} {unit}", form::spec_of(field).text(&w.draft)),
        _ => one_line(&form::spec_of(field).text(&w.draft)),
    }
}
