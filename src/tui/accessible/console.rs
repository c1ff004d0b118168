//! Plain line input and output for the accessible wizard: no escape
//! sequence is ever written, everything drawn is one line of text after
//! another, and everything read is a line.

use std::io::{self, BufRead, IsTerminal, Write};

/// Where the accessible wizard reads answers and writes lines.
pub trait Console {
    /// Write `text` and a line end.
    fn say(&mut self, text: &str);
    /// Write `prompt` (no line end) and read one line; `None` at end of
    /// input (Ctrl-D) or when reading fails.
    fn ask(&mut self, prompt: &str) -> Option<String>;
    /// The same for a secret: typed without echo where the terminal can.
    fn ask_secret(&mut self, prompt: &str) -> Option<String>;
}

/// Standard input and output.
///
/// Secrets: on a terminal, echo is turned off through the terminal's line
/// discipline (termios), which every tty has, a serial console with
/// `TERM=dumb` included: no escape sequence is involved. When standard input
/// is not a terminal (a pipe), or the terminal refuses to turn echo off, the
/// line is read as it comes and the prompt says that it will be shown.
pub struct Plain {
    stdin: io::StdinLock<'static>,
    stdout: io::Stdout,
    /// Standard input is a terminal (it echoes what is typed itself).
    terminal: bool,
    hidden: bool,
}

impl Plain {
    pub fn new() -> Self {
        let terminal = io::stdin().is_terminal();
        Self { stdin: io::stdin().lock(), stdout: io::stdout(), terminal, hidden: terminal }
    }

    /// One line; answers from a pipe are written after their prompt, so
    /// that the output reads as a dialogue (`shown`: not for a secret).
    fn read_line(&mut self, shown: bool) -> Option<String> {
        let mut line = String::new();
        let answer = match self.stdin.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
        };
        if !self.terminal {
            let echo = answer.as_deref().filter(|_| shown).map(plain).unwrap_or_default();
            let _ = writeln!(self.stdout, "{echo}");
        }
        answer
    }
}

/// `Label> ` as `Label (note)> `.
fn noted(prompt: &str, note: &str) -> String {
    format!("{} ({note})> ", plain(prompt.trim_end().trim_end_matches('>').trim_end()))
}

impl Default for Plain {
    fn default() -> Self {
        Self::new()
    }
}

impl Console for Plain {
    fn say(&mut self, text: &str) {
        let _ = writeln!(self.stdout, "{}", plain(text));
        let _ = self.stdout.flush();
    }

    fn ask(&mut self, prompt: &str) -> Option<String> {
        let _ = write!(self.stdout, "{}", plain(prompt));
        let _ = self.stdout.flush();
        self.read_line(true)
    }

    fn ask_secret(&mut self, prompt: &str) -> Option<String> {
        if self.hidden {
            let _ = write!(self.stdout, "{}", noted(prompt, "hidden as you type"));
            let _ = self.stdout.flush();
            match rpassword::read_password() {
                Ok(line) => return Some(line),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    self.say("");
                    return None;
                }
                Err(_) => {
                    // no echo control here: say so, then read it plainly
                    self.hidden = false;
                    self.say("");
                    self.say("(this terminal cannot hide typing: the secret will show as you type it)");
                }
            }
        }
        let _ = write!(self.stdout, "{}", noted(prompt, "shown as you type"));
        let _ = self.stdout.flush();
        self.read_line(false)
    }
}

/// `text` without any control character but line ends and tabs: whatever a
/// server or a file said cannot move the cursor or colour anything.
pub fn plain(text: &str) -> String {
    text.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect()
}

/// A scripted console for tests: answers given in advance, every line
/// written kept.
#[derive(Debug, Default)]
pub struct Script {
    pub answers: std::collections::VecDeque<String>,
    pub out: String,
}

impl Script {
    pub fn new<'a>(answers: impl IntoIterator<Item = &'a str>) -> Self {
        Self { answers: answers.into_iter().map(String::from).collect(), out: String::new() }
    }
}

impl Console for Script {
    fn say(&mut self, text: &str) {
        self.out.push_str(&plain(text));
        self.out.push('\n');
    }

    fn ask(&mut self, prompt: &str) -> Option<String> {
        self.out.push_str(&plain(prompt));
        let answer = self.answers.pop_front();
        if let Some(a) = &answer {
            self.out.push_str(a);
        }
        self.out.push('\n');
        answer
    }

    fn ask_secret(&mut self, prompt: &str) -> Option<String> {
        self.out.push_str(&plain(prompt));
        let answer = self.answers.pop_front();
        self.out.push('\n');
        answer
    }
}
