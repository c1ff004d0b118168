//! The CLI's human tables: each column padded to its widest cell by
//! display width (a Chinese character or an emoji takes two columns, a
//! combining mark none), so names in any script line up under their
//! header; a cell past its column's cap is cut with `…`. The last column is
//! not padded. Cells are cleaned of control characters by the caller.

use crate::tui::text::{truncate, width};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table: its columns (header, alignment, widest a cell may be) and rows.
pub struct Table {
    columns: Vec<(&'static str, Align, usize)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Columns as (header, alignment); none capped.
    pub fn new(columns: &[(&'static str, Align)]) -> Self {
        Self { columns: columns.iter().map(|&(h, a)| (h, a, usize::MAX)).collect(), rows: Vec::new() }
    }

    /// Cells of column `column` are cut to at most `max` columns.
    pub fn cap(mut self, column: usize, max: usize) -> Self {
        self.columns[column].2 = max;
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        let cells = cells.into_iter().zip(&self.columns).map(|(c, col)| truncate(&c, col.2)).collect();
        self.rows.push(cells);
    }

    /// The lines, header first, columns two spaces apart.
    pub fn render(&self) -> String {
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| r.get(i).map_or(0, |c| width(c)))
                    .chain([width(self.columns[i].0)])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: Vec<&str>| {
            let last = cells.len().saturating_sub(1);
            let mut out = String::new();
            for (i, cell) in cells.into_iter().enumerate() {
                if i > 0 {
                    out.push_str("  ");
                }
                let pad = " ".repeat(widths[i].saturating_sub(width(cell)));
                match self.columns[i].1 {
                    Align::Right => {
                        out.push_str(&pad);
                        out.push_str(cell);
                    }
                    Align::Left if i == last => out.push_str(cell),
                    Align::Left => {
                        out.push_str(cell);
                        out.push_str(&pad);
                    }
                }
            }
            out
        };
        let mut lines = vec![line(self.columns.iter().map(|c| c.0).collect())];
        lines.extend(self.rows.iter().map(|r| line(r.iter().map(String::as_str).collect())));
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_by_display_width_in_any_script() {
        let mut t = Table::new(&[("NAME", Align::Left), ("N", Align::Right), ("NOTE", Align::Left)]).cap(0, 10);
        t.row(vec!["客服频道".into(), "7".into(), "a".into()]);
        t.row(vec!["Support".into(), "12".into(), "b".into()]);
        t.row(vec!["🇨🇳 é\u{301}x".into(), "3".into(), "c".into()]);
        t.row(vec!["很长很长很长的名字".into(), "1".into(), "d".into()]);
        let text = t.render();
        let lines: Vec<&str> = text.lines().collect();
        // the third column starts at the same display column on every line
        let starts: Vec<usize> = lines.iter().map(|l| width(&l[..l.rfind("  ").unwrap()]) + 2).collect();
        assert!(starts.iter().all(|&s| s == starts[0]), "{text}\n{starts:?}");
        assert!(lines[4].starts_with("很长很长…"), "{text}");
        assert!(!lines[0].ends_with(' '), "the last column is not padded");
    }
}

/// `t` as this machine's local time with its zone (`2026-12-07 23:20:05
/// CST` under `TZ=Asia/Shanghai`), for human output; `--json` keeps RFC 3339
/// UTC.
pub fn local_time(t: chrono::DateTime<chrono::Utc>) -> String {
    local_time_in(t, &jiff::tz::TimeZone::system())
}

fn local_time_in(t: chrono::DateTime<chrono::Utc>, zone: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::from_second(t.timestamp()) {
        Ok(ts) => ts.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M:%S %Z").to_string(),
        Err(_) => t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    }
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn times_are_local_with_their_zone() {
        let t = chrono::DateTime::from_timestamp(1_765_120_805, 0).unwrap();
        let shanghai = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        assert_eq!(super::local_time_in(t, &shanghai), "2025-12-07 23:20:05 CST");
        assert_eq!(super::local_time_in(t, &jiff::tz::TimeZone::UTC), "2025-12-07 15:20:05 UTC");
    }
}
