//! `chanwiz schedule` and the timer warnings of `chanwiz validate`, run as
//! the built binary.

use std::path::Path;
use std::process::{Command, Output};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/telegram-channel.json");

fn chanwiz_env(home: &Path, args: &[&str], tz: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chanwiz"));
    cmd.args(args).env("CHANWIZ_HOME", home).env_remove("CHANWIZ_BACKEND").env_remove("CHANWIZ_TOKEN");
    match tz {
        Some(tz) => cmd.env("TZ", tz),
        None => cmd.env_remove("TZ"),
    };
    cmd.output().unwrap()
}

fn chanwiz(home: &Path, args: &[&str]) -> Output {
    chanwiz_env(home, args, None)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// The example with `edit` applied to its JSON.
fn example_with(dir: &Path, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(EXAMPLE).unwrap()).unwrap();
    edit(&mut v);
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn the_week_and_what_customers_get_at_a_typed_time() {
    let home = tempfile::tempdir().unwrap();
    let o = chanwiz(home.path(), &["schedule", EXAMPLE, "--at", "Sat 10:00", "--tz", "Europe/Berlin"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Work time, Europe/Berlin"), "{out}");
    assert!(out.contains("                00    03    06    09    12    15    18    21    24\n"), "{out}");
    assert!(
        out.contains("Mon workday     .................#######..##########............  08:30–12:00, 13:00–18:00"),
        "{out}"
    );
    assert!(out.contains("Sun non-workday ....................############................  10:00–16:00"), "{out}");
    assert!(out.contains("Outside work time customers get: offline messages"), "{out}");
    assert!(
        out.contains("At Sat 10:00 in Europe/Berlin (a non-workday) customers get: an agent, until 16:00."),
        "{out}"
    );
    // the lunch break of a workday
    let o = chanwiz(home.path(), &["schedule", EXAMPLE, "--at", "wed 12:00"]);
    let out = stdout(&o);
    assert!(out.contains("At Wed 12:00 in UTC (a workday) customers get: offline messages"), "{out}");
    assert!(out.contains("until 13:00."), "{out}");
    assert!(
        out.contains(r#"offline message prompt: "Leave us a message and an agent will reply when back.""#),
        "{out}"
    );
}

#[test]
fn an_instant_is_read_in_the_zone_and_json_says_the_same() {
    let home = tempfile::tempdir().unwrap();
    // 23:30 UTC on Saturday is 00:30 on Sunday in Berlin: before the non-workday's work time
    let o =
        chanwiz(home.path(), &["schedule", EXAMPLE, "--json", "--at", "2026-12-05T23:30:00Z", "--tz", "Europe/Berlin"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["time_zone"], "Europe/Berlin");
    assert_eq!(v["week"].as_array().unwrap().len(), 7);
    assert_eq!(v["week"][5]["day"], "sat");
    assert_eq!(v["week"][5]["kind"], "non_workday");
    assert_eq!(v["week"][0]["segments"][1], serde_json::json!({"start": "13:00", "end": "18:00"}));
    assert_eq!(v["outside_work_time"], "offline_messages");
    let at = &v["at"];
    assert_eq!(at["instant"], "2026-12-06T00:30:00+01:00");
    assert_eq!((at["weekday"].as_str(), at["time"].as_str()), (Some("sun"), Some("00:30")));
    assert_eq!((at["day_kind"].as_str(), at["day_kind_from"].as_str()), (Some("non_workday"), Some("weekday")));
    assert_eq!((at["outcome"].as_str(), at["until"].as_str()), (Some("offline_messages"), Some("10:00")));
    assert_eq!(v["warnings"], serde_json::json!([]));
    assert_eq!(v["work_time_errors"], serde_json::json!([]));
    // the same instant in UTC is still Saturday, after its work time
    let o = chanwiz(home.path(), &["schedule", EXAMPLE, "--json", "--at", "2026-12-05T23:30:00Z"]);
    let at = &json(&o)["at"];
    assert_eq!(
        (at["weekday"].as_str(), at["time"].as_str(), at["until"].as_str()),
        (Some("sat"), Some("23:30"), Some("24:00"))
    );
}

#[test]
fn day_picks_the_day_kind_and_without_offline_messages_the_notification_is_sent() {
    let home = tempfile::tempdir().unwrap();
    let file =
        example_with(home.path(), "no-offline.json", |v| v["basic"]["offline_messages"]["enabled"] = false.into());
    let o = chanwiz(home.path(), &["schedule", &file, "--json", "--at", "Mon 09:00", "--day", "non-workday"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let at = &json(&o)["at"];
    assert_eq!((at["day_kind"].as_str(), at["day_kind_from"].as_str()), (Some("non_workday"), Some("given")));
    assert_eq!(at["outcome"], "non_working_time_notification");
    assert_eq!(at["notification"], "Our agents are resting now.\nWe answer from 08:30 to 18:00 on workdays.");
    assert!(at.get("offline_prompt").is_none());
    let o = chanwiz(home.path(), &["schedule", &file, "--at", "Sun 09:00", "--day", "workday"]);
    assert!(stdout(&o).contains("(taken as a workday) customers get: an agent, until 12:00."), "{}", stdout(&o));
    let o = chanwiz(home.path(), &["schedule", &file, "--day", "holiday"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_draft_is_named_by_its_id() {
    let home = tempfile::tempdir().unwrap();
    let o = chanwiz(home.path(), &["drafts", "import", EXAMPLE]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let id = stdout(&o).trim().to_string();
    let args = |target: &str| {
        chanwiz(home.path(), &["schedule", target, "--json", "--at", "Tue 18:00", "--tz", "Asia/Shanghai"])
    };
    let (by_file, by_id, by_prefix) = (args(EXAMPLE), args(&id), args(&id[..6]));
    assert_eq!(by_id.status.code(), Some(0), "{}", stderr(&by_id));
    assert_eq!(json(&by_id), json(&by_file));
    assert_eq!(json(&by_prefix), json(&by_file));
    assert_eq!(json(&by_id)["at"]["outcome"], "offline_messages");
    let o = chanwiz(home.path(), &["schedule", "abcdef123456"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("neither a readable file nor a draft id"), "{}", stderr(&o));
}

#[test]
fn the_zone_comes_from_tz_the_config_or_utc_and_a_wrong_one_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let zone_of = |o: &Output| json(o)["time_zone"].as_str().unwrap().to_string();
    let o = chanwiz(home.path(), &["schedule", EXAMPLE, "--json"]);
    assert_eq!(zone_of(&o), "UTC");
    let o = chanwiz_env(home.path(), &["schedule", EXAMPLE, "--json"], Some("America/New_York"));
    assert_eq!(zone_of(&o), "America/New_York");
    let o = chanwiz(home.path(), &["config", "set", "--tz", "Asia/Kolkata"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = chanwiz_env(home.path(), &["schedule", EXAMPLE, "--json"], Some("America/New_York"));
    assert_eq!(zone_of(&o), "Asia/Kolkata");
    let o = chanwiz(home.path(), &["config", "show"]);
    assert!(stdout(&o).contains("time zone:   Asia/Kolkata (from config.json)"), "{}", stdout(&o));
    let o = chanwiz(home.path(), &["schedule", EXAMPLE, "--json", "--tz", "Europe/Lisbon"]);
    assert_eq!(zone_of(&o), "Europe/Lisbon");

    for (args, said) in [
        (vec!["schedule", EXAMPLE, "--tz", "Mars/Olympus"], "--tz: 'Mars/Olympus' is not a time zone"),
        (vec!["schedule", EXAMPLE, "--at", "25:00"], "--at: '25:00' is not a time"),
        (vec!["schedule", EXAMPLE, "--at", "Someday 10:00"], "'Someday' is not a weekday"),
        (vec!["config", "set", "--tz", "Nowhere"], "--tz: 'Nowhere' is not a time zone"),
    ] {
        let o = chanwiz(home.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(said), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

/// The example with a no-agent transfer after 180 s while the session ends
/// after 2 minutes.
fn transfer_after_end(dir: &Path) -> String {
    example_with(dir, "timers.json", |v| {
        v["basic"]["session_transfer_no_agent_reply"]["timeout_seconds"] = 180.into();
        v["basic"]["session_end_no_customer_reply"]["timeout_minutes"] = 2.into();
        // the called-customer timeout must stay below the session end (a rule)
        v["basic"]["offline_messages"]["called_customer_reply_timeout_minutes"] = 1.into();
    })
}

#[test]
fn validate_prints_warnings_and_exits_0_unless_strict() {
    let home = tempfile::tempdir().unwrap();
    let file = transfer_after_end(home.path());
    let o = chanwiz(home.path(), &["validate", &file]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "valid, with 1 warning (--strict makes them errors)\n");
    let err = stderr(&o);
    assert!(
        err.starts_with("warning: basic.session_transfer_no_agent_reply.timeout_seconds + basic.session_end_no_customer_reply.timeout_minutes: "),
        "{err}"
    );
    assert!(err.contains("the session ends before it can be transferred"), "{err}");
    // --json keeps its array of errors; the warning goes to standard error
    let o = chanwiz(home.path(), &["validate", "--json", &file]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json(&o), serde_json::json!([]));
    assert!(stderr(&o).contains("warning: basic.session_transfer_no_agent_reply.timeout_seconds"));

    let o = chanwiz(home.path(), &["validate", "--strict", &file]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.starts_with("basic.session_transfer_no_agent_reply.timeout_seconds: "), "{out}");
    assert!(out.contains("with basic.session_end_no_customer_reply.timeout_minutes"), "{out}");
    let o = chanwiz(home.path(), &["validate", "--strict", "--json", &file]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["path"], "basic.session_transfer_no_agent_reply.timeout_seconds");
    assert!(v[0]["message"].as_str().unwrap().contains("basic.session_end_no_customer_reply.timeout_minutes"));

    // without the warning --strict changes nothing
    let o = chanwiz(home.path(), &["validate", "--strict", EXAMPLE]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "valid\n"));
    assert!(stderr(&o).is_empty());
}

#[test]
fn schedule_lists_the_warnings_too() {
    let home = tempfile::tempdir().unwrap();
    let file = example_with(home.path(), "closed.json", |v| {
        v["basic"]["work_time"]["workday"] = serde_json::json!([]);
        v["basic"]["offline_messages"]["enabled"] = false.into();
    });
    let o = chanwiz(home.path(), &["schedule", &file, "--at", "Mon 10:00"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("Mon workday     ................................................  no work time"), "{out}");
    assert!(
        out.contains("customers get: the non-working-time notification (no agent), for the rest of the day."),
        "{out}"
    );
    assert!(out.contains("warning: basic.work_time.workday + basic.offline_messages.enabled: "), "{out}");
    let o = chanwiz(home.path(), &["schedule", &file, "--json"]);
    assert_eq!(
        json(&o)["warnings"][0]["fields"],
        serde_json::json!(["basic.work_time.workday", "basic.offline_messages.enabled"])
    );
}
