//! Copying through the terminal: OSC 52, which a terminal (even over SSH)
//! puts on the clipboard, and what tmux does with it.
//!
//! Inside tmux (`$TMUX`) an application's OSC 52 reaches the clipboard only
//! when tmux lets it: with `set-clipboard on` tmux takes it (into a buffer)
//! and sets the outer terminal's clipboard; with `external` (tmux's default)
//! or `off` it drops it. The same sequence wrapped in tmux's passthrough
//! (`ESC P tmux; …`) goes straight to the outer terminal, but only with
//! `allow-passthrough on` (tmux 3.3+, off by default; older tmux always
//! passes it through). Both are sent; the
//! report ([`report`]) says which one works, from tmux's own settings.

use std::io::{self, Write};

use super::state::Level;

/// What tmux was found to do with an application's OSC 52.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tmux {
    /// `tmux show -gv set-clipboard`: `on`, `external`, `off`; `None` when
    /// tmux could not be asked.
    pub set_clipboard: Option<String>,
    /// `tmux show -gv allow-passthrough`: `on`, `all`, `off`; `None` unknown.
    pub allow_passthrough: Option<String>,
}

/// The sequences that copy `text`: OSC 52, and inside tmux the same
/// wrapped in tmux's passthrough (its ESCs doubled).
pub fn sequences(text: &str, in_tmux: bool) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = format!("\x1b]52;c;{b64}\x07");
    if in_tmux {
        out.push_str(&format!("\x1bPtmux;\x1b\x1b]52;c;{b64}\x07\x1b\\"));
    }
    out
}

/// Send `text` to the terminal's clipboard; what happened, in words.
pub fn copy(text: &str, what: &str) -> (Level, String) {
    let in_tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
    let mut out = io::stdout();
    let written = out.write_all(sequences(text, in_tmux).as_bytes()).and_then(|()| out.flush());
    if let Err(e) = written {
        return (Level::Error, format!("{what} could not be sent to the terminal ({e}): select it with the mouse"));
    }
    report(what, in_tmux.then(ask_tmux).as_ref())
}

/// tmux's settings, asked of the server this pane belongs to.
fn ask_tmux() -> Tmux {
    let show = |option: &str| {
        std::process::Command::new("tmux")
            .args(["show", "-gv", option])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    Tmux { set_clipboard: show("set-clipboard"), allow_passthrough: show("allow-passthrough") }
}

/// What a copy did, for the user: outside tmux, sent; inside tmux, whether
/// tmux lets it through, and if not the setting that does.
pub fn report(what: &str, tmux: Option<&Tmux>) -> (Level, String) {
    let sent = format!("{what} sent to the terminal's clipboard with OSC 52");
    let Some(tmux) = tmux else {
        return (
            Level::Info,
            format!("{sent} (a terminal that refuses OSC 52 ignores it: then select the URL with the mouse)"),
        );
    };
    let passthrough = matches!(tmux.allow_passthrough.as_deref(), Some("on" | "all"));
    // tmux before 3.3 has no allow-passthrough option and always passes through
    let old_tmux = tmux.allow_passthrough.is_none() && tmux.set_clipboard.is_some();
    match tmux.set_clipboard.as_deref() {
        Some("on") => (Level::Info, format!("{sent}, through tmux (set-clipboard is on)")),
        _ if passthrough => (Level::Info, format!("{sent}, through tmux's passthrough (allow-passthrough is on)")),
        _ if old_tmux => {
            (Level::Info, format!("{sent}, through tmux's passthrough (tmux before 3.3 always passes it)"))
        }
        setting => (
            Level::Warn,
            // the fix first: the status line is 80 columns
            format!(
                "{what} not copied: tmux drops OSC 52 unless `set -g set-clipboard on` (in ~/.tmux.conf; it is {} now); or select it with the mouse",
                setting.unwrap_or("unknown")
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmux(clip: Option<&str>, pass: Option<&str>) -> Tmux {
        Tmux { set_clipboard: clip.map(Into::into), allow_passthrough: pass.map(Into::into) }
    }

    #[test]
    fn outside_tmux_the_copy_is_reported_sent() {
        let (level, text) = report("integration URL", None);
        assert_eq!(level, Level::Info);
        assert!(text.contains("sent to the terminal's clipboard with OSC 52"), "{text}");
    }

    #[test]
    fn inside_tmux_without_set_clipboard_the_setting_is_named() {
        for setting in [Some("off"), Some("external"), None] {
            let pass = if setting.is_some() { Some("off") } else { None };
            let (level, text) = report("integration URL", Some(&tmux(setting, pass)));
            assert_eq!(level, Level::Warn, "{setting:?}");
            assert!(text.contains("set -g set-clipboard on"), "{text}");
            assert!(text.contains(setting.unwrap_or("unknown")), "{text}");
        }
        let (level, _) = report("u", Some(&tmux(Some("on"), None)));
        assert_eq!(level, Level::Info);
        let (level, text) = report("u", Some(&tmux(Some("external"), Some("on"))));
        assert_eq!(level, Level::Info);
        assert!(text.contains("passthrough"), "{text}");
        // tmux 3.2 and older: no allow-passthrough option, always passed through
        let (level, text) = report("u", Some(&tmux(Some("external"), None)));
        assert_eq!(level, Level::Info, "{text}");
        // tmux could not be asked at all
        let (level, _) = report("u", Some(&tmux(None, None)));
        assert_eq!(level, Level::Warn);
    }

    #[test]
    fn the_passthrough_doubles_the_escapes() {
        let s = sequences("hi", true);
        assert!(s.starts_with("\x1b]52;c;aGk=\x07"));
        assert!(s.ends_with("\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"));
        assert_eq!(sequences("hi", false), "\x1b]52;c;aGk=\x07");
    }
}
