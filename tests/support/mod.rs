//! Helpers shared by integration tests (`mod support;`).
#![allow(dead_code)]

pub mod proxy;
pub mod serve;
pub mod telegram_standin;
pub mod tmux;

/// Every file under `dir`, as text (lossy), for secret searches.
pub fn all_text_under(dir: &std::path::Path) -> String {
    let mut out = String::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.push_str(&all_text_under(&p));
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push_str(&String::from_utf8_lossy(&bytes));
            out.push('\n');
        }
    }
    out
}
