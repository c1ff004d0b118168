//! `chanwiz schedule FILE|DRAFT`: the week of work time and what customers
//! get at a moment, in the tenant's time zone.

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{exit, fail};
use crate::client::config::{FileConfig, time_zone};
use crate::drafts::{DraftError, DraftStore};
use crate::model::ChannelDocument;
use crate::model::schedule::{DayKind, parse_moment, report, report_text};
use crate::paths::Paths;
use crate::sanitize::clean;

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// A channel document (JSON; `-` reads standard input) or a draft id
    /// (or a unique prefix of at least 4 characters).
    #[arg(value_name = "FILE|DRAFT")]
    pub target: String,
    /// The moment: HH:MM (today), a weekday and HH:MM (`Sat 10:00`) or an
    /// RFC 3339 instant; default now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The tenant's time zone (IANA name); default `chanwiz config set --tz`,
    /// else TZ, else UTC.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// The day kind at that moment (default: Monday–Friday are workdays).
    #[arg(long, value_enum, value_name = "KIND")]
    pub day: Option<Day>,
    /// Print {"time_zone", "week", "outside_work_time", "at", "warnings",
    /// "work_time_errors"}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Day {
    Workday,
    NonWorkday,
}

pub fn run(args: &ScheduleArgs, paths: &Paths) -> ExitCode {
    let doc = match load(&args.target, paths) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let file = match FileConfig::load(paths) {
        Ok(f) => f,
        Err(e) => return fail(exit::UNREADABLE, &e.to_string()),
    };
    let (zone, _) = match time_zone(args.tz.as_deref(), file.as_ref(), std::env::var("TZ").ok().as_deref()) {
        Ok(z) => z,
        Err(e) => return fail(exit::UNREADABLE, &e),
    };
    let moment = match parse_moment(args.at.as_deref(), &zone, chrono::Utc::now()) {
        Ok(m) => m,
        Err(e) => return fail(exit::UNREADABLE, &format!("--at: {e}")),
    };
    let day = args.day.map(|d| match d {
        Day::Workday => DayKind::Workday,
        Day::NonWorkday => DayKind::NonWorkday,
    });
    let r = report(&doc, zone.name(), &moment, day);
    if args.json {
        let text = serde_json::to_string_pretty(&r).expect("the report serialises");
        println!("{}", crate::sanitize::clean_multiline(&text));
    } else {
        print!("{}", crate::sanitize::clean_multiline(&report_text(&r, '#', '.')));
    }
    ExitCode::SUCCESS
}

/// The document of a file (or standard input) or of a draft.
fn load(target: &str, paths: &Paths) -> Result<ChannelDocument, ExitCode> {
    if target == "-" || Path::new(target).is_file() {
        return super::validate::load_document(Path::new(target));
    }
    let store = DraftStore::open(&paths.drafts()).map_err(|e| fail(exit::UNREADABLE, &e.to_string()))?;
    match store.resolve(target).and_then(|id| store.load(&id)) {
        Ok(d) => Ok(d.document),
        Err(DraftError::NotFound(key)) => {
            Err(fail(exit::UNREADABLE, &format!("'{}' is neither a readable file nor a draft id", clean(&key))))
        }
        Err(e) => Err(fail(exit::of(e.kind()), &e.to_string())),
    }
}
