//! Every key binding, in one table. The dispatcher and the help bar both read
//! it, so the help shown can never disagree with what a key does.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies. Several are active at once, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// Everywhere (unless a popup takes every key).
    Global,
    Home,
    /// Any wizard page.
    Wizard,
    /// The focused field takes typed text.
    TextInput,
    /// The focused field is a secret.
    Secret,
    Toggle,
    Select,
    Multiline,
    /// A list editor field (keywords, work time).
    ListField,
    Review,
    Integration,
    Help,
    Confirm,
    SelectPopup,
    ListPopup,
    /// A list popup while its line is being edited.
    ListEdit,
    /// A work-time segment being edited (start and end).
    TimeEdit,
    TextPopup,
}

/// What a key asks for. Payload-free so the table can be a constant; typed
/// characters become [`Cmd::Insert`] with the character added by dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Quit,
    Help,
    NextField,
    PrevField,
    Up,
    Down,
    NextStep,
    PrevStep,
    Activate,
    Back,
    Save,
    Reveal,
    ExternalEditor,
    Insert,
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    KillToStart,
    KillToEnd,
    DeleteWord,
    NewDraft,
    DeleteItem,
    Refresh,
    Copy,
    Submit,
    /// Answers in a confirmation: save / discard / cancel / yes / no.
    Answer,
    Clear,
    /// Open a channel's Channel Integration page.
    Integration,
}

/// A key as the table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {
    Key(KeyCode),
    Ctrl(char),
    Shift(KeyCode),
    Char(char),
    /// Any printable character (typing).
    AnyChar,
}

pub struct Binding {
    pub ctx: Ctx,
    pub keys: &'static [K],
    pub cmd: Cmd,
    /// Shown in the help bar and overlay as `<label> <help>`; empty hides it
    /// from the bar (still listed in the overlay).
    pub label: &'static str,
    pub help: &'static str,
    /// Shown in the one-line bar (the overlay lists every binding).
    pub bar: bool,
}

const fn b(ctx: Ctx, keys: &'static [K], cmd: Cmd, label: &'static str, help: &'static str, bar: bool) -> Binding {
    Binding { ctx, keys, cmd, label, help, bar }
}

use KeyCode as C;

