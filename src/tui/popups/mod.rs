//! The popups: at most one at a time, each its own module with its state,
//! its update (command → [`Outcome`]), its keys and its drawing. Popups that
//! edit a field write into the wizard's draft as they are typed in, so
//! autosave covers them; the others answer with an [`Event`] for the screen
//! beneath.

pub mod confirm;
pub mod help;
pub mod list;
pub mod merge;
pub mod prompt;
pub mod save_failed;
pub mod select;
pub mod text;

use crossterm::event::KeyEvent;
use ratatui::Frame;

pub use confirm::Confirm;
pub use help::Help;
pub use save_failed::SaveFailed;

use super::keymap::{Cmd, Ctx};
use super::msg::Outcome;
use super::state::{Screen, Shared};
use super::theme::Theme;
use super::widgets::popup::Place;

pub enum Popup {
    Confirm(Confirm),
    Select(select::Select),
    List(list::ListEditor),
    Text(text::TextEditor),
    SaveFailed(SaveFailed),
    Prompt(prompt::Prompt),
    Merge(merge::MergePopup),
}

impl Popup {
    /// The popup's keys, most specific first.
    pub fn contexts(&self) -> Vec<Ctx> {
        match self {
            Popup::Confirm(c) => c.contexts(),
            // the filter is a line input like every other
            Popup::Select(_) => vec![Ctx::SelectPopup, Ctx::TextInput],
            Popup::List(l) => l.contexts(),
            Popup::Text(_) => vec![Ctx::TextPopup],
            Popup::SaveFailed(s) => s.contexts(),
            Popup::Prompt(p) => p.contexts(),
            Popup::Merge(p) => p.contexts(),
        }
    }

    pub fn update(&mut self, cmd: Cmd, c: Option<char>, screen: &mut Screen, shared: &mut Shared) -> Outcome {
        let wizard = match screen {
            Screen::Wizard(w) => Some(w.as_mut()),
            _ => None,
        };
        match self {
            Popup::Confirm(p) => p.update(cmd, c),
            Popup::SaveFailed(p) => p.update(cmd, c),
            Popup::Prompt(p) => p.update(cmd, c),
            Popup::Merge(p) => p.update(cmd),
            Popup::Select(p) => match wizard {
                Some(w) => p.update(cmd, c, w, shared),
                None => Outcome::close(),
            },
            Popup::List(p) => match wizard {
                Some(w) => p.update(cmd, c, w, shared),
                None => Outcome::close(),
            },
            Popup::Text(p) => match wizard {
                Some(w) => p.update(cmd, w, shared),
                None => Outcome::close(),
            },
        }
    }

    /// A key no binding took (the multi-line editor takes every other key).
    pub fn raw_key(&mut self, key: &KeyEvent, screen: &mut Screen, shared: &mut Shared) {
        if let (Popup::Text(p), Screen::Wizard(w)) = (self, screen) {
            p.input(key, w, shared);
        }
    }

    /// Pasted text.
    pub fn paste(&mut self, text: &str, screen: &mut Screen, shared: &mut Shared) {
        match (self, screen) {
            (Popup::Text(p), Screen::Wizard(w)) => p.paste(text, w, shared),
            (Popup::List(p), Screen::Wizard(w)) => p.paste(text, w, shared),
            (Popup::Select(p), _) => p.paste(text),
            (Popup::SaveFailed(p), _) => p.paste(text),
            (Popup::Prompt(p), _) => p.paste(text),
            _ => {}
        }
    }

    /// Draw the popup; one that edits a field goes at `place` (beside the
    /// field's row), the others are centred.
    pub fn render(&self, screen: &Screen, frame: &mut Frame, theme: &Theme, place: Place) {
        match self {
            Popup::Confirm(p) => p.render(frame, theme),
            Popup::SaveFailed(p) => p.render(frame, theme),
            Popup::Prompt(p) => p.render(frame, theme),
            Popup::Merge(p) => p.render(frame, theme),
            Popup::Select(p) => p.render(frame, theme, place),
            Popup::List(p) => {
                if let Screen::Wizard(w) = screen {
                    p.render(w, frame, theme, place)
                }
            }
            Popup::Text(p) => {
                if let Screen::Wizard(w) = screen {
                    p.render(w, frame, theme, place)
                }
            }
        }
    }
}
