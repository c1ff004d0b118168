//! List editors: keywords for transfer, and work-time segments with the day
//! drawn as a 00–24 bar. The line being edited is in the draft as it is
//! typed (a new item appears once it holds something), so autosave covers
//! it; Esc on the line puts back what was there before.

use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::drafts::Draft;
use crate::model::validate::{KEYWORD_MAX, KEYWORDS_MAX, SEGMENTS_MAX};
use crate::model::{Segment, parse_hhmm};
use crate::sanitize::clean;
use crate::tui::form::{self as fields, FieldId, Value};
use crate::tui::keymap::{Cmd, Ctx};
use crate::tui::msg::Outcome;
use crate::tui::screens::wizard::{Wizard, apply_edit};
use crate::tui::state::Shared;
use crate::tui::text::{width, wrap};
use crate::tui::theme::{MARKER, NO_MARKER, Theme};
use crate::tui::widgets::line_input::LineInput;
use crate::tui::widgets::popup::{Place, frame_box_at};

/// One item of a list field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Word(String),
    Segment(Segment),
}

/// The line being edited.
pub struct ListEdit {
    /// Its place in the list.
    pub index: usize,
    /// One input for a keyword; start and end for a segment.
    pub inputs: Vec<LineInput>,
    pub part: usize,
    /// What was there before (None: a new item).
    pub original: Option<Item>,
    /// The new item is in the list (it holds something).
    pub present: bool,
    /// Per input: it holds a value nothing was typed into yet, so the
    /// first digit typed replaces it (a time is typed over, as a selected
    /// field is).
    pub fresh: Vec<bool>,
}

pub struct ListEditor {
    pub field: FieldId,
    pub selected: usize,
    pub editing: Option<ListEdit>,
    /// Why the last key was refused, or what it did.
    pub note: Option<String>,
    /// Items removed, the last last, with their places: Ctrl-Z puts back.
    pub removed: Vec<(usize, Item)>,
}

fn is_time(field: FieldId) -> bool {
    field != FieldId::Keywords
}

fn len(draft: &Draft, field: FieldId) -> usize {
    match &fields::spec_of(field).value {
        Value::Words { get, .. } => get(draft).len(),
        Value::Segments { get, .. } => get(draft).len(),
        _ => 0,
    }
}

fn item(draft: &Draft, field: FieldId, i: usize) -> Option<Item> {
    match &fields::spec_of(field).value {
        Value::Words { get, .. } => get(draft).get(i).cloned().map(Item::Word),
        Value::Segments { get, .. } => get(draft).get(i).cloned().map(Item::Segment),
        _ => None,
    }
}