pub const BINDINGS: &[Binding] = &[
    // popups first: they take their keys before anything else
    b(Ctx::Help, &[K::Key(C::Esc), K::Char('?'), K::Key(C::F(1)), K::Char('q')], Cmd::Back, "Esc", "close help", true),
    b(Ctx::Confirm, &[K::AnyChar], Cmd::Answer, "", "answer", false),
    b(Ctx::Confirm, &[K::Key(C::Esc)], Cmd::Back, "Esc", "cancel", true),
    b(Ctx::SelectPopup, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "choose", true),
    b(Ctx::SelectPopup, &[K::Key(C::Up), K::Ctrl('p')], Cmd::Up, "↑↓", "move", true),
    b(Ctx::SelectPopup, &[K::Key(C::Down), K::Ctrl('n')], Cmd::Down, "", "down", false),
    b(Ctx::SelectPopup, &[K::Key(C::Esc)], Cmd::Back, "Esc", "close", true),
    b(Ctx::SelectPopup, &[K::AnyChar], Cmd::Insert, "type", "filter", true),
    b(Ctx::SelectPopup, &[K::Key(C::Backspace)], Cmd::Backspace, "", "erase filter", false),
    b(Ctx::ListEdit, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "keep", true),
    b(Ctx::ListEdit, &[K::Key(C::Esc)], Cmd::Back, "Esc", "cancel edit", true),
    b(Ctx::TimeEdit, &[K::Key(C::Tab)], Cmd::NextField, "Tab", "end time", true),
    b(Ctx::TimeEdit, &[K::Key(C::BackTab), K::Shift(C::BackTab)], Cmd::PrevField, "⇧Tab", "start time", false),
    b(Ctx::ListEdit, &[K::AnyChar], Cmd::Insert, "", "type", false),
    b(Ctx::ListEdit, &[K::Key(C::Backspace)], Cmd::Backspace, "", "erase", false),
    b(Ctx::ListEdit, &[K::Key(C::Delete)], Cmd::Delete, "", "delete", false),
    b(Ctx::ListEdit, &[K::Key(C::Left)], Cmd::Left, "", "left", false),
    b(Ctx::ListEdit, &[K::Key(C::Right)], Cmd::Right, "", "right", false),
    b(Ctx::ListEdit, &[K::Key(C::Home)], Cmd::Home, "", "start", false),
    b(Ctx::ListEdit, &[K::Key(C::End)], Cmd::End, "", "end", false),
    b(Ctx::ListPopup, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "edit/add", true),
    b(Ctx::ListPopup, &[K::Key(C::Up), K::Char('k')], Cmd::Up, "↑↓", "move", true),
    b(Ctx::ListPopup, &[K::Key(C::Down), K::Char('j'), K::Key(C::Tab)], Cmd::Down, "", "down", false),
    b(Ctx::ListPopup, &[K::Key(C::Delete), K::Char('d'), K::Char('x')], Cmd::DeleteItem, "d", "remove", true),
    b(Ctx::ListPopup, &[K::Char('a'), K::Char('n')], Cmd::NewDraft, "a", "add", true),
    b(Ctx::ListPopup, &[K::Key(C::Esc)], Cmd::Back, "Esc", "done", true),
    b(Ctx::TextPopup, &[K::Key(C::Esc)], Cmd::Back, "Esc", "done", true),
    b(Ctx::TextPopup, &[K::Ctrl('e')], Cmd::ExternalEditor, "Ctrl-E", "$EDITOR", true),
    // quitting works everywhere
    b(Ctx::Global, &[K::Ctrl('c'), K::Ctrl('q')], Cmd::Quit, "Ctrl-Q", "quit", true),
    b(Ctx::Global, &[K::Key(C::F(1))], Cmd::Help, "F1", "help", false),
    // home screen
    b(Ctx::Home, &[K::Char('n')], Cmd::NewDraft, "n", "new", true),
    b(Ctx::Home, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "open", true),
    b(Ctx::Home, &[K::Char('d'), K::Key(C::Delete)], Cmd::DeleteItem, "d", "delete draft", true),
    b(Ctx::Home, &[K::Key(C::Up), K::Char('k')], Cmd::Up, "↑↓", "move", true),
    b(Ctx::Home, &[K::Key(C::Down), K::Char('j')], Cmd::Down, "", "down", false),
    b(Ctx::Home, &[K::Char('i')], Cmd::Integration, "i", "integration", true),
    b(Ctx::Home, &[K::Char('r')], Cmd::Refresh, "r", "refresh", true),
    b(Ctx::Home, &[K::Char('?')], Cmd::Help, "?", "help", true),
    b(Ctx::Home, &[K::Char('q'), K::Key(C::Esc)], Cmd::Quit, "q", "quit", true),
    // integration page
    b(Ctx::Integration, &[K::Key(C::Tab), K::Key(C::Down)], Cmd::NextField, "Tab", "next", true),
    b(
        Ctx::Integration,
        &[K::Key(C::BackTab), K::Shift(C::BackTab), K::Key(C::Up)],
        Cmd::PrevField,
        "",
        "previous",
        false,
    ),
    b(Ctx::Integration, &[K::Key(C::Enter), K::Char(' ')], Cmd::Activate, "Enter", "run/toggle", true),
    b(Ctx::Integration, &[K::Char('y')], Cmd::Copy, "y", "copy URL", true),
    b(Ctx::Integration, &[K::Key(C::Esc)], Cmd::Back, "Esc", "home", true),
    b(Ctx::Integration, &[K::Char('q')], Cmd::Quit, "q", "quit", true),
    b(Ctx::Integration, &[K::Char('?')], Cmd::Help, "?", "help", false),
    // the focused field
    b(Ctx::Secret, &[K::Ctrl('r')], Cmd::Reveal, "Ctrl-R", "reveal", true),
    b(Ctx::TextInput, &[K::AnyChar], Cmd::Insert, "", "type", false),
    b(Ctx::TextInput, &[K::Key(C::Backspace), K::Ctrl('h')], Cmd::Backspace, "", "erase", false),
    b(Ctx::TextInput, &[K::Key(C::Delete), K::Ctrl('d')], Cmd::Delete, "", "delete", false),
    b(Ctx::TextInput, &[K::Key(C::Left), K::Ctrl('b')], Cmd::Left, "", "left", false),
    b(Ctx::TextInput, &[K::Key(C::Right), K::Ctrl('f')], Cmd::Right, "", "right", false),
    b(Ctx::TextInput, &[K::Key(C::Home), K::Ctrl('a')], Cmd::Home, "", "line start", false),
    b(Ctx::TextInput, &[K::Key(C::End)], Cmd::End, "", "line end", false),
    b(Ctx::TextInput, &[K::Ctrl('u')], Cmd::KillToStart, "Ctrl-U", "clear", false),
    b(Ctx::TextInput, &[K::Ctrl('k')], Cmd::KillToEnd, "Ctrl-K", "delete to end", false),
    b(Ctx::TextInput, &[K::Ctrl('w')], Cmd::DeleteWord, "Ctrl-W", "delete word", false),
    b(Ctx::Toggle, &[K::Char(' '), K::Key(C::Enter)], Cmd::Activate, "Space", "toggle", true),
    b(Ctx::Select, &[K::Key(C::Enter), K::Char(' ')], Cmd::Activate, "Enter", "choose", true),
    b(Ctx::Select, &[K::Key(C::Delete), K::Key(C::Backspace)], Cmd::Clear, "Del", "clear", false),
    b(Ctx::Multiline, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "edit", true),
    b(Ctx::Multiline, &[K::Ctrl('e')], Cmd::ExternalEditor, "Ctrl-E", "$EDITOR", true),
    b(Ctx::ListField, &[K::Key(C::Enter), K::Char(' ')], Cmd::Activate, "Enter", "edit list", true),
    b(Ctx::Review, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "jump/submit", true),
    b(Ctx::Review, &[K::Ctrl('x')], Cmd::Submit, "Ctrl-X", "submit", false),
    // every wizard page
    b(Ctx::Wizard, &[K::Key(C::Tab)], Cmd::NextField, "Tab", "next", true),
    b(
        Ctx::Wizard,
        &[K::Key(C::BackTab), K::Shift(C::BackTab), K::Shift(C::Tab)],
        Cmd::PrevField,
        "⇧Tab",
        "prev",
        false,
    ),
    b(Ctx::Wizard, &[K::Key(C::Down)], Cmd::Down, "", "next field", false),
    b(Ctx::Wizard, &[K::Key(C::Up)], Cmd::Up, "", "previous field", false),
    b(Ctx::Wizard, &[K::Key(C::Enter)], Cmd::NextField, "", "next field", false),
    b(Ctx::Wizard, &[K::Key(C::PageDown), K::Ctrl('n')], Cmd::NextStep, "PgDn", "step", true),
    b(Ctx::Wizard, &[K::Key(C::PageUp), K::Ctrl('p')], Cmd::PrevStep, "PgUp", "back", false),
    b(Ctx::Wizard, &[K::Ctrl('s')], Cmd::Save, "Ctrl-S", "save", true),
    b(Ctx::Wizard, &[K::Key(C::Esc)], Cmd::Back, "Esc", "home", true),
    b(Ctx::Wizard, &[K::Char('?')], Cmd::Help, "?", "help", true),
];

