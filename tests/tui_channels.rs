//! The Channels screen's state: only the pages in view are asked for, a
//! filter goes to the backend after a pause (the loaded rows filter at once),
//! answers to an older query are dropped, selection and export scope.

mod support;

use crossterm::event::KeyCode;
use support::tui::*;

use chanwiz::api::{ChannelSort, Page};
use chanwiz::tui::popups::Popup;
use chanwiz::tui::screens::channels::PER_PAGE;
use chanwiz::tui::state::State;
use chanwiz::tui::update::{Action, Effect, update};

fn channels(s: &State) -> &chanwiz::tui::screens::channels::Channels {
    s.channels().unwrap()
}

#[test]
fn only_the_pages_in_view_are_fetched_even_with_100000_channels() {
    let mut s = open_channels(100_000);
    assert_eq!(channels(&s).count(), 100_000);
    assert_eq!(channels(&s).pages.len(), 2, "the first screenful's page, and the next one ahead");
    let fx = update(&mut s, key(KeyCode::End));
    let asked = answer_pages(&mut s, fx, 100_000);
    assert_eq!(asked, vec![100_000 / PER_PAGE], "End asks for the last page only");
    assert_eq!(channels(&s).row(99_999).unwrap().name, "Chan_100000");
    let fx = update(&mut s, key(KeyCode::PageUp));
    assert!(answer_pages(&mut s, fx, 100_000).len() <= 1);
    assert!(channels(&s).pages.len() <= 3);
}

#[test]
fn a_filter_filters_the_loaded_rows_at_once_and_asks_the_backend_after_a_pause() {
    let mut s = open_channels(250);
    update(&mut s, key(KeyCode::Char('/')));
    let fx = typed(&mut s, "00024");
    assert!(fx.is_empty(), "nothing asked while typing");
    // the loaded pages (rows 1–200) filter at once
    assert_eq!(channels(&s).count(), 1);
    assert!(tick(&mut s, 0).is_empty());
    // after the pause the backend is asked, for every row matching
    let fx = tick(&mut s, 1);
    let asked = answer_pages(&mut s, fx, 250);
    assert_eq!(asked, vec![1]);
    assert_eq!(channels(&s).count(), 11, "Chan_000024 and Chan_000240..249");
    // an answer to the query before is dropped
    let stale = Action::ChannelPage {
        generation: 0,
        page: 1,
        result: Ok(Page { items: vec![channel_row(1)], page: 1, per_page: PER_PAGE, total: 1 }),
        cached: None,
    };
    update(&mut s, stale);
    assert_eq!(channels(&s).count(), 11);
    // Esc clears the filter
    let fx = update(&mut s, key(KeyCode::Esc));
    answer_pages(&mut s, fx, 250);
    assert_eq!(channels(&s).count(), 250);
}

#[test]
fn sort_selection_and_what_an_export_takes() {
    let mut s = open_channels(5);
    let fx = update(&mut s, key(KeyCode::Char('s')));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::LoadChannelPage { query, .. } if query.sort == Some(ChannelSort::Updated)))
    );
    answer_pages(&mut s, fx, 5);
    update(&mut s, key(KeyCode::Char(' ')));
    update(&mut s, key(KeyCode::Char(' ')));
    assert_eq!(channels(&s).marked.len(), 2);
    update(&mut s, key(KeyCode::Char('e')));
    let Some(Popup::Confirm(_)) = &s.popup else { panic!("export asks first") };
    let fx = update(&mut s, key(KeyCode::Char('y')));
    let Some(Effect::StartExport { ids: Some(ids), filter: None }) = fx.first() else { panic!("{fx:?}") };
    assert_eq!(ids.len(), 2);
    // none selected: all
    let mut s = open_channels(5);
    update(&mut s, key(KeyCode::Char('e')));
    let fx = update(&mut s, key(KeyCode::Char('y')));
    assert!(matches!(fx.first(), Some(Effect::StartExport { ids: None, filter: None })));
    // more than an export task takes is refused before a task starts
    let mut s = open_channels(100_001);
    update(&mut s, key(KeyCode::Char('e')));
    assert!(s.popup.is_none());
    assert!(s.shared.flash.as_ref().unwrap().1.contains("100000"));
}

#[test]
fn delete_needs_the_name_typed_exactly() {
    let mut s = open_channels(3);
    update(&mut s, key(KeyCode::Char('d')));
    typed(&mut s, "Chan_00000");
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty(), "not the whole name");
    assert!(matches!(s.popup, Some(Popup::Prompt(_))));
    typed(&mut s, "1");
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(s.popup.is_none());
    assert!(matches!(fx.first(), Some(Effect::DeleteChannel(id)) if id == "id-000001"), "{fx:?}");
}