fn put(draft: &mut Draft, field: FieldId, i: usize, value: Option<Item>, insert: bool) {
    match (&fields::spec_of(field).value, value) {
        (Value::Words { get_mut, .. }, v) => {
            let list = get_mut(draft);
            match v {
                Some(Item::Word(w)) if insert => list.insert(i.min(list.len()), w),
                Some(Item::Word(w)) if i < list.len() => list[i] = w,
                None if i < list.len() => {
                    list.remove(i);
                }
                _ => {}
            }
        }
        (Value::Segments { get_mut, .. }, v) => {
            let list = get_mut(draft);
            match v {
                Some(Item::Segment(s)) if insert => list.insert(i.min(list.len()), s),
                Some(Item::Segment(s)) if i < list.len() => list[i] = s,
                None if i < list.len() => {
                    list.remove(i);
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// An item as a message names it: 'agent', 09:00–12:00.
fn describe(item: &Item) -> String {
    match item {
        Item::Word(w) => format!("'{}'", clean(w)),
        Item::Segment(s) => format!("{}–{}", clean(&s.start), clean(&s.end)),
    }
}

impl ListEdit {
    fn value(&self, field: FieldId) -> Item {
        if is_time(field) {
            Item::Segment(Segment { start: self.inputs[0].text(), end: self.inputs[1].text() })
        } else {
            Item::Word(self.inputs[0].text())
        }
    }

    fn is_blank(&self) -> bool {
        self.inputs.iter().all(|i| i.text().trim().is_empty())
    }
}

impl ListEditor {
    /// Open on `field`; an empty list starts with a new line to type into.
    pub fn open(w: &Wizard, field: FieldId) -> Self {
        let mut editor = Self { field, selected: 0, editing: None, note: None, removed: Vec::new() };
        if len(&w.draft, field) == 0 {
            editor.start(w, None);
        }
        editor
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        match &self.editing {
            // the line takes the keys of every line input (Ctrl-U, Ctrl-W…)
            Some(_) if is_time(self.field) => vec![Ctx::TimeEdit, Ctx::ListEdit, Ctx::TextInput],
            Some(_) => vec![Ctx::ListEdit, Ctx::TextInput],
            None => vec![Ctx::ListPopup],
        }
    }

    /// Start editing item `index` (None: a new one at the end).
    fn start(&mut self, w: &Wizard, index: Option<usize>) {
        let n = len(&w.draft, self.field);
        let original = index.and_then(|i| item(&w.draft, self.field, i));
        let inputs = match (&original, is_time(self.field)) {
            (Some(Item::Word(t)), _) => vec![LineInput::new(t)],
            (Some(Item::Segment(s)), _) => vec![LineInput::new(&s.start), LineInput::new(&s.end)],
            (None, true) => vec![LineInput::default(), LineInput::default()],
            (None, false) => vec![LineInput::default()],
        };
        let index = index.unwrap_or(n);
        self.selected = index;
        let fresh = inputs.iter().map(|i| is_time(self.field) && !i.is_empty()).collect();
        self.editing = Some(ListEdit { index, inputs, part: 0, present: original.is_some(), original, fresh });
    }

    /// Write the line as it is into the draft.
    fn sync(&mut self, w: &mut Wizard, shared: &Shared) {
        let field = self.field;
        let Some(edit) = self.editing.as_mut() else { return };
        let blank = edit.is_blank();
        let value = edit.value(field);
        let (index, present, new) = (edit.index, edit.present, edit.original.is_none());
        if new && blank {
            if present {
                w.edit(field, shared, |d| put(d, field, index, None, false));
                edit.present = false;
            }
        } else if present {
            if item(&w.draft, field, index).as_ref() != Some(&value) {
                w.edit(field, shared, |d| put(d, field, index, Some(value), false));
            }
        } else {
            w.edit(field, shared, |d| put(d, field, index, Some(value), true));
            edit.present = true;
        }
    }

    /// Esc on the line: put back what was there.
    fn undo(&mut self, w: &mut Wizard, shared: &Shared) {
        let field = self.field;
        let Some(edit) = self.editing.take() else { return };
        match edit.original {
            Some(orig) if item(&w.draft, field, edit.index).as_ref() != Some(&orig) => {
                w.edit(field, shared, |d| put(d, field, edit.index, Some(orig), false));
            }
            Some(_) => {}
            None if edit.present => w.edit(field, shared, |d| put(d, field, edit.index, None, false)),
            None => {}
        }
    }

    /// Enter on the line: keep it (a keyword emptied is removed; segments are
    /// put in time order, as the bar shows them).
    fn keep(&mut self, w: &mut Wizard, shared: &Shared) {
        let field = self.field;
        let Some(edit) = self.editing.take() else { return };
        if edit.is_blank() && edit.present {
            w.edit(field, shared, |d| put(d, field, edit.index, None, false));
        } else if !is_time(field)
            && let Some(Item::Word(word)) = item(&w.draft, field, edit.index)
            && word.trim() != word
        {
            w.edit(field, shared, |d| put(d, field, edit.index, Some(Item::Word(word.trim().to_string())), false));
        }
        if let Value::Segments { get, get_mut } = &fields::spec_of(field).value {
            let sorted = {
                let mut s = get(&w.draft).clone();
                s.sort_by_key(|s| parse_hhmm(&s.start).unwrap_or(u32::MAX));
                s
            };
            if &sorted != get(&w.draft) {
                w.edit(field, shared, |d| *get_mut(d) = sorted);
            }
        }
        w.touched.insert(field);
        self.selected = self.selected.min(len(&w.draft, field));
    }

    pub fn update(&mut self, cmd: Cmd, c: Option<char>, w: &mut Wizard, shared: &mut Shared) -> Outcome {
        let field = self.field;
        let time = is_time(field);
        let count = len(&w.draft, field);
        let max = if time { SEGMENTS_MAX } else { KEYWORDS_MAX };
        self.note = None;
        if let Some(edit) = self.editing.as_mut() {
            let new_blank = edit.original.is_none() && edit.is_blank();
            match cmd {
                // Esc or Enter on an empty new line: the editor is done
                Cmd::Back | Cmd::Activate if new_blank => {
                    self.editing = None;
                    w.touched.insert(field);
                    return Outcome::close();
                }
                Cmd::Back => {
                    self.undo(w, shared);
                    return Outcome::none();
                }
                // ↑ keeps the line and moves to the list, on the item above
                Cmd::Up => {
                    let index = edit.index;
                    if new_blank {
                        self.editing = None;
                    } else {
                        self.keep(w, shared);
                    }
                    self.selected = index.saturating_sub(1).min(len(&w.draft, field));
                    return Outcome::none();
                }
                Cmd::Activate => {
                    let added = edit.original.is_none();
                    self.keep(w, shared);
                    // a keyword kept, the next one is typed at once
                    if added && !time && len(&w.draft, field) < max {
                        self.start(w, None);
                    }
                    return Outcome::none();
                }
                Cmd::NextField if time => {
                    edit.part = 1;
                    edit.fresh[1] = !edit.inputs[1].is_empty();
                }
                Cmd::PrevField if time => {
                    edit.part = 0;
                    edit.fresh[0] = !edit.inputs[0].is_empty();
                }
                Cmd::Insert => {
                    let Some(c) = c else { return Outcome::none() };
                    let part = edit.part;
                    if time {
                        if !c.is_ascii_digit() && c != ':' {
                            self.note = Some("a time is HH:MM: digits only".into());
                        } else {
                            if edit.fresh[part] {
                                edit.inputs[part] = LineInput::default();
                                edit.fresh[part] = false;
                            }
                            let input = &mut edit.inputs[part];
                            if input.len() >= 5 {
                                self.note = Some(format!(
                                    "the {} time HH:MM is complete: Backspace or Ctrl-U to change it{}",
                                    if part == 0 { "start" } else { "end" },
                                    if part == 0 { ", Tab to the end time" } else { "" }
                                ));
                            } else {
                                if c != ':' {
                                    input.insert(c);
                                }
                                if input.len() == 2 && input.cursor() == 2 {
                                    input.insert(':');
                                }
                                if input.len() == 5 && part == 0 {
                                    edit.part = 1;
                                    edit.fresh[1] = !edit.inputs[1].is_empty();
                                }
                            }
                        }
                    } else if c == ',' || c == ';' {
                        self.note = Some("a keyword may not contain ',' or ';'".into());
                    } else if edit.inputs[part].len() < KEYWORD_MAX {
                        edit.inputs[part].insert(c);
                    } else {
                        self.note = Some(format!("a keyword is at most {KEYWORD_MAX} characters"));
                    }
                }
                Cmd::Backspace => {
                    edit.fresh[edit.part] = false;
                    let input = &mut edit.inputs[edit.part];
                    input.backspace();
                    if time && input.text().ends_with(':') {
                        input.backspace();
                    }
                }
                _ => {
                    edit.fresh[edit.part] = false;
                    apply_edit(&mut edit.inputs[edit.part], cmd, c);
                }
            }
            self.sync(w, shared);
            return Outcome::none();
        }
        match cmd {
            Cmd::Back => {
                w.touched.insert(field);
                return Outcome::close();
            }
            Cmd::Up => self.selected = self.selected.saturating_sub(1),
            Cmd::Down => self.selected = (self.selected + 1).min(count),
            Cmd::Activate | Cmd::NewDraft | Cmd::Insert => {
                let index = (cmd == Cmd::Activate && self.selected < count).then_some(self.selected);
                if index.is_none() && count >= max {
                    self.note = Some(format!("at most {max} are allowed"));
                } else {
                    self.start(w, index);
                    // a character typed on the list is the new item's first
                    if cmd == Cmd::Insert {
                        return self.update(Cmd::Insert, c, w, shared);
                    }
                }
            }
            Cmd::DeleteItem if self.selected < count => {
                let i = self.selected;
                if let Some(gone) = item(&w.draft, field, i) {
                    self.note = Some(format!("removed {} · Ctrl-Z puts it back", describe(&gone)));
                    self.removed.push((i, gone));
                }
                w.edit(field, shared, |d| put(d, field, i, None, false));
            }
            Cmd::Undo => match self.removed.pop() {
                Some((i, back)) if count < max => {
                    self.note = Some(format!("{} is back", describe(&back)));
                    w.edit(field, shared, |d| put(d, field, i, Some(back), true));
                    self.selected = i.min(count);
                }
                Some(back) => {
                    self.removed.push(back);
                    self.note = Some(format!("at most {max} are allowed"));
                }
                None => self.note = Some("nothing removed to put back".into()),
            },
            _ => {}
        }
        Outcome::none()
    }

    /// Pasted text, typed key by key with the same rules. Keywords: `,`,
    /// `;`, tabs and line breaks separate keywords ("agent, human" adds
    /// two). Times: anything between two times ("08:30-12:00") moves to
    /// the end. What was refused is said once.
    pub fn paste(&mut self, text: &str, w: &mut Wizard, shared: &mut Shared) {
        let field = self.field;
        let time = is_time(field);
        let max = if time { SEGMENTS_MAX } else { KEYWORDS_MAX };
        let mut notes: Vec<String> = Vec::new();
        let mut note = |n: &Option<String>| {
            if let Some(n) = n
                && !notes.contains(n)
            {
                notes.push(n.clone());
            }
        };
        let mut added = 0;
        if time {
            if self.editing.is_none() {
                self.update(Cmd::NewDraft, None, w, shared);
                note(&self.note);
            }
            for c in text.trim().chars() {
                let Some(edit) = self.editing.as_mut() else { break };
                if !c.is_ascii_digit() && c != ':' && edit.part == 0 && !edit.inputs[0].is_empty() {
                    edit.part = 1;
                    continue;
                }
                if edit.part == 1 && !c.is_ascii_digit() && c != ':' && edit.inputs[1].is_empty() {
                    continue;
                }
                self.update(Cmd::Insert, Some(c), w, shared);
                note(&self.note);
            }
        } else {
            let pieces: Vec<&str> =
                text.split([',', ';', '\n', '\r', '\t']).map(str::trim).filter(|p| !p.is_empty()).collect();
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 || self.editing.is_none() {
                    if self.editing.is_some() {
                        self.keep(w, shared);
                    }
                    if len(&w.draft, field) >= max {
                        note(&Some(format!("at most {max} are allowed: {} not added", pieces.len() - i)));
                        break;
                    }
                    self.start(w, None);
                }
                for c in piece.chars() {
                    self.update(Cmd::Insert, Some(c), w, shared);
                    note(&self.note);
                }
                added += 1;
            }
        }
        self.note = match (notes.is_empty(), added) {
            (true, 0 | 1) => None,
            (true, n) => Some(format!("pasted {n} keywords")),
            (false, _) => Some(format!("pasted: {}", notes.join("; "))),
        };
    }

    pub fn render(&self, w: &Wizard, frame: &mut Frame, theme: &Theme, place: Place) {
        let field = self.field;
        let time = is_time(field);
        let n = len(&w.draft, field);
        let items: Vec<Item> = (0..n).filter_map(|i| item(&w.draft, field, i)).collect();
        let label = fields::spec_of(field).label;
        let extra = u16::from(self.editing.as_ref().is_some_and(|e| !e.present));
        // the box's inner width, to wrap errors in (the box is drawn once
        // its lines are known, tall enough for them)
        let inner_w = usize::from(66.min(frame.area().width.saturating_sub(2)).max(10) - 2);
        let wrapped = |lead: &str, text: &str, style| -> Vec<Line<'static>> {
            wrap(text, inner_w.saturating_sub(width(lead) + 1))
                .into_iter()
                .enumerate()
                .map(|(i, chunk)| {
                    let lead = if i == 0 { lead.to_string() } else { " ".repeat(width(lead)) };
                    Line::from(Span::styled(format!("{lead}{chunk}"), style))
                })
                .collect()
        };
        let mut lines: Vec<Line> = Vec::new();
        let mut cursor = None;
        if time {
            let segs: Vec<Segment> =
                items.iter().filter_map(|i| if let Item::Segment(s) = i { Some(s.clone()) } else { None }).collect();
            lines.push(Line::from(Span::styled("  00    03    06    09    12    15    18    21   24", theme.dim())));
            lines.push(Line::raw(format!("  {}", day_bar(&segs))));
            lines.push(Line::raw(""));
        }
        let path = fields::spec_of(field).path;
        let errors = w.errors_of(field);
        for (i, it) in items.iter().enumerate() {
            let selected = i == self.selected;
            let editing = self.editing.as_ref().filter(|e| e.index == i && e.present);
            let error = errors.iter().find(|e| e.path.starts_with(&format!("{path}[{i}]")));
            let mut spans = vec![Span::raw(if selected { MARKER } else { NO_MARKER })];
            match editing {
                Some(edit) => {
                    let (edit_spans, col) = edit_spans(edit, time, theme);
                    cursor = Some((lines.len(), 2 + col));
                    spans.extend(edit_spans);
                }
                None => {
                    let text = match it {
                        Item::Word(t) => clean(t).into_owned(),
                        Item::Segment(s) => format!("{}–{}", clean(&s.start), clean(&s.end)),
                    };
                    spans.push(Span::styled(text, if selected { theme.focus() } else { Default::default() }))
                }
            }
            lines.push(Line::from(spans));
            // the item's error under it, whole
            if let Some(e) = error {
                lines.extend(wrapped("    ✗ ", &clean(&e.message), theme.error()));
            }
        }
        match self.editing.as_ref().filter(|e| !e.present) {
            Some(edit) => {
                let (edit_spans, col) = edit_spans(edit, time, theme);
                cursor = Some((lines.len(), 2 + col));
                let mut spans = vec![Span::raw(MARKER)];
                spans.extend(edit_spans);
                lines.push(Line::from(spans));
            }
            None if self.editing.is_none() => {
                let add_selected = self.selected >= n;
                lines.push(Line::from(vec![
                    Span::raw(if add_selected { MARKER } else { NO_MARKER }),
                    Span::styled(
                        if time { "+ add segment" } else { "+ add keyword" },
                        if add_selected { theme.focus() } else { theme.dim() },
                    ),
                ]))
            }
            None => {}
        }
        lines.push(Line::raw(""));
        if let Some(note) = &self.note {
            lines.extend(wrapped("  ", note, theme.warn()));
        } else if let Some(e) = errors.iter().find(|e| e.path == path) {
            lines.extend(wrapped("  ✗ ", &clean(&e.message), theme.error()));
        }
        let height = (lines.len() as u16 + 2).max(n as u16 + extra + 9);
        let inner = frame_box_at(frame, 66, height, label, place);
        frame.render_widget(Paragraph::new(lines), inner);
        if let Some((line, col)) = cursor {
            frame.set_cursor_position(Position { x: inner.x + col as u16, y: inner.y + line as u16 });
        }
    }
}

/// The day as 48 half-hour cells: `█` worked, `·` not.
pub fn day_bar(segments: &[Segment]) -> String {
    (0..48u32)
        .map(|cell| {
            let (from, to) = (cell * 30, cell * 30 + 30);
            let covered = segments.iter().any(|s| match (parse_hhmm(&s.start), parse_hhmm(&s.end)) {
                (Some(a), Some(b)) => a < to && b > from,
                _ => false,
            });
            if covered { '█' } else { '·' }
        })
        .collect()
}

/// The line being edited, and the cursor column in it.
fn edit_spans(edit: &ListEdit, time: bool, theme: &Theme) -> (Vec<Span<'static>>, usize) {
    if time {
        let start = edit.inputs[0].text();
        let end = edit.inputs[1].text();
        let spans = vec![
            Span::styled("start ", theme.dim()),
            Span::raw(format!("{start:<5}")),
            Span::styled("  end ", theme.dim()),
            Span::raw(format!("{end:<5}")),
            Span::styled("   HH:MM, Tab switches", theme.dim()),
        ];
        let col = if edit.part == 0 { 6 + edit.inputs[0].cursor() } else { 6 + 5 + 6 + edit.inputs[1].cursor() };
        (spans, col)
    } else {
        let (text, col) = edit.inputs[0].view(40, None);
        (vec![Span::raw(clean(&text).into_owned())], col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_marks_worked_half_hours() {
        let bar = day_bar(&[Segment::new("00:00", "01:00"), Segment::new("23:30", "24:00")]);
        assert_eq!(bar.chars().count(), 48);
        assert!(bar.starts_with("██·"));
        assert!(bar.ends_with("·█"));
        assert_eq!(day_bar(&[]).chars().filter(|c| *c == '█').count(), 0);
    }
}
