//! `chanwiz webhook test CHANNEL [--timeout 120]`: the live delivery test
//! (the work is done by `crate::integration::live`). Exit 0 only when a
//! delivery reached the channel; 1 when none did within the timeout (with
//! what Telegram and the backend say went wrong) or no bot is registered.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::super::backend::{BackendArgs, block_on, emit};
use super::super::exit;
use crate::integration::{IntegrationError, Verdict, live};
use crate::paths::Paths;
use crate::sanitize::clean_multiline;
use crate::telegram::ApiConfig;

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The channel: its exact name or its id.
    #[arg(value_name = "CHANNEL")]
    pub channel: Option<String>,
    /// How long to wait for a message: seconds (`120`), or with a unit
    /// (`90s`, `2m`, `500ms`).
    #[arg(long, value_name = "DURATION", default_value = "120", value_parser = parse_timeout)]
    pub timeout: Duration,
    /// Print the outcome as one JSON object: {"ok", "channel", "bot",
    /// "timeout_seconds", "delivery", "diagnosis", "refused_during",
    /// "lines"} (the prompt goes to standard error).
    #[arg(long)]
    pub json: bool,
    /// Bot API address the local backend asks, when this command starts it
    /// (a remote backend asks its own `serve --telegram-api`). Default:
    /// $CHANWIZ_TELEGRAM_API, then https://api.telegram.org.
    #[arg(long, value_name = "URL")]
    pub telegram_api: Option<String>,
    #[command(flatten)]
    pub backend: BackendArgs,
}

/// From 100 ms to 24 h ([`crate::cli::duration`]: `120`, `90s`, `2m`, `1h`).
fn parse_timeout(text: &str) -> Result<Duration, String> {
    crate::cli::duration::parse(text, Duration::from_millis(100), crate::cli::duration::DAY)
}

/// Seconds as people read them: `120 s`, `0.5 s`.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 { format!("{s:.0} s") } else { format!("{s:.1} s") }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Working => "working",
        Verdict::Registered => "registered",
        Verdict::Warning => "warning",
        Verdict::Failing => "failing",
        Verdict::NotSet => "not_set",
    }
}

pub fn run(args: &TestArgs, paths: &Paths) -> ExitCode {
    if let Some(base) = &args.telegram_api {
        match ApiConfig::new(base) {
            Ok(api) => super::super::embedded::use_telegram_api(api.base_url()),
            Err(e) => return super::super::fail(exit::UNREADABLE, &e.to_string()),
        }
    }
    let Some(key) = args.channel.clone() else {
        return super::super::fail(exit::UNREADABLE, "which channel? name it (or give its id) after the command");
    };
    let client = match args.backend.client(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let line = |text: &str| emit(&clean_multiline(text));
    let prompt = |text: &str| {
        if args.json {
            eprintln!("{}", clean_multiline(text));
        } else {
            line(text);
        }
    };
    let result = block_on(async {
        let channel = client.find_channel(&key).await.map_err(IntegrationError::Backend)?;
        let baseline = live::start(&client, &channel.id, crate::integration::Face::Cli).await?;
        let channel_json = serde_json::json!({
            "id": channel.id, "name": channel.document.basic.channel_name, "integration_url": channel.integration_url,
        });
        let bot = baseline.bot.as_ref().map(|b| b.handle());
        if !baseline.has_bot_token {
            return Ok((channel_json, bot, None, None));
        }
        if !args.json {
            line(&format!("Channel: {} ({})", channel.document.basic.channel_name, channel.id));
        }
        if let Some(w) = &baseline.warning {
            prompt(&format!("warning: {w}"));
        }
        prompt(&format!("{} Waiting up to {}…", baseline.prompt(), seconds(args.timeout)));
        let arrived = live::wait(&client, &baseline, args.timeout).await?;
        let explained = match &arrived {
            Some(_) => None,
            None => Some(live::explain(&client, &baseline).await?),
        };
        Ok::<_, IntegrationError>((channel_json, bot, arrived, explained))
    });
    let (channel, bot, arrived, explained) = match result {
        Err(code) => return code,
        Ok(Err(e)) => return super::super::fail(exit::of(e.kind()), &e.to_string()),
        Ok(Ok(v)) => v,
    };
    let no_token = arrived.is_none() && explained.is_none();
    let no_token_message =
        "no bot token is stored for this channel, so Telegram delivers it nothing: run `chanwiz webhook set` first";
    if args.json {
        let delivery = arrived.as_ref().map(|s| {
            let a = live::arrival(s);
            serde_json::json!({
                "from": s.from, "text": s.text, "kind": s.kind, "update_id": s.update_id,
                "sent": s.sent, "received": s.received,
                "within_seconds": a.within_seconds, "headline": a.headline, "note": a.note,
            })
        });
        let diagnosis = explained.as_ref().map(|e| {
            let d = &e.status.diagnosis;
            serde_json::json!({ "verdict": verdict_word(d.verdict), "headline": d.headline, "details": d.details_at(chrono::Utc::now()) })
        });
        let refused: Vec<serde_json::Value> = explained
            .as_ref()
            .map(|e| {
                e.refused_during.iter().map(|(r, n)| serde_json::json!({ "reason": r.as_str(), "count": n })).collect()
            })
            .unwrap_or_default();
        let lines = match (&arrived, &explained) {
            (Some(s), _) => {
                let a = live::arrival(s);
                std::iter::once(a.headline).chain(a.note).collect()
            }
            (None, Some(e)) => e.lines.clone(),
            (None, None) => vec![no_token_message.to_owned()],
        };
        let value = serde_json::json!({
            "ok": arrived.is_some(),
            "channel": channel,
            "bot": bot,
            "timeout_seconds": args.timeout.as_secs_f64(),
            "delivery": delivery,
            "diagnosis": diagnosis,
            "refused_during": refused,
            "lines": lines,
        });
        line(&serde_json::to_string_pretty(&value).expect("serialises"));
        return if arrived.is_some() { ExitCode::SUCCESS } else { ExitCode::from(exit::REFUSED) };
    }
    if no_token {
        return super::super::fail(exit::REFUSED, no_token_message);
    }
    if let Some(sample) = &arrived {
        let a = live::arrival(sample);
        line(&a.headline);
        if let Some(note) = &a.note {
            line(&format!("  {note}"));
        }
        return ExitCode::SUCCESS;
    }
    let e = explained.expect("explained when nothing arrived");
    line(&format!("✗ Nothing reached the channel within {}.", seconds(args.timeout)));
    for l in &e.lines {
        line(&format!("  - {l}"));
    }
    super::super::fail(exit::REFUSED, &format!("no message reached the channel within {}", seconds(args.timeout)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_seconds_or_a_duration_with_its_unit() {
        assert_eq!(parse_timeout("120"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_timeout("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_timeout("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_timeout("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_timeout("0").is_err());
        assert_eq!(parse_timeout("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_timeout("2d").unwrap_err(), "'2d' is outside 100ms to 1d");
        assert!(parse_timeout("soon").is_err());
    }
}
