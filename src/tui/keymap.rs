//! Every key binding, in one table. The dispatcher reads it; the help bar and
//! the help overlay are computed by asking the dispatcher what each key does
//! in the current stack of contexts, so a key that would type a character
//! (or that a more specific context takes for something else) is never
//! offered as a command there.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies. Several are active at once, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// Everywhere (unless a popup takes every key).
    Global,
    Home,
    /// The home list has more than one row.
    HomeList,
    /// A draft is selected on the home list.
    HomeDraft,
    /// A backend channel is selected on the home list.
    HomeChannel,
    /// Any wizard page.
    Wizard,
    /// A wizard page of fields (steps 1–3).
    Fields,
    /// The Review page lists errors to move between.
    ReviewList,
    /// A step follows this one.
    StepForward,
    /// A step comes before this one.
    StepBack,
    /// The focused field takes typed text.
    TextInput,
    /// The focused field is a secret, hidden.
    Secret,
    /// The focused field is a secret, shown (Ctrl-R hides it again).
    Revealed,
    Toggle,
    Select,
    Multiline,
    /// A list editor field (keywords, work time).
    ListField,
    Review,
    Integration,
    Help,
    /// The help overlay does not fit: it scrolls.
    HelpScroll,
    Confirm,
    /// Submit's question: only `y` sends; no key that moves or chooses on
    /// the steps (Tab, arrows, Space, Enter) can reach the sending answer.
    ConfirmSend,
    /// The Integration page has more below its last row shown.
    IntegrationDown,
    /// The Integration page has more above its first row shown.
    IntegrationUp,
    /// The focus is on one of the Integration page's buttons (one row).
    IntegrationButtons,
    SelectPopup,
    ListPopup,
    /// A list popup while its line is being edited.
    ListEdit,
    /// A work-time segment being edited (start and end).
    TimeEdit,
    TextPopup,
    /// A file name being typed (where to write a draft that cannot be saved).
    FileName,
    /// A line asked by a question (a name to confirm, a folder, a time).
    Prompt,
    /// The Channels screen.
    Channels,
    /// A channel row is under the cursor.
    ChannelRow,
    /// A list with rows to move between.
    ListMove,
    /// The Channels filter being typed.
    ChannelsFilter,
    /// The export tasks list.
    ExportTasks,
    /// The merge of an edit with a newer version of the channel.
    Merge,
    /// The week view is on the page.
    WeekView,
    /// The terminal is smaller than the smallest layout: only quitting and
    /// repainting act (nothing acts on a form that cannot be seen).
    TooSmall,
    /// A field changed on both sides is under the cursor.
    MergeChoice,
    /// More than one such field.
    MergeList,
    /// The Review page has more above its first line shown.
    ReviewUp,
    /// The Review page has more below its last line shown.
    ReviewDown,
    /// A task that succeeded is under the cursor.
    TaskDone,
    /// The live delivery test is waiting for a message.
    DeliveryWaiting,
}

/// What a key asks for. Payload-free so the table can be a constant; typed
/// characters become [`Cmd::Insert`] with the character added by dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Quit,
    Help,
    /// Ctrl-L: draw the whole screen again (after something else wrote on it).
    Repaint,
    NextField,
    PrevField,
    Up,
    Down,
    PageUp,
    PageDown,
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
    /// Put back the item removed last.
    Undo,
    Refresh,
    Copy,
    Submit,
    /// Answers in a confirmation: save / discard / cancel / yes / no.
    Answer,
    Clear,
    /// Open a channel's Channel Integration page.
    Integration,
    /// The Channels screen.
    Channels,
    Filter,
    Sort,
    Select,
    SelectAll,
    Export,
    /// The export tasks.
    Tasks,
    /// Make drafts from a file.
    Import,
    /// The live delivery test: wait for a message sent to the bot.
    TestDelivery,
    /// Ask the moment the week view tells about.
    ScheduleAt,
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
    /// How the bar names the keys (`↑↓` names two bindings' first keys);
    /// empty: never in the bar (still in the overlay).
    pub label: &'static str,
    pub help: &'static str,
}

const fn b(ctx: Ctx, keys: &'static [K], cmd: Cmd, label: &'static str, help: &'static str) -> Binding {
    Binding { ctx, keys, cmd, label, help }
}

use KeyCode as C;