#[test]
fn pages_from_the_cache_are_marked_cached_with_their_age() {
    let mut s = State::new(None, chanwiz::tui::state::Link::Unreachable("connection refused".into()));
    let fx = update(&mut s, key(KeyCode::Char('c')));
    let Some(Effect::LoadChannelPage { generation, .. }) = fx.first() else { panic!("{fx:?}") };
    let fetched = s.shared.now - chrono::TimeDelta::minutes(42);
    let page = Page { items: vec![channel_row(1), channel_row(2)], page: 1, per_page: PER_PAGE, total: 2 };
    update(&mut s, Action::ChannelPage { generation: *generation, page: 1, result: Ok(page), cached: Some(fetched) });
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| chanwiz::tui::render::render(&s, f)).unwrap();
    let screen = t.backend().to_string();
    assert!(screen.contains("cached") && screen.contains("42 minutes ago"), "{screen}");
    assert!(screen.contains("Chan_000002"));
}

#[test]
fn an_edit_opened_from_the_channels_screen_returns_there() {
    let mut s = open_channels(3);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(fx.first(), Some(Effect::OpenChannel(id)) if id == "id-000001"));
    let mut ch = saved_channel();
    ch.id = "id-000001".into();
    update(&mut s, Action::ChannelOpened(Ok(ch)));
    assert!(s.wizard().is_some());
    update(&mut s, key(KeyCode::Esc));
    assert!(s.channels().is_some(), "back on the channel list");
}

#[test]
fn a_certificate_in_use_expiring_within_30_days_is_warned_about_with_its_channels() {
    use chanwiz::model::catalogue::{CertRole, Certificate};
    let mut s = open_channels(3);
    let soon = (s.shared.now + chrono::Duration::days(12) + chrono::Duration::hours(1)).to_rfc3339();
    let later = (s.shared.now + chrono::Duration::days(200)).to_rfc3339();
    let cert = |id: &str, not_after: &str, used_by: &[&str]| Certificate {
        id: id.into(),
        name: id.into(),
        role: CertRole::Trust,
        subject: String::new(),
        not_after: not_after.into(),
        expired: false,
        used_by: used_by.iter().map(|u| u.to_string()).collect(),
    };
    s.shared.catalogue = Some(chanwiz::model::Catalogue {
        certificates: vec![cert("cert-soon", &soon, &["Chan_000002"]), cert("cert-later", &later, &["Chan_000001"])],
        ..Default::default()
    });
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 24)).unwrap();
    t.draw(|f| chanwiz::tui::render::render(&s, f)).unwrap();
    let screen = t.backend().to_string();
    assert!(screen.contains("⚠ used by Chan_000002: Certificate 'cert-soon' expires in 12 days"), "{screen}");
    let row = |name: &str| screen.lines().find(|l| l.contains(name) && !l.contains("used by")).unwrap().to_string();
    assert!(row("Chan_000002").contains("⚠ cert"), "{screen}");
    assert!(!row("Chan_000001").contains("⚠ cert"), "{screen}");
    assert!(!screen.contains("cert-later"), "{screen}");
}

/// The export line counts in words that agree with the number.
#[test]
fn the_export_line_says_one_record_in_one_file() {
    let mut s = open_channels(1);
    let task = |status, done, total, files| chanwiz::api::ExportTask {
        id: "t1".into(),
        status,
        done,
        total,
        files,
        created: chrono::Utc::now(),
        finished: None,
        error: None,
        size: None,
    };
    let screen = |s: &State| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        t.draw(|f| chanwiz::tui::render::render(s, f)).unwrap();
        t.backend().to_string()
    };
    update(&mut s, Action::ExportProgress(task(chanwiz::api::ExportStatus::Running, 0, 1, 1)));
    assert!(screen(&s).contains("running 0/1 (1 file)"), "{}", screen(&s));
    update(&mut s, Action::ExportProgress(task(chanwiz::api::ExportStatus::Success, 1, 1, 1)));
    assert!(screen(&s).contains("done, 1 record in 1 file"), "{}", screen(&s));
    update(&mut s, Action::ExportProgress(task(chanwiz::api::ExportStatus::Success, 4500, 4500, 3)));
    assert!(screen(&s).contains("done, 4500 records in 3 files"), "{}", screen(&s));
}

