//! Reading a secret from the terminal without echoing it.

use std::io::Write;

use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
use crossterm::terminal::{disable_raw_mode, enable_raw_mode};

/// Ask for a secret on the terminal; the typed characters are not shown.
/// `None` when the user aborts (Esc, Ctrl-C, Ctrl-D) or the terminal fails.
pub fn hidden(label: &str) -> Option<String> {
    eprint!("{label}: ");
    let _ = std::io::stderr().flush();
    enable_raw_mode().ok()?;
    let mut text = String::new();
    let ok = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break true,
                KeyCode::Esc => break false,
                KeyCode::Char('c' | 'd') if k.modifiers.contains(KeyModifiers::CONTROL) => break false,
                KeyCode::Backspace => {
                    text.pop();
                }
                KeyCode::Char(c) => text.push(c),
                _ => {}
            },
            Ok(Event::Paste(p)) => text.push_str(&p),
            Ok(_) => {}
            Err(_) => break false,
        }
    };
    let _ = disable_raw_mode();
    eprintln!();
    ok.then_some(text)
}

/// A secret from standard input: asked for without echo on a terminal
/// (`Ok(None)` when the user aborts), else its first line.
pub fn secret(label: &str) -> std::io::Result<Option<String>> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        return Ok(hidden(label));
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(Some(line.trim_end_matches(['\n', '\r']).to_string()))
}

/// Ask a question on the terminal and read one line of answer (trimmed,
/// lower-cased). `None` without a terminal on both standard input and
/// standard error, or when reading fails.
pub fn ask(question: &str) -> Option<String> {
    use std::io::{BufRead, IsTerminal};
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return None;
    }
    eprint!("{question} ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok()?;
    Some(answer.trim().to_ascii_lowercase())
}