pub static BINDINGS: &[Binding] = &[
    // popups and overlays first: they take their keys before anything else
    b(Ctx::Help, &[K::Key(C::Esc), K::Char('?'), K::Key(C::F(1)), K::Char('q')], Cmd::Back, "Esc", "close help"),
    b(Ctx::HelpScroll, &[K::Key(C::Up), K::Char('k')], Cmd::Up, "↑↓", "scroll"),
    b(Ctx::HelpScroll, &[K::Key(C::Down), K::Char('j')], Cmd::Down, "", "scroll down"),
    b(Ctx::HelpScroll, &[K::Key(C::PageUp)], Cmd::PageUp, "", "page up"),
    b(Ctx::HelpScroll, &[K::Key(C::PageDown), K::Char(' ')], Cmd::PageDown, "", "page down"),
    b(Ctx::FileName, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "write the file"),
    b(Ctx::FileName, &[K::Key(C::Esc)], Cmd::Back, "Esc", "back"),
    b(Ctx::Prompt, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "answer"),
    b(Ctx::Prompt, &[K::Key(C::Esc)], Cmd::Back, "Esc", "cancel"),
    b(Ctx::Confirm, &[K::Key(C::Esc)], Cmd::Back, "Esc", "cancel"),
    b(Ctx::Confirm, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "choose ▸"),
    b(Ctx::Confirm, &[K::Key(C::Tab), K::Key(C::Right)], Cmd::NextField, "Tab", "next answer"),
    b(
        Ctx::Confirm,
        &[K::Key(C::BackTab), K::Shift(C::BackTab), K::Key(C::Left)],
        Cmd::PrevField,
        "",
        "previous answer",
    ),
    b(Ctx::Confirm, &[K::Char('?')], Cmd::Help, "?", "help"),
    b(Ctx::Confirm, &[K::AnyChar], Cmd::Answer, "", "answer"),
    b(Ctx::ConfirmSend, &[K::Char('y')], Cmd::Answer, "y", "send"),
    b(Ctx::ConfirmSend, &[K::Key(C::Enter), K::Key(C::Esc)], Cmd::Back, "Enter Esc", "back to Review"),
    b(Ctx::ConfirmSend, &[K::Char('?')], Cmd::Help, "?", "help"),
    b(Ctx::ConfirmSend, &[K::AnyChar], Cmd::Answer, "", "answer"),
    b(Ctx::SelectPopup, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "choose"),
    b(Ctx::SelectPopup, &[K::Key(C::Up), K::Ctrl('p')], Cmd::Up, "↑↓", "move"),
    b(Ctx::SelectPopup, &[K::Key(C::Down), K::Ctrl('n')], Cmd::Down, "", "down"),
    b(Ctx::SelectPopup, &[K::Key(C::Esc)], Cmd::Back, "Esc", "close"),
    b(Ctx::SelectPopup, &[K::AnyChar], Cmd::Insert, "type", "filter"),
    b(Ctx::ListEdit, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "keep"),
    b(Ctx::ListEdit, &[K::Key(C::Esc)], Cmd::Back, "Esc", "undo edit"),
    b(Ctx::TimeEdit, &[K::Key(C::Tab)], Cmd::NextField, "Tab", "end time"),
    b(Ctx::TimeEdit, &[K::Key(C::BackTab), K::Shift(C::BackTab)], Cmd::PrevField, "", "start time"),
    b(Ctx::ListEdit, &[K::Key(C::Up)], Cmd::Up, "↑", "to the list"),
    b(Ctx::ListEdit, &[K::AnyChar], Cmd::Insert, "", "type"),
    // on the list no letter is a command: a letter typed starts a new item
    // with it, so a keyword typed after Enter is never taken for a key
    b(Ctx::ListPopup, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "edit/add"),
    b(Ctx::ListPopup, &[K::Key(C::Up)], Cmd::Up, "↑↓", "move"),
    b(Ctx::ListPopup, &[K::Key(C::Down), K::Key(C::Tab)], Cmd::Down, "", "down"),
    b(Ctx::ListPopup, &[K::Key(C::Delete)], Cmd::DeleteItem, "Del", "remove"),
    b(Ctx::ListPopup, &[K::Ctrl('z')], Cmd::Undo, "Ctrl-Z", "undo remove"),
    b(Ctx::ListPopup, &[K::Key(C::Insert), K::Ctrl('n')], Cmd::NewDraft, "", "add"),
    b(Ctx::ListPopup, &[K::AnyChar], Cmd::Insert, "", "type a new one"),
    b(Ctx::ListPopup, &[K::Key(C::Esc)], Cmd::Back, "Esc", "done"),
    b(Ctx::TextPopup, &[K::Key(C::Esc)], Cmd::Back, "Esc", "done"),
    b(Ctx::MergeList, &[K::Key(C::Up), K::Char('k'), K::Key(C::BackTab), K::Shift(C::BackTab)], Cmd::Up, "↑↓", "move"),
    b(Ctx::MergeList, &[K::Key(C::Down), K::Char('j'), K::Key(C::Tab)], Cmd::Down, "", "next field"),
    b(Ctx::MergeChoice, &[K::Char(' ')], Cmd::Select, "Space", "mine/theirs"),
    b(Ctx::MergeChoice, &[K::Key(C::Left), K::Char('m')], Cmd::Left, "", "take mine"),
    b(Ctx::MergeChoice, &[K::Key(C::Right), K::Char('t')], Cmd::Right, "", "take theirs"),
    b(Ctx::Merge, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "submit the merge"),
    b(Ctx::Merge, &[K::Key(C::Esc)], Cmd::Back, "Esc", "later"),
    b(Ctx::Merge, &[K::Char('?')], Cmd::Help, "?", "help"),
    b(Ctx::TooSmall, &[K::Ctrl('q'), K::Ctrl('c')], Cmd::Quit, "Ctrl-Q", "quit"),
    b(Ctx::TooSmall, &[K::Ctrl('l')], Cmd::Repaint, "", "repaint the screen"),
    // Ctrl-E stays line end, as in readline; the editor takes Ctrl-X, the
    // first key of bash's own Ctrl-X Ctrl-E
    b(Ctx::TextPopup, &[K::Ctrl('x')], Cmd::ExternalEditor, "Ctrl-X", "$EDITOR"),
    // quitting and help work everywhere
    b(Ctx::Global, &[K::Ctrl('q'), K::Ctrl('c')], Cmd::Quit, "Ctrl-Q", "quit"),
    b(Ctx::Global, &[K::Key(C::F(1))], Cmd::Help, "F1", "help"),
    b(Ctx::Global, &[K::Ctrl('l')], Cmd::Repaint, "", "repaint the screen"),
    // home screen
    b(Ctx::Home, &[K::Char('n')], Cmd::NewDraft, "n", "new"),
    b(Ctx::HomeDraft, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "open"),
    b(Ctx::HomeDraft, &[K::Char('d'), K::Key(C::Delete)], Cmd::DeleteItem, "d", "delete draft"),
    b(Ctx::HomeChannel, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "edit"),
    b(Ctx::HomeChannel, &[K::Char('i')], Cmd::Integration, "i", "integration"),
    b(Ctx::HomeList, &[K::Key(C::Up), K::Char('k')], Cmd::Up, "↑↓", "move"),
    b(Ctx::HomeList, &[K::Key(C::Down), K::Char('j')], Cmd::Down, "", "down"),
    b(Ctx::Home, &[K::Char('r')], Cmd::Refresh, "r", "refresh"),
    b(Ctx::Home, &[K::Char('?')], Cmd::Help, "?", "help"),
    // Esc never quits: admins press it repeatedly to back out
    b(Ctx::Home, &[K::Char('q')], Cmd::Quit, "q", "quit"),
    b(Ctx::Home, &[K::Char('c')], Cmd::Channels, "c", "channels"),
    b(Ctx::Home, &[K::Char('I')], Cmd::Import, "I", "import"),
    // channels screen
    b(Ctx::ChannelsFilter, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "apply filter"),
    b(Ctx::ChannelsFilter, &[K::Key(C::Esc)], Cmd::Back, "Esc", "clear filter"),
    b(Ctx::ChannelRow, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "edit"),
    b(Ctx::ChannelRow, &[K::Char(' ')], Cmd::Select, "Space", "select"),
    b(Ctx::ChannelRow, &[K::Char('i')], Cmd::Integration, "i", "integration"),
    b(Ctx::ChannelRow, &[K::Char('w')], Cmd::TestDelivery, "w", "test msg"),
    b(Ctx::ChannelRow, &[K::Char('d'), K::Key(C::Delete)], Cmd::DeleteItem, "d", "delete"),
    b(Ctx::TaskDone, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "download"),
    b(Ctx::ExportTasks, &[K::Char('r')], Cmd::Refresh, "r", "refresh"),
    b(Ctx::ExportTasks, &[K::Key(C::Esc), K::Char('t')], Cmd::Back, "Esc", "channels"),
    b(Ctx::ExportTasks, &[K::Char('?')], Cmd::Help, "?", "help"),
    b(Ctx::ListMove, &[K::Key(C::Up), K::Char('k')], Cmd::Up, "↑↓", "move"),
    b(Ctx::ListMove, &[K::Key(C::Down), K::Char('j')], Cmd::Down, "", "down"),
    b(Ctx::ListMove, &[K::Key(C::PageUp)], Cmd::PageUp, "", "page up"),
    b(Ctx::ListMove, &[K::Key(C::PageDown)], Cmd::PageDown, "", "page down"),
    b(Ctx::ListMove, &[K::Key(C::Home), K::Char('g')], Cmd::Home, "", "first"),
    b(Ctx::ListMove, &[K::Key(C::End), K::Char('G')], Cmd::End, "", "last"),
    b(Ctx::Channels, &[K::Char('/')], Cmd::Filter, "/", "filter"),
    b(Ctx::Channels, &[K::Char('e')], Cmd::Export, "e", "export"),
    b(Ctx::Channels, &[K::Char('a')], Cmd::SelectAll, "a", "select all"),
    b(Ctx::Channels, &[K::Char('s')], Cmd::Sort, "s", "sort"),
    b(Ctx::Channels, &[K::Char('t')], Cmd::Tasks, "t", "export tasks"),
    b(Ctx::Channels, &[K::Char('r')], Cmd::Refresh, "r", "refresh"),
    b(Ctx::Channels, &[K::Key(C::Esc)], Cmd::Back, "Esc", "home"),
    b(Ctx::Channels, &[K::Char('?')], Cmd::Help, "?", "help"),
    b(Ctx::Channels, &[K::Char('q')], Cmd::Quit, "q", "quit"),
    // integration page
    b(Ctx::DeliveryWaiting, &[K::Key(C::Esc)], Cmd::Back, "Esc", "stop waiting"),
    b(Ctx::Integration, &[K::Key(C::Tab), K::Key(C::Down)], Cmd::NextField, "Tab", "next"),
    b(Ctx::Integration, &[K::Key(C::BackTab), K::Shift(C::BackTab), K::Key(C::Up)], Cmd::PrevField, "", "previous"),
    b(Ctx::Integration, &[K::Key(C::Enter), K::Char(' ')], Cmd::Activate, "Enter", "run/toggle"),
    b(Ctx::Integration, &[K::Char('y')], Cmd::Copy, "y", "copy URL"),
    b(Ctx::Integration, &[K::Key(C::Esc)], Cmd::Back, "Esc", "back"),
    b(Ctx::Integration, &[K::Char('?')], Cmd::Help, "?", "help"),
    b(Ctx::Integration, &[K::Char('q')], Cmd::Quit, "q", "quit"),
    b(Ctx::Integration, &[K::Char('t')], Cmd::TestDelivery, "t", "test msg"),
    b(Ctx::IntegrationDown, &[K::Key(C::PageDown)], Cmd::PageDown, "PgDn", "scroll"),
    b(Ctx::IntegrationUp, &[K::Key(C::PageUp)], Cmd::PageUp, "PgUp", "scroll up"),
    b(Ctx::IntegrationButtons, &[K::Key(C::Left)], Cmd::Left, "←→", "button"),
    b(Ctx::IntegrationButtons, &[K::Key(C::Right)], Cmd::Right, "", "next button"),
    // the focused field
    b(Ctx::Secret, &[K::Ctrl('r')], Cmd::Reveal, "Ctrl-R", "reveal"),
    b(Ctx::Revealed, &[K::Ctrl('r')], Cmd::Reveal, "Ctrl-R", "hide"),
    b(Ctx::TextInput, &[K::AnyChar], Cmd::Insert, "", "type"),
    b(Ctx::TextInput, &[K::Key(C::Backspace), K::Ctrl('h')], Cmd::Backspace, "", "erase"),
    b(Ctx::TextInput, &[K::Key(C::Delete), K::Ctrl('d')], Cmd::Delete, "", "delete"),
    b(Ctx::TextInput, &[K::Key(C::Left), K::Ctrl('b')], Cmd::Left, "", "left"),
    b(Ctx::TextInput, &[K::Key(C::Right), K::Ctrl('f')], Cmd::Right, "", "right"),
    b(Ctx::TextInput, &[K::Key(C::Home), K::Ctrl('a')], Cmd::Home, "", "line start"),
    b(Ctx::TextInput, &[K::Key(C::End), K::Ctrl('e')], Cmd::End, "", "line end"),
    b(Ctx::TextInput, &[K::Ctrl('u')], Cmd::KillToStart, "", "erase to line start"),
    b(Ctx::TextInput, &[K::Ctrl('k')], Cmd::KillToEnd, "", "erase to line end"),
    b(Ctx::TextInput, &[K::Ctrl('w')], Cmd::DeleteWord, "", "erase word"),
    b(Ctx::Toggle, &[K::Char(' '), K::Key(C::Enter)], Cmd::Activate, "Space", "toggle"),
    b(Ctx::Select, &[K::Key(C::Enter), K::Char(' ')], Cmd::Activate, "Enter", "choose"),
    b(Ctx::Select, &[K::Key(C::Delete), K::Key(C::Backspace)], Cmd::Clear, "", "clear"),
    b(Ctx::Multiline, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "edit"),
    b(Ctx::Multiline, &[K::Ctrl('x')], Cmd::ExternalEditor, "Ctrl-X", "$EDITOR"),
    b(Ctx::ListField, &[K::Key(C::Enter), K::Char(' ')], Cmd::Activate, "Enter", "edit list"),
    b(Ctx::Review, &[K::Key(C::Enter)], Cmd::Activate, "Enter", "jump/submit"),
    b(Ctx::Review, &[K::Ctrl('x')], Cmd::Submit, "", "submit"),
    b(Ctx::ReviewList, &[K::Key(C::Tab), K::Key(C::Down)], Cmd::NextField, "Tab", "next"),
    b(Ctx::ReviewList, &[K::Key(C::BackTab), K::Shift(C::BackTab), K::Key(C::Up)], Cmd::PrevField, "", "previous"),
    b(Ctx::ReviewDown, &[K::Key(C::PageDown), K::Char(' ')], Cmd::PageDown, "PgDn", "scroll"),
    b(Ctx::ReviewDown, &[K::Key(C::Down), K::Char('j')], Cmd::Down, "", "scroll down"),
    b(Ctx::ReviewDown, &[K::Key(C::End), K::Char('G')], Cmd::End, "", "last line"),
    b(Ctx::ReviewUp, &[K::Key(C::PageUp)], Cmd::PageUp, "PgUp", "scroll up"),
    b(Ctx::ReviewUp, &[K::Key(C::Up), K::Char('k')], Cmd::Up, "", "scroll up"),
    b(Ctx::ReviewUp, &[K::Key(C::Home), K::Char('g')], Cmd::Home, "", "first line"),
    // the pages of fields
    b(Ctx::Fields, &[K::Key(C::Tab)], Cmd::NextField, "Tab", "next"),
    b(Ctx::Fields, &[K::Key(C::BackTab), K::Shift(C::BackTab), K::Shift(C::Tab)], Cmd::PrevField, "", "previous"),
    b(Ctx::Fields, &[K::Key(C::Down)], Cmd::Down, "", "next field"),
    b(Ctx::Fields, &[K::Key(C::Up)], Cmd::Up, "", "previous field"),
    b(Ctx::Fields, &[K::Key(C::Enter)], Cmd::NextField, "", "next field"),
    // every wizard page
    b(Ctx::StepForward, &[K::Key(C::PageDown), K::Ctrl('n')], Cmd::NextStep, "PgDn", "step"),
    b(Ctx::StepBack, &[K::Key(C::PageUp), K::Ctrl('p')], Cmd::PrevStep, "", "previous step"),
    b(Ctx::Wizard, &[K::Ctrl('s')], Cmd::Save, "Ctrl-S", "save"),
    b(Ctx::WeekView, &[K::Char('t')], Cmd::ScheduleAt, "t", "customers at…"),
    b(Ctx::Wizard, &[K::Key(C::Esc)], Cmd::Back, "Esc", "home"),
    b(Ctx::Wizard, &[K::Char('?')], Cmd::Help, "?", "help"),
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

/// The binding `key` means in the active contexts (most specific first).
pub fn winner(contexts: &[Ctx], key: &KeyEvent) -> Option<&'static Binding> {
    contexts
        .iter()
        .flat_map(|ctx| BINDINGS.iter().filter(move |b| b.ctx == *ctx))
        .find(|b| b.keys.iter().any(|k| matches(k, key)))
}