/// The Channels screen says where the cursor is, of how many, and a cache
/// shown under `--offline` says so rather than that the backend is silent.
#[test]
fn the_channels_line_says_the_position_and_why_the_rows_are_cached() {
    let mut s = open_channels(10_002);
    let screen = |s: &State| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        t.draw(|f| chanwiz::tui::render::render(s, f)).unwrap();
        t.backend().to_string()
    };
    assert!(screen(&s).contains("by name · 1 of 10,002"), "{}", screen(&s));
    update(&mut s, key(KeyCode::End));
    assert!(screen(&s).contains("10,002 of 10,002"), "{}", screen(&s));
    // the export tasks list has no sort to speak of
    update(&mut s, key(KeyCode::Char('t')));
    assert!(!screen(&s).contains("by name"), "{}", screen(&s));
}

/// Under `--offline` the cached pages say that, not that the backend does
/// not answer (it was never asked).
#[test]
fn cached_pages_under_offline_say_offline() {
    let mut s = State::new(None, chanwiz::tui::state::Link::Offline);
    let fx = update(&mut s, key(KeyCode::Char('c')));
    let Some(Effect::LoadChannelPage { generation, .. }) = fx.first() else { panic!("{fx:?}") };
    let fetched = s.shared.now - chrono::TimeDelta::minutes(42);
    let page = Page { items: vec![channel_row(1)], page: 1, per_page: PER_PAGE, total: 1 };
    update(&mut s, Action::ChannelPage { generation: *generation, page: 1, result: Ok(page), cached: Some(fetched) });
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 24)).unwrap();
    t.draw(|f| chanwiz::tui::render::render(&s, f)).unwrap();
    let screen = t.backend().to_string();
    assert!(screen.contains("offline (--offline)") && !screen.contains("does not answer"), "{screen}");
}

/// Offline, a filter being typed does not claim to ask the backend.
#[test]
fn an_offline_filter_does_not_say_it_asks_the_backend() {
    let mut s = State::new(None, chanwiz::tui::state::Link::Offline);
    let fx = update(&mut s, key(KeyCode::Char('c')));
    let Some(Effect::LoadChannelPage { generation, .. }) = fx.first() else { panic!("{fx:?}") };
    let page = Page { items: vec![channel_row(1), channel_row(2)], page: 1, per_page: PER_PAGE, total: 2 };
    let fetched = s.shared.now;
    update(&mut s, Action::ChannelPage { generation: *generation, page: 1, result: Ok(page), cached: Some(fetched) });
    update(&mut s, key(KeyCode::Char('/')));
    typed(&mut s, "000002");
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 24)).unwrap();
    t.draw(|f| chanwiz::tui::render::render(&s, f)).unwrap();
    let screen = t.backend().to_string();
    assert!(!screen.contains("asking the backend"), "{screen}");
    assert!(screen.contains("filter /000002"), "{screen}");
}

/// Offline, `e` says an export needs the backend, not that there is no
/// channel to export.
#[test]
fn export_offline_says_it_needs_the_backend() {
    let mut s = State::new(None, chanwiz::tui::state::Link::Offline);
    let fx = update(&mut s, key(KeyCode::Char('c')));
    let Some(Effect::LoadChannelPage { generation, .. }) = fx.first() else { panic!("{fx:?}") };
    let page = Page { items: vec![channel_row(1)], page: 1, per_page: PER_PAGE, total: 1 };
    let fetched = s.shared.now;
    update(&mut s, Action::ChannelPage { generation: *generation, page: 1, result: Ok(page), cached: Some(fetched) });
    let fx = update(&mut s, key(KeyCode::Char('e')));
    assert!(fx.is_empty() && s.popup.is_none(), "{fx:?}");
    let said = s.shared.flash.as_ref().map(|f| f.1.clone()).unwrap_or_default();
    assert!(said.contains("offline") && !said.contains("no channel"), "{said}");
}

/// A status line longer than the screen ends in "…" short of the last
/// column (offline, with no page seen online before).
#[test]
fn a_long_channels_status_line_is_cut_with_an_ellipsis() {
    let mut s = State::new(None, chanwiz::tui::state::Link::Offline);
    let fx = update(&mut s, key(KeyCode::Char('c')));
    let Some(Effect::LoadChannelPage { generation, .. }) = fx.first() else { panic!("{fx:?}") };
    let why = "offline (--offline), and these channels were not seen online before: run chanwiz once online";
    update(&mut s, Action::ChannelPage { generation: *generation, page: 1, result: Err(why.into()), cached: None });
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| chanwiz::tui::render::render(&s, f)).unwrap();
    let screen = t.backend().to_string();
    let line = screen.lines().find(|l| l.contains("not seen online")).unwrap_or_else(|| panic!("{screen}"));
    let cells: Vec<char> = line.trim_matches('"').chars().collect();
    assert_eq!(cells.last(), Some(&' '), "the last column is used: {line}");
    assert!(line.contains('…'), "cut without …: {line}");
}