fn matches(k: &K, key: &KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    match *k {
        K::Key(code) => key.code == code && !ctrl && !alt && (!shift || matches!(code, C::BackTab)),
        K::Shift(code) => key.code == code && shift && !ctrl && !alt,
        K::Ctrl(c) => ctrl && !alt && matches!(key.code, C::Char(x) if x.eq_ignore_ascii_case(&c)),
        K::Char(c) => !ctrl && !alt && key.code == C::Char(c),
        K::AnyChar => !ctrl && !alt && matches!(key.code, C::Char(c) if !c.is_control()),
    }
}

/// The command `key` means in the active contexts (most specific first), and
/// the typed character when it is one.
pub fn dispatch(contexts: &[Ctx], key: &KeyEvent) -> Option<(Cmd, Option<char>)> {
    for ctx in contexts {
        for binding in BINDINGS.iter().filter(|b| b.ctx == *ctx) {
            if binding.keys.iter().any(|k| matches(k, key)) {
                let c = match key.code {
                    C::Char(c) => Some(c),
                    _ => None,
                };
                return Some((binding.cmd, c));
            }
        }
    }
    None
}

/// The `label help` pairs of the help bar for the active contexts.
pub fn bar(contexts: &[Ctx]) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for ctx in contexts {
        for binding in BINDINGS.iter().filter(|b| b.ctx == *ctx && b.bar) {
            // a command already offered by a more specific context is not repeated
            if !out.iter().any(|(l, _)| *l == binding.label) {
                out.push((binding.label, binding.help));
            }
        }
    }
    out
}

/// Every binding of the active contexts, for the help overlay.
pub fn overlay(contexts: &[Ctx]) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for ctx in contexts {
        for binding in BINDINGS.iter().filter(|b| b.ctx == *ctx) {
            // several spellings of one key (BackTab, Shift-Tab) are named once
            let mut names: Vec<String> = Vec::new();
            for name in binding.keys.iter().map(key_name) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            out.push((names.join(" "), binding.help));
        }
    }
    out
}

fn key_name(k: &K) -> String {
    match *k {
        K::Key(C::Char(' ')) | K::Char(' ') => "Space".into(),
        K::Key(C::BackTab) | K::Shift(C::BackTab) | K::Shift(C::Tab) => "Shift-Tab".into(),
        K::Key(C::F(n)) => format!("F{n}"),
        K::Key(C::PageDown) => "PgDn".into(),
        K::Key(C::PageUp) => "PgUp".into(),
        K::Key(code) => format!("{code:?}"),
        K::Shift(code) => format!("Shift-{code:?}"),
        K::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
        K::Char(c) => c.to_string(),
        K::AnyChar => "a–z…".into(),
    }
}