/// The command `key` means in the active contexts, and the typed character
/// when it is one.
pub fn dispatch(contexts: &[Ctx], key: &KeyEvent) -> Option<(Cmd, Option<char>)> {
    winner(contexts, key).map(|b| {
        let c = match key.code {
            C::Char(c) => Some(c),
            _ => None,
        };
        (b.cmd, c)
    })
}

/// A key event that `k` matches.
pub fn event_of(k: &K) -> KeyEvent {
    match *k {
        K::Key(code) => KeyEvent::new(code, if code == C::BackTab { KeyModifiers::SHIFT } else { KeyModifiers::NONE }),
        K::Shift(code) => KeyEvent::new(code, KeyModifiers::SHIFT),
        K::Ctrl(c) => KeyEvent::new(C::Char(c), KeyModifiers::CONTROL),
        K::Char(c) => KeyEvent::new(C::Char(c), KeyModifiers::NONE),
        K::AnyChar => KeyEvent::new(C::Char('x'), KeyModifiers::NONE),
    }
}

/// The keys a bar label names, as events: `↑↓` both arrows, `type` any
/// character, else the first key of its binding.
fn label_events(binding: &Binding) -> Vec<KeyEvent> {
    match binding.label {
        "↑↓" => vec![event_of(&K::Key(C::Up)), event_of(&K::Key(C::Down))],
        _ => binding.keys.first().map(event_of).into_iter().collect(),
    }
}

