//! Step 4: Submit, the errors (Enter jumps to the field), every value.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Submit, Wizard};
use crate::sanitize::clean;
use crate::tui::form::{self, FieldId, Kind, Step};
use crate::tui::state::Shared;
use crate::tui::text::{truncate, wrap};
use crate::tui::theme::{MARKER, NO_MARKER, Theme};

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn render(state: &Shared, w: &Wizard, frame: &mut Frame, area: Rect, theme: &Theme) {
    let errors = w.all_errors();
    let mut lines: Vec<Line> = Vec::new();
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
        Submit::Idle => Span::styled("ready".to_string(), theme.ok()),
    };
    let submit_sel = w.review_sel == 0;
    lines.push(Line::from(vec![
        Span::raw(if submit_sel { MARKER } else { NO_MARKER }),
        Span::styled("[ Submit ]", if submit_sel { theme.focus() } else { theme.title() }),
        Span::raw("  "),
        status,
    ]));
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
            for (j, chunk) in wrap(&text, usize::from(area.width).saturating_sub(6)).into_iter().enumerate() {
                let lead = if j == 0 && selected { MARKER } else { NO_MARKER };
                let style = if selected { theme.focus() } else { theme.error() };
                lines.push(Line::from(vec![
                    Span::raw(lead),
                    Span::styled(if j == 0 { chunk } else { format!("  {chunk}") }, style),
                ]));
            }
        }
    }
    lines.push(Line::raw(""));
    let label_w = crate::tui::widgets::row::label_width(area.width);
    let value_w = usize::from(area.width).saturating_sub(label_w + 5);
    for step in Step::FORMS {
        lines.push(Line::from(Span::styled(format!("  {}", step.title()), theme.title())));
        for field in form::visible(step, &w.draft) {
            let spec = form::spec_of(field);
            let value = review_value(state, w, field);
            // indented under the step's title; the one row renderer
            let label = format!("  {}", crate::tui::widgets::row::label_of(spec));
            let value = Span::raw(truncate(&value, value_w));
            lines.push(crate::tui::widgets::row::row(false, &label, label_w + 2, value, theme));
        }
    }
    let height = usize::from(area.height);
    let top = selected_line.saturating_sub(height.saturating_sub(3));
    frame.render_widget(Paragraph::new(lines.into_iter().skip(top).take(height).collect::<Vec<_>>()), area);
}

fn review_value(state: &Shared, w: &Wizard, field: FieldId) -> String {
    let doc = &w.draft.document;
    match form::spec_of(field).kind {
        Kind::Secret { .. } => match &doc.channel_info.app_secret {
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
        _ => clean(&form::spec_of(field).text(&w.draft).replace('\n', " ⏎ ")).into_owned(),
    }
}
