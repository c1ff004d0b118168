//! Select with type-to-filter: OUs as tree paths, certificates with role and
//! expiry (expired ones marked), queues, chatbots, assistants. Choosing
//! writes the id into the wizard's draft.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::CertRole;
use crate::tui::choices::{self, Choice};
use crate::tui::form::{self as fields, FieldId};
use crate::tui::keymap::Cmd;
use crate::tui::msg::Outcome;
use crate::tui::msg::{CertSource, Effect};
use crate::tui::screens::wizard::Wizard;
use crate::tui::state::Shared;
use crate::tui::text::truncate;
use crate::tui::theme::{MARKER, NO_MARKER, Theme};
use crate::tui::widgets::line_input::LineInput;
use crate::tui::widgets::popup::{Place, frame_box_at};

pub struct Select {
    pub field: FieldId,
    pub choices: Vec<Choice>,
    pub query: LineInput,
    /// Indexes into `choices` matching the query, best first.
    pub shown: Vec<usize>,
    pub selected: usize,
    /// No certificate of the field's role is uploaded: the picker offers to
    /// import one from a file path typed in place of the filter.
    pub import: Option<Box<ImportOffer>>,
}

/// The empty certificate picker's offer.
pub struct ImportOffer {
    pub role: CertRole,
    /// Sent; waiting for the backend's answer.
    pub pending: bool,
    /// Why the last import was refused.
    pub error: Option<String>,
    /// The BaseUrl typed, to fetch the trust certificate from.
    pub base_url: Option<String>,
    /// The certificate the BaseUrl presented, shown for a check before it is
    /// imported.
    pub fetched: Option<crate::client::certs::CertInfo>,
}

impl Select {
    pub fn new(field: FieldId, choices: Vec<Choice>, current: &str) -> Self {
        let mut s = Self { field, choices, query: LineInput::default(), shown: vec![], selected: 0, import: None };
        s.refilter();
        s.selected = s.shown.iter().position(|&i| s.choices[i].id == current).unwrap_or(0);
        s
    }

    /// The picker of a certificate field when the tenant has none of its
    /// role: it says so and imports a file whose path is typed.
    pub fn importing(field: FieldId, role: CertRole, base_url: &str) -> Self {
        let mut s = Self::new(field, Vec::new(), "");
        let base_url =
            (role == CertRole::Trust && base_url.trim().starts_with("https://")).then(|| base_url.trim().to_string());
        s.import = Some(Box::new(ImportOffer { role, pending: false, error: None, base_url, fetched: None }));
        s
    }

    /// The BaseUrl's certificate came (or did not).
    pub fn fetched(&mut self, result: Result<crate::client::certs::CertInfo, String>) {
        if let Some(offer) = self.import.as_mut() {
            offer.pending = false;
            match result {
                Ok(info) => {
                    offer.error = None;
                    offer.fetched = Some(info);
                }
                Err(e) => offer.error = Some(format!("Not fetched: {}", crate::sanitize::clean(&e))),
            }
        }
    }

    /// The import was refused: the path stays for another try.
    pub fn import_failed(&mut self, why: &str) {
        if let Some(offer) = self.import.as_mut() {
            offer.pending = false;
            offer.error = Some(crate::sanitize::clean(why).into_owned());
        }
    }