/// One entry of the help bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarItem {
    pub label: &'static str,
    pub help: &'static str,
    pub cmd: Cmd,
    /// The key pressed for it (the first the label names).
    pub key: KeyEvent,
    /// Every key the label names (`↑↓`: both).
    pub keys: Vec<KeyEvent>,
}

/// The help bar for the active contexts: each binding whose named keys all
/// do its command here (a key a field would type, or that another binding
/// takes first, is left out); one entry per command.
pub fn bar(contexts: &[Ctx]) -> Vec<BarItem> {
    let mut out: Vec<BarItem> = Vec::new();
    for ctx in contexts {
        for binding in BINDINGS.iter().filter(|b| b.ctx == *ctx && !b.label.is_empty()) {
            let events = label_events(binding);
            let wins = events.iter().all(|e| {
                winner(contexts, e)
                    .is_some_and(|w| std::ptr::eq(w, binding) || (w.ctx == binding.ctx && paired(w, binding)))
            });
            if wins && !out.iter().any(|i| i.cmd == binding.cmd) {
                out.push(BarItem {
                    label: binding.label,
                    help: binding.help,
                    cmd: binding.cmd,
                    key: events[0],
                    keys: events,
                });
            }
        }
    }
    out
}

/// `↑↓` names an Up binding and the Down binding beside it.
fn paired(a: &Binding, b: &Binding) -> bool {
    matches!((a.cmd, b.cmd), (Cmd::Down, Cmd::Up) | (Cmd::Up, Cmd::Down))
}

/// Every binding of the active contexts with the keys that do it here, for
/// the help overlay: each key is listed once, under what it really does.
pub fn overlay(contexts: &[Ctx]) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for ctx in contexts {
        for binding in BINDINGS.iter().filter(|b| b.ctx == *ctx) {
            let mut names: Vec<String> = Vec::new();
            for k in binding.keys {
                let wins = winner(contexts, &event_of(k)).is_some_and(|w| std::ptr::eq(w, binding));
                let name = key_name(k);
                if wins && !names.contains(&name) {
                    names.push(name);
                }
            }
            if !names.is_empty() {
                out.push((names.join(" "), binding.help));
            }
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
        K::Key(C::Up) => "↑".into(),
        K::Key(C::Down) => "↓".into(),
        K::Key(C::Left) => "←".into(),
        K::Key(C::Right) => "→".into(),
        K::Key(code) => format!("{code:?}"),
        K::Shift(code) => format!("Shift-{code:?}"),
        K::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
        K::Char(c) => c.to_string(),
        K::AnyChar => "a–z…".into(),
    }
}
