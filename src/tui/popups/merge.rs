//! A submit met a newer version of the channel (412): the three-way merge,
//! field by field. What only I changed is kept, what only they changed is
//! taken, and each field both changed shows the value it had, mine and
//! theirs: Space switches the one chosen (mine until changed). Enter puts the
//! merge into the draft and submits it; Esc leaves the draft as it is
//! (nothing typed is lost either way: my values are in the draft until the
//! merge is applied, and the merge keeps them unless theirs is chosen).

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::Channel;
use crate::model::diff::{Merge, Side, merge3};
use crate::model::{ChannelDocument, fields};
use crate::sanitize::{clean, one_line};
use crate::tui::keymap::{Cmd, Ctx};
use crate::tui::msg::{Answer, Event, Outcome};
use crate::tui::text::{truncate, wrap};
use crate::tui::theme::{MARKER, NO_MARKER, Theme};
use crate::tui::widgets::popup::frame_box;

pub struct MergePopup {
    /// The channel as it now is on the server.
    pub current: Box<Channel>,
    pub merge: Merge,
    /// The side chosen for each conflict.
    pub choices: Vec<Side>,
    /// The conflict under the cursor.
    pub sel: usize,
}

impl MergePopup {
    /// The merge of my edit (made from `base`) with `current`.
    pub fn new(base: Option<&ChannelDocument>, mine: &ChannelDocument, current: Box<Channel>) -> Self {
        let merge = merge3(base, mine, &current.document);
        let choices = vec![Side::Mine; merge.conflicts.len()];
        Self { current, merge, choices, sel: 0 }
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        let mut v = Vec::new();
        if self.merge.conflicts.len() > 1 {
            v.push(Ctx::MergeList);
        }
        if !self.merge.conflicts.is_empty() {
            v.push(Ctx::MergeChoice);
        }
        v.push(Ctx::Merge);
        v
    }

    /// The document the merge makes with the choices so far.
    pub fn document(&self) -> ChannelDocument {
        self.merge.resolve(&self.choices)
    }

    pub fn update(&mut self, cmd: Cmd) -> Outcome {
        let n = self.merge.conflicts.len();
        match cmd {
            Cmd::Back => Outcome::close(),
            Cmd::Up if n > 0 => {
                self.sel = (self.sel + n - 1) % n;
                Outcome::none()
            }
            Cmd::Down if n > 0 => {
                self.sel = (self.sel + 1) % n;
                Outcome::none()
            }
            Cmd::Select if n > 0 => {
                let c = &mut self.choices[self.sel];
                *c = if *c == Side::Mine { Side::Theirs } else { Side::Mine };
                Outcome::none()
            }
            Cmd::Left if n > 0 => {
                self.choices[self.sel] = Side::Mine;
                Outcome::none()
            }
            Cmd::Right if n > 0 => {
                self.choices[self.sel] = Side::Theirs;
                Outcome::none()
            }
            Cmd::Activate => Outcome::event(Event::Answer(Answer::Merged {
                document: Box::new(self.document()),
                current: self.current.clone(),
            }))
            .closing(),
            _ => Outcome::none(),
        }
    }

    pub fn render(&self, frame: &mut Frame, theme: &Theme) {
        let area = frame.area();
        let w = area.width.saturating_sub(4).clamp(20, 76);
        let max_h = area.height.saturating_sub(2).clamp(6, 20);
        // the box's inner width (frame_box draws a one-cell border)
        let width = usize::from(w.saturating_sub(2));
        let mut lines: Vec<Line> = Vec::new();
        let mut sel_line = 0;
        let intro = format!(
            "{} is now at version {} (updated {}). Your edit is merged with it field by field:",
            clean(&self.current.document.basic.channel_name),
            self.current.version,
            self.current.updated.format("%Y-%m-%d %H:%M UTC"),
        );
        lines.extend(wrap(&intro, width).into_iter().map(Line::raw));
        let names = |paths: &[String]| {
            paths.iter().map(|p| fields::label(p).to_string()).filter(|l| !l.is_empty()).collect::<Vec<_>>()
        };
        let mut kept = names(&self.merge.kept);
        if self.document().channel_info.app_secret.is_some() {
            kept.push("APP Secret (replaced)".into());
        }
        for (title, list, style) in
            [("✓ yours kept: ", kept, theme.ok()), ("✓ theirs taken: ", names(&self.merge.taken), theme.dim())]
        {
            if !list.is_empty() {
                for (i, chunk) in wrap(&format!("{title}{}", list.join(", ")), width).into_iter().enumerate() {
                    lines.push(Line::from(Span::styled(if i == 0 { chunk } else { format!("  {chunk}") }, style)));
                }
            }
        }
        if self.merge.conflicts.is_empty() {
            lines.push(Line::raw("No field was changed on both sides."));
        } else {
            lines.push(Line::from(Span::styled(
                format!("Changed on both sides ({}): Space switches mine/theirs", self.merge.conflicts.len()),
                theme.title(),
            )));
        }
        let value_w = width.saturating_sub(14);
        for (i, c) in self.merge.conflicts.iter().enumerate() {
            let selected = i == self.sel;
            if selected {
                sel_line = lines.len();
            }
            let lead = if selected { MARKER } else { NO_MARKER };
            let style = if selected { theme.focus() } else { theme.title() };
            lines.push(Line::from(vec![Span::raw(lead), Span::styled(clean(c.label()).into_owned(), style)]));
            let was = c.base.as_deref().unwrap_or("(not known: the draft predates this release)");
            lines.push(Line::from(Span::styled(
                format!("      was    {}", truncate(&one_line(was), value_w)),
                theme.dim(),
            )));
            for (side, label, value) in [(Side::Mine, "mine  ", &c.mine), (Side::Theirs, "theirs", &c.theirs)] {
                let chosen = self.choices[i] == side;
                let mark = if chosen { "(•)" } else { "( )" };
                lines.push(Line::from(vec![
                    Span::raw(format!("  {mark} {label} ")),
                    Span::styled(truncate(&one_line(value), value_w), if chosen { theme.ok() } else { theme.dim() }),
                ]));
            }
        }
        let keys = "[Enter] submit the merge   [Esc] later: the draft stays";
        let h = u16::try_from(lines.len() + 3).unwrap_or(u16::MAX).min(max_h);
        let inner = frame_box(frame, w, h, "The channel changed on the server");
        let body_h = usize::from(inner.height).saturating_sub(1);
        let top = (sel_line + 4).saturating_sub(body_h);
        let mut shown: Vec<Line> = lines.into_iter().skip(top).take(body_h).collect();
        let keys = if crate::tui::text::width(keys) <= width { keys } else { "[Enter] submit  [Esc] later" };
        shown.push(Line::from(Span::styled(truncate(keys, width), theme.key())));
        frame.render_widget(Paragraph::new(shown), inner);
    }
}