    fn refilter(&mut self) {
        self.shown = choices::filter(&self.choices, &self.query.text());
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    pub fn update(&mut self, cmd: Cmd, c: Option<char>, w: &mut Wizard, shared: &mut Shared) -> Outcome {
        match cmd {
            Cmd::Back => return Outcome::close(),
            Cmd::Activate if self.import.is_some() => {
                let path = self.query.text().trim().to_string();
                let Some(offer) = self.import.as_mut() else { return Outcome::none() };
                if offer.pending {
                    return Outcome::none();
                }
                if path.is_empty() {
                    // a certificate nobody verified is taken only by a
                    // deliberate y, never by a hurried Enter
                    if offer.fetched.is_some() {
                        offer.error = Some("Press y to import it (Enter does not), or Esc to leave it.".into());
                        return Outcome::none();
                    }
                    if let Some(url) = offer.base_url.clone() {
                        offer.pending = true;
                        offer.error = None;
                        return Outcome::effect(Effect::FetchCertificate { field: self.field, url });
                    }
                    offer.error = Some("Type the path of the certificate file first.".into());
                    return Outcome::none();
                }
                offer.pending = true;
                offer.error = None;
                let from = CertSource::File(expand_home(&path));
                return Outcome::effect(Effect::ImportCertificate { field: self.field, from, role: offer.role });
            }
            Cmd::Activate => {
                let Some(&i) = self.shown.get(self.selected) else { return Outcome::none() };
                let id = self.choices[i].id.clone();
                w.set_text(self.field, id, shared);
                // on to the next field of the step, but never off the step:
                // the choice made in its last field stays in view
                let effects = w.update(Cmd::Down, None, shared);
                return effects.closing();
            }
            Cmd::Up => self.selected = self.selected.saturating_sub(1),
            Cmd::Down => self.selected = (self.selected + 1).min(self.shown.len().saturating_sub(1)),
            Cmd::Insert if c == Some('y') && self.query.is_empty() => {
                if let Some(offer) = self.import.as_mut()
                    && !offer.pending
                    && let Some(info) = &offer.fetched
                {
                    let host = offer.base_url.as_deref().unwrap_or("").trim_start_matches("https://");
                    let name: String = format!("Fetched from {host}").chars().take(64).collect();
                    let from = CertSource::Fetched { der: info.der.clone(), name };
                    offer.pending = true;
                    offer.error = None;
                    return Outcome::effect(Effect::ImportCertificate { field: self.field, from, role: offer.role });
                }
                if crate::tui::screens::wizard::apply_edit(&mut self.query, cmd, c) {
                    self.refilter();
                }
            }
            _ => {
                if crate::tui::screens::wizard::apply_edit(&mut self.query, cmd, c) {
                    self.refilter();
                    // the refusal was of the path as it was
                    if let Some(offer) = self.import.as_mut() {
                        offer.error = None;
                    }
                }
            }
        }
        Outcome::none()
    }

    pub fn paste(&mut self, text: &str) {
        let _ = self.query.paste(text, |c| !c.is_control(), 64);
        self.refilter();
    }

    pub fn render(&self, frame: &mut Frame, theme: &Theme, place: Place) {
        let label = fields::spec_of(self.field).label;
        if let Some(offer) = &self.import {
            return self.render_import(frame, theme, label, offer, place);
        }
        let rows = self.shown.len().max(1) as u16;
        let inner = frame_box_at(frame, 70, rows + 4, &format!("{label} — type to filter"), place);
        let (query, col) = self.query.view(usize::from(inner.width).saturating_sub(10), None);
        frame.render_widget(
            Paragraph::new(Line::from(vec![Span::styled("filter: ", theme.dim()), Span::raw(query)])),
            Rect { height: 1, ..inner },
        );
        frame.set_cursor_position(Position { x: inner.x + 8 + col as u16, y: inner.y });
        let list_area = Rect { y: inner.y + 2, height: inner.height.saturating_sub(2), ..inner };
        let height = usize::from(list_area.height);
        let top = self.selected.saturating_sub(height.saturating_sub(1));
        let width = usize::from(list_area.width).saturating_sub(2);
        let mut lines = Vec::new();
        if self.shown.is_empty() {
            lines.push(Line::from(Span::styled("  nothing matches", theme.dim())));
        }
        for (pos, &i) in self.shown.iter().enumerate().skip(top).take(height) {
            let c = &self.choices[i];
            let selected = pos == self.selected;
            let mut spans = vec![
                Span::raw(if selected { MARKER } else { NO_MARKER }),
                Span::styled(truncate(&c.label, width / 2), if selected { theme.focus() } else { Default::default() }),
                Span::styled(format!("  {}", truncate(&c.detail, width / 2)), theme.dim()),
            ];
            if let Some(w) = &c.warning {
                spans.push(Span::styled(format!("  {w}"), theme.error()));
            }
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), list_area);
    }

    fn render_import(&self, frame: &mut Frame, theme: &Theme, label: &str, offer: &ImportOffer, place: Place) {
        let role = offer.role.as_str();
        // the box's inner width: every text is cut to it so the box holds it all
        let width = usize::from(frame.area().width.saturating_sub(4).min(74)).max(20);
        let mut texts: Vec<(String, ratatui::style::Style)> = vec![
            (format!("No {role} certificate has been uploaded to this tenant yet."), theme.error()),
            ("Type the path of its file (PEM or DER) and press Enter to import it.".into(), Default::default()),
            ("To get one: chanwiz certs fetch https://IP:PORT (writes .pem and .cer)".into(), theme.dim()),
        ];
        if let Some(info) = &offer.fetched {
            texts.push((String::new(), Default::default()));
            texts.push(("The BaseUrl presented (NOT verified):".into(), Default::default()));
            for l in info.describe().lines() {
                texts.push((l.to_string(), Default::default()));
            }
            texts.push(("Compare the SHA-256 with the server's administrator:".into(), theme.focus()));
            texts.push((
                "y imports it (Enter does not); a path typed instead imports that file; Esc leaves.".into(),
                theme.focus(),
            ));
        } else if let Some(url) = &offer.base_url {
            texts.push((format!("Or press Enter with no path to fetch it from {url}"), Default::default()));
        }
        if offer.pending {
            texts.push(("working…".into(), theme.dim()));
        } else if let Some(e) = &offer.error {
            texts.push((e.clone(), theme.error()));
        }
        let lines: Vec<Line> = texts
            .iter()
            .flat_map(|(t, style)| {
                crate::tui::text::wrap(t, width).into_iter().map(move |l| Line::from(Span::styled(l, *style)))
            })
            .collect();
        let inner = frame_box_at(frame, 76, lines.len() as u16 + 4, &format!("{label} — import a certificate"), place);
        let (query, col) = self.query.view(usize::from(inner.width).saturating_sub(8), None);
        frame.render_widget(
            Paragraph::new(Line::from(vec![Span::styled("file: ", theme.dim()), Span::raw(query)])),
            Rect { height: 1, ..inner },
        );
        frame.set_cursor_position(Position { x: inner.x + 6 + col as u16, y: inner.y });
        let area = Rect { y: inner.y + 2, height: inner.height.saturating_sub(2), ..inner };
        frame.render_widget(Paragraph::new(lines), area);
    }
}

/// A leading `~/` is the home directory, as a shell would read it.
fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::Path::new(&home).join(rest).to_string_lossy().into_owned(),
        _ => path.to_string(),
    }
}
