//! Styles. Focus and errors are always visible without colour (a marker and
//! reverse video, a ✗), so NO_COLOR and 16-colour terminals stay usable.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn focus(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn title(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        Style::default().add_modifier(Modifier::DIM)
    }
    pub fn error(&self) -> Style {
        if self.color { Style::default().fg(Color::Red) } else { Style::default().add_modifier(Modifier::BOLD) }
    }
    pub fn warn(&self) -> Style {
        if self.color { Style::default().fg(Color::Yellow) } else { Style::default() }
    }
    pub fn ok(&self) -> Style {
        if self.color { Style::default().fg(Color::Green) } else { Style::default() }
    }
    pub fn key(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }
}

pub const MARKER: &str = "▸ ";
pub const NO_MARKER: &str = "  ";
