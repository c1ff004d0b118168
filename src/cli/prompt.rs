//! Questions on the terminal: a secret without echo, a line of answer.

use std::io::Write;

/// Ask for a secret on the terminal; the typed characters are not shown.
/// `None` when the user aborts (Ctrl-C, Ctrl-D on an empty line) or the
/// terminal fails. The terminal's own line editing applies (Backspace,
/// Ctrl-U, Ctrl-W), and its echo comes back however the prompt ends, a
/// panic included (`rpassword` restores it in a drop guard).
pub fn hidden(label: &str) -> Option<String> {
    rpassword::prompt_password(format!("{label}: ")).ok()
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
