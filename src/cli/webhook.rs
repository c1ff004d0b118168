//! `chanwiz webhook set|info|delete|rotate|test`: the Channel Integration steps
//! from the command line (the work is done by `crate::integration`).
//!
//! The bot token comes from `--bot-token-file FILE` (`-`: standard input) or
//! `CHANWIZ_BOT_TOKEN`, or is typed without echo on a terminal; never from an
//! argument, which other users could read in the process list. Everything
//! printed is scrubbed of the token and the webhook secrets.

mod live;

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::backend::{BackendArgs, block_on, emit};
use super::exit;
use crate::client::Client;
use crate::integration::{self, Event, IntegrationError, IntegrationInfo, Options, Replace};
use crate::paths::Paths;
use crate::sanitize::{clean, clean_multiline};
use crate::telegram::{ApiConfig, BotToken, TelegramError, WebhookSecret};

/// Environment variable holding the bot token.
pub const TOKEN_ENV: &str = "CHANWIZ_BOT_TOKEN";

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Register the channel's webhook with Telegram, confirm it, and store
    /// the bot token in the backend. Exit 0 only when Telegram accepted it and
    /// getWebhookInfo agrees.
    Set(SetArgs),
    /// Show where the bot's webhook points, its queue, Telegram's last
    /// delivery error and the backend's refused deliveries, with what they
    /// mean. The backend asks Telegram with the token it holds: no token is
    /// needed (exit 0 when the webhook points to this channel).
    Info(InfoArgs),
    /// Delete the bot's webhook.
    Delete(DeleteArgs),
    /// Switch the channel to a new bot token (from --bot-token-file or
    /// CHANWIZ_BOT_TOKEN) with a fresh webhook secret; on failure nothing is
    /// left half-changed.
    Rotate(SetArgs),
    /// The live delivery test: wait for a message sent to the channel's bot
    /// to reach the backend through the webhook and show it (sender, text,
    /// how long it took), or after --timeout say what Telegram and the
    /// backend report went wrong. No bot token is needed. Exit 0 only when a
    /// message arrived; 1 when none did (or no bot is registered).
    Test(live::TestArgs),
}

#[derive(Debug, Args)]
pub struct Common {
    /// The channel: its exact name or its id.
    #[arg(value_name = "CHANNEL")]
    pub channel: Option<String>,
    /// Old spelling of CHANNEL: still taken, with a note.
    #[arg(long = "channel", value_name = "CHANNEL", hide = true, conflicts_with = "channel")]
    pub channel_flag: Option<String>,
    /// File holding the bot token (`-` reads standard input). Default:
    /// $CHANWIZ_BOT_TOKEN, else asked for on a terminal. Never an argument.
    #[arg(long, value_name = "FILE")]
    pub bot_token_file: Option<PathBuf>,
    /// Old spelling of --bot-token-file: still taken, with a note.
    #[arg(long = "token-file", value_name = "FILE", hide = true, conflicts_with = "bot_token_file")]
    pub token_file: Option<PathBuf>,
    /// Print the outcome as one JSON object: {"ok", "channel", "steps",
    /// "bot", "webhook_url", …, "error"}.
    #[arg(long)]
    pub json: bool,
    /// Bot API address (a local Bot API server). Default:
    /// $CHANWIZ_TELEGRAM_API, then https://api.telegram.org.
    #[arg(long, value_name = "URL")]
    pub telegram_api: Option<String>,
    #[command(flatten)]
    pub backend: BackendArgs,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    #[command(flatten)]
    pub common: Common,
    /// Public webhook address (https://PUBLIC-IPv4:PORT, port 443, 80, 88 or
    /// 8443) replacing the integration URL's scheme, host and port.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Drop the updates Telegram has queued for the bot.
    #[arg(long)]
    pub drop_pending: bool,
    /// Update types to receive, comma-separated, of the Bot API's (checked).
    /// Default: message,edited_message and the Telegram Business message types
    /// (business_connection,business_message,edited_business_message,deleted_business_messages).
    #[arg(long, value_name = "TYPES", value_delimiter = ',')]
    pub allowed_updates: Option<Vec<String>>,
    /// PEM certificate the webhook endpoint presents, instead of the
    /// channel's identity certificate (uploaded when self-signed).
    #[arg(long, value_name = "FILE")]
    pub endpoint_cert: Option<PathBuf>,
    /// Go ahead without asking: replace a webhook of the bot that points
    /// elsewhere, move a bot bound to another channel of the tenant here
    /// (that channel's token is cleared), switch to a token of another bot.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The channel: its exact name or its id.
    #[arg(value_name = "CHANNEL")]
    pub channel: Option<String>,
    /// Old spelling of CHANNEL: still taken, with a note.
    #[arg(long = "channel", value_name = "CHANNEL", hide = true, conflicts_with = "channel")]
    pub channel_flag: Option<String>,
    /// Print the state as JSON: {"channel", "state" (the backend's answer,
    /// Telegram's getWebhookInfo in it), "diagnosis", "points_here"}.
    #[arg(long)]
    pub json: bool,
    /// Answer the state the backend learnt last (with its age) instead of
    /// having it ask Telegram now.
    #[arg(long)]
    pub cached: bool,
    /// Bot API address the local backend asks, when this command starts it
    /// (a remote backend asks its own `serve --telegram-api`). Default:
    /// $CHANWIZ_TELEGRAM_API, then https://api.telegram.org.
    #[arg(long, value_name = "URL")]
    pub telegram_api: Option<String>,
    #[command(flatten)]
    pub backend: BackendArgs,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub common: Common,
    /// Drop the updates Telegram has queued for the bot.
    #[arg(long)]
    pub drop_pending: bool,
    /// Delete without asking (on a terminal the command asks first; without
    /// one it refuses unless --yes), a webhook that points elsewhere too.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// CHANNEL, or its old spelling `--channel` (with a note on stderr).
fn channel_of(positional: &Option<String>, flag: &Option<String>) -> Result<String, ExitCode> {
    match (positional, flag) {
        (Some(c), _) => Ok(c.clone()),
        (None, Some(c)) => {
            eprintln!(
                "chanwiz: `--channel NAME` is deprecated: name the channel after the command (chanwiz webhook info NAME)"
            );
            Ok(c.clone())
        }
        (None, None) => Err(super::fail(exit::UNREADABLE, "which channel? name it (or give its id) after the command")),
    }
}

impl WebhookCommand {
    /// The Bot API address and backend flags of the command (for the
    /// options given before it).
    pub fn flags_mut(&mut self) -> (&mut Option<String>, &mut BackendArgs) {
        match self {
            WebhookCommand::Set(a) | WebhookCommand::Rotate(a) => (&mut a.common.telegram_api, &mut a.common.backend),
            WebhookCommand::Info(a) => (&mut a.telegram_api, &mut a.backend),
            WebhookCommand::Delete(a) => (&mut a.common.telegram_api, &mut a.common.backend),
            WebhookCommand::Test(a) => (&mut a.telegram_api, &mut a.backend),
        }
    }
}

pub fn run(cmd: &WebhookCommand, paths: &Paths) -> ExitCode {
    let common = match cmd {
        WebhookCommand::Set(a) | WebhookCommand::Rotate(a) => &a.common,
        WebhookCommand::Info(a) => return info(a, paths),
        WebhookCommand::Test(a) => return live::run(a, paths),
        WebhookCommand::Delete(a) => &a.common,
    };
    let api = match ApiConfig::resolve(common.telegram_api.as_deref()) {
        Ok(api) => api.with_face(crate::telegram::Face::Cli),
        Err(e) => return super::fail(exit::UNREADABLE, &e.to_string()),
    };
    // a local backend started for this command asks the same Bot API
    super::embedded::use_telegram_api(api.base_url());
    let channel = match channel_of(&common.channel, &common.channel_flag) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if common.token_file.is_some() {
        eprintln!(
            "chanwiz: `--token-file` is deprecated: it is `--bot-token-file` (`--token` is the tenant's admin token)"
        );
    }
    if let WebhookCommand::Delete(a) = cmd
        && !a.yes
    {
        match ask_yes(&format!(
            "Delete the webhook of channel {}'s bot? Telegram stops delivering its messages until a webhook is set again.",
            clean(&channel)
        )) {
            Some(true) => {}
            Some(false) => return super::fail(exit::REFUSED, "not deleted"),
            None => {
                return super::fail(
                    exit::REFUSED,
                    "not deleted: standard input is not a terminal, so nothing can be asked; pass --yes to delete",
                );
            }
        }
    }
    let token = match read_token(common.bot_token_file.as_deref().or(common.token_file.as_deref())) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let client = match common.backend.client(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut out = Out {
        token: token.clone(),
        secrets: Vec::new(),
        json: common.json,
        steps: Default::default(),
        fields: Default::default(),
    };
    let result = block_on(async {
        let info = integration::prepare(&client, &channel).await?;
        out.put("channel", serde_json::json!({ "id": info.channel_id, "name": info.channel_name, "integration_url": info.integration_url }));
        out.secrets.push(info.secret().clone());
        out.line(&format!("Channel: {} ({})", info.channel_name, info.channel_id));
        out.line(&format!("Integration URL (url used to send message to agent): {}", info.integration_url));
        match cmd {
            WebhookCommand::Set(a) => set(&client, &api, &info, &token, a, false, &mut out).await,
            WebhookCommand::Rotate(a) => set(&client, &api, &info, &token, a, true, &mut out).await,
            WebhookCommand::Info(_) => unreachable!("answered by info()"),
            WebhookCommand::Test(_) => unreachable!("answered by live::run()"),
            WebhookCommand::Delete(a) => delete(&api, &info, &token, a, &mut out).await,
        }
    });
    let code = match result {
        Err(code) => code,
        Ok(Ok(code)) => code,
        Ok(Err(e)) => out.error(&e),
    };
    out.finish(code == ExitCode::SUCCESS);
    code
}

/// Printing, scrubbed of the token and the secrets. With `--json` the lines
/// are kept as the "steps" of one JSON object printed at the end.
struct Out {
    token: BotToken,
    secrets: Vec<WebhookSecret>,
    json: bool,
    steps: std::sync::Mutex<Vec<String>>,
    fields: std::sync::Mutex<serde_json::Map<String, serde_json::Value>>,
}

impl Out {
    fn scrub(&self, text: &str) -> String {
        let secrets: Vec<&WebhookSecret> = self.secrets.iter().collect();
        integration::scrub(text, Some(&self.token), &secrets)
    }

    fn line(&self, text: &str) {
        let text = clean_multiline(&self.scrub(text)).into_owned();
        if self.json { self.steps.lock().expect("not poisoned").push(text) } else { emit(&text) }
    }

    /// A named part of the JSON answer.
    fn put(&self, key: &str, value: serde_json::Value) {
        self.fields.lock().expect("not poisoned").insert(key.into(), value);
    }

    /// With `--json`: the one object, scrubbed as every line is.
    fn finish(&self, ok: bool) {
        if !self.json {
            return;
        }
        let mut object = self.fields.lock().expect("not poisoned").clone();
        object.insert("ok".into(), ok.into());
        object.insert("steps".into(), serde_json::json!(*self.steps.lock().expect("not poisoned")));
        let text = serde_json::to_string_pretty(&serde_json::Value::Object(object)).expect("serialises");
        emit(&clean_multiline(&self.scrub(&text)));
    }

    fn event(&self, e: &Event) {
        self.line(&format!("- {e}"));
        if let Event::Bot { token_warning: Some(w), .. } = e {
            self.line(&format!("- warning: {w}"));
        }
        if let Event::Before { delivery_warning: Some(w), .. } = e {
            self.line(&format!("- warning: {w}"));
        }
    }

    fn error(&self, e: &IntegrationError) -> ExitCode {
        self.put("error", self.scrub(&e.to_string()).into());
        if let IntegrationError::Checks(problems) = e {
            eprintln!(
                "chanwiz: the webhook cannot be registered ({} problem(s)); Telegram was not called:",
                problems.len()
            );
            for p in problems {
                eprintln!("  - {}", clean(&self.scrub(&p.message)));
            }
            return ExitCode::from(exit::REFUSED);
        }
        let code = super::fail(exit::of(e.kind()), &self.scrub(&e.to_string()));
        if let Some(TelegramError::Api(f)) = e.telegram() {
            eprintln!("  Telegram's answer to {} (verbatim): \"{}\"", f.method, clean(&self.scrub(&f.telegram)));
            eprintln!("  What it means: {}", clean(&self.scrub(&f.explanation)));
        }
        if let Some(crate::client::ClientError::Invalid { errors, .. }) = e.backend() {
            for fe in errors {
                eprintln!("  {}: {}", clean(&self.scrub(&fe.path)), clean(&self.scrub(&fe.message)));
            }
        }
        code
    }
}

/// The bot token: `--bot-token-file`, else `CHANWIZ_BOT_TOKEN`, else typed on a
/// terminal.
fn read_token(file: Option<&Path>) -> Result<BotToken, ExitCode> {
    let raw = match file {
        Some(p) if p.as_os_str() == "-" => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| {
                super::fail(exit::UNREADABLE, &format!("cannot read the bot token from standard input: {e}"))
            })?;
            line
        }
        Some(p) => std::fs::read_to_string(p).map_err(|e| {
            super::fail(exit::UNREADABLE, &format!("cannot read the bot token file {}: {e}", p.display()))
        })?,
        None => match std::env::var(TOKEN_ENV) {
            Ok(v) if !v.trim().is_empty() => v,
            _ if std::io::stdin().is_terminal() => super::prompt::hidden("Bot token from @BotFather (not shown)")
                .ok_or_else(|| super::fail(exit::REFUSED, "no bot token given; nothing was done"))?,
            _ => {
                return Err(super::fail(
                    exit::UNREADABLE,
                    "no bot token: set CHANWIZ_BOT_TOKEN or pass --bot-token-file FILE (never the token itself as an argument: it would show in the process list)",
                ));
            }
        },
    };
    BotToken::parse(&raw).map_err(|e| super::fail(exit::UNREADABLE, &e.to_string()))
}

fn options(public_url: Option<&String>) -> Options {
    Options { public_address: public_url.cloned(), face: integration::Face::Cli, ..Default::default() }
}

/// Ask `question` on the terminal: `Some(yes?)`, or `None` without one.
fn ask_yes(question: &str) -> Option<bool> {
    super::prompt::ask(&format!("{question} [y/N]")).map(|a| matches!(a.as_str(), "y" | "yes"))
}

async fn set(
    client: &Client,
    api: &ApiConfig,
    info: &IntegrationInfo,
    token: &BotToken,
    args: &SetArgs,
    rotate: bool,
    out: &mut Out,
) -> Result<ExitCode, IntegrationError> {
    // the public address stored with the channel, unless another is given
    let mut opts = options(args.public_url.as_ref().or(info.public_address.as_ref()));
    if args.public_url.is_none()
        && let Some(p) = &info.public_address
    {
        out.line(&format!("Public webhook address (stored with the channel): {p}"));
    }
    opts.drop_pending_updates = args.drop_pending;
    if let Some(a) = &args.allowed_updates {
        opts.allowed_updates = a.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    }
    if let Some(path) = &args.endpoint_cert {
        match std::fs::read(path) {
            Ok(pem) => opts.endpoint_certificate_pem = Some(pem),
            Err(e) => {
                return Ok(super::fail(
                    exit::UNREADABLE,
                    &format!("cannot read the endpoint certificate {}: {e}", path.display()),
                ));
            }
        }
    }
    if args.yes {
        opts.replace = Replace::Any;
        opts.move_bot = true;
        opts.other_bot = true;
    }
    let again = "To go ahead, pass --yes.";
    let report = match asking(&mut opts, out, again, async |opts, printer| {
        let mut progress = |e: Event| printer.event(&e);
        if rotate {
            integration::rotate(client, api, info, token, opts, &mut progress).await
        } else {
            integration::connect(client, api, info, token, opts, &mut progress).await
        }
    })
    .await?
    {
        Ok(report) => report,
        Err(code) => return Ok(code),
    };
    out.line(&format!(
        "{} {} for bot {} ({}): Telegram is to deliver to {}",
        if rotate { "Rotated:" } else { "Webhook registered" },
        if rotate { "new token and webhook secret in use" } else { "and confirmed" },
        report.bot.handle(),
        report.bot.name,
        report.webhook_url
    ));
    out.put("bot", serde_json::json!({ "username": report.bot.handle(), "name": report.bot.name }));
    out.put("webhook_url", report.webhook_url.clone().into());
    out.put("replaced", serde_json::json!(report.replaced));
    out.put(
        "moved_from",
        serde_json::json!(report.moved_from.as_ref().map(|c| serde_json::json!({ "id": c.id, "name": c.name }))),
    );
    if let Some(r) = &report.replaced {
        out.line(&format!("It replaced the webhook that pointed to {r}."));
    }
    if let Some(from) = &report.moved_from {
        out.line(&format!("The bot was moved from channel {} ({}); its token there was cleared.", from.name, from.id));
    }
    Ok(ExitCode::SUCCESS)
}

/// After a question was answered no (`Some(false)`: nothing more to say) or
/// could not be asked (`None`: say how to go ahead).
fn refused(asked: Option<bool>, again: &str) {
    match asked {
        Some(_) => eprintln!("  Nothing was changed (you answered no)."),
        None => eprintln!("  Standard input is not a terminal, so nothing could be asked. {again}"),
    }
}

/// Run `call`; when it stops before touching a webhook that points
/// elsewhere, ask (or refuse without a terminal, saying `again`) and on a yes
/// run it again, allowed to change exactly that webhook.
async fn asking<T>(
    opts: &mut Options,
    out: &mut Out,
    again: &str,
    mut call: impl AsyncFnMut(&Options, &Out) -> Result<T, IntegrationError>,
) -> Result<Result<T, ExitCode>, IntegrationError> {
    loop {
        match call(opts, out).await {
            Ok(v) => return Ok(Ok(v)),
            Err(IntegrationError::NeedsConfirmation { bot, current }) => {
                let asked = ask_yes(&format!("Replace the bot's webhook that points to {}?", clean(&current)));
                if asked == Some(true) {
                    opts.replace = Replace::Only(current);
                    continue;
                }
                let code = out.error(&IntegrationError::NeedsConfirmation { bot, current });
                refused(asked, again);
                return Ok(Err(code));
            }
            Err(e @ IntegrationError::BotInUse { .. }) => {
                let IntegrationError::BotInUse { bot, channel } = &e else { unreachable!() };
                let question = format!(
                    "Bot {} is bound to channel {} ({}). Move it to this channel (that channel's token is cleared)?",
                    clean(&bot.handle()),
                    clean(&channel.name),
                    clean(&channel.id)
                );
                let asked = ask_yes(&question);
                if asked == Some(true) {
                    opts.move_bot = true;
                    continue;
                }
                let code = out.error(&e);
                refused(asked, again);
                return Ok(Err(code));
            }
            Err(e @ IntegrationError::OtherBot { .. }) => {
                let IntegrationError::OtherBot { old, new } = &e else { unreachable!() };
                let asked = ask_yes(&format!("Switch this channel to another bot, {} → {}?", clean(old), clean(new)));
                if asked == Some(true) {
                    opts.other_bot = true;
                    continue;
                }
                let code = out.error(&e);
                refused(asked, again);
                return Ok(Err(code));
            }
            Err(e) => return Err(e),
        }
    }
}

/// `webhook info`: the backend answers (it asks Telegram with the token it
/// holds), so no bot token is read.
fn info(args: &InfoArgs, paths: &Paths) -> ExitCode {
    if let Some(base) = &args.telegram_api {
        match ApiConfig::new(base) {
            Ok(api) => super::embedded::use_telegram_api(api.base_url()),
            Err(e) => return super::fail(exit::UNREADABLE, &e.to_string()),
        }
    }
    let key = match channel_of(&args.channel, &args.channel_flag) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let client = match args.backend.client(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let result = block_on(async {
        let channel = client.find_channel(&key).await.map_err(IntegrationError::Backend)?;
        let status = integration::backend_status(&client, &channel.id, !args.cached, integration::Face::Cli).await?;
        Ok::<_, IntegrationError>((channel, status))
    });
    let (channel, status) = match result {
        Err(code) => return code,
        Ok(Err(e)) => return super::fail(exit::of(e.kind()), &e.to_string()),
        Ok(Ok(v)) => v,
    };
    let state = &status.state;
    if args.json {
        let verdict = match status.diagnosis.verdict {
            integration::Verdict::Working => "working",
            integration::Verdict::Registered => "registered",
            integration::Verdict::Warning => "warning",
            integration::Verdict::Failing => "failing",
            integration::Verdict::NotSet => "not_set",
        };
        let value = serde_json::json!({
            "channel": { "id": channel.id, "name": channel.document.basic.channel_name, "integration_url": channel.integration_url },
            "state": state,
            "diagnosis": { "verdict": verdict, "headline": status.diagnosis.headline, "details": status.diagnosis.details_at(chrono::Utc::now()) },
            "points_here": state.points_here,
        });
        emit(&clean_multiline(&serde_json::to_string_pretty(&value).expect("serialises")));
        let fine = state.points_here && status.diagnosis.verdict != integration::Verdict::Failing;
        return if fine { ExitCode::SUCCESS } else { ExitCode::from(exit::REFUSED) };
    }
    let line = |text: &str| emit(&clean_multiline(text));
    line(&format!("Channel: {} ({})", channel.document.basic.channel_name, channel.id));
    line(&format!("Integration URL (url used to send message to agent): {}", channel.integration_url));
    if let Some(p) = &state.public_address {
        line(&format!("Public webhook address: {p}"));
    }
    line(&format!("Bot token stored in the backend: {}", if state.has_bot_token { "yes" } else { "no" }));
    if let Some(bot) = &state.bot {
        line(&format!("Bot: {}", bot.handle()));
    }
    if let Some(w) = &state.webhook {
        if w.url.is_empty() {
            line("Webhook: none (Telegram does not deliver this bot's messages anywhere)");
        } else {
            line(&format!("Webhook: {}", w.url));
        }
        line(&format!("Pending updates: {}", w.pending_update_count));
        line(&format!("Custom certificate: {}", if w.has_custom_certificate { "yes" } else { "no" }));
        if let Some(a) = &w.allowed_updates {
            line(&format!("Allowed updates: {}", a.join(", ")));
        }
        if let Some(m) = &w.last_error_message {
            line(&format!("Telegram's last delivery error (verbatim): \"{m}\""));
        }
    }
    let mark = match status.diagnosis.verdict {
        integration::Verdict::Working | integration::Verdict::Registered => "ok",
        integration::Verdict::Warning | integration::Verdict::NotSet => "warning",
        integration::Verdict::Failing => "problem",
    };
    line(&format!("Status: {mark}: {}", status.diagnosis.headline));
    for d in &status.diagnosis.details_at(chrono::Utc::now()) {
        line(&format!("  - {d}"));
    }
    if state.points_here && status.diagnosis.verdict == integration::Verdict::Failing {
        super::fail(exit::REFUSED, &format!("the webhook points here but {}", status.diagnosis.headline))
    } else if state.points_here {
        ExitCode::SUCCESS
    } else if !state.has_bot_token {
        super::fail(exit::REFUSED, "no bot token is stored for this channel: run `chanwiz webhook set`")
    } else if state.webhook.as_ref().is_some_and(|w| !w.url.is_empty()) {
        super::fail(exit::REFUSED, "the bot's webhook does not point to this channel: run `chanwiz webhook set`")
    } else if state.webhook.is_some() {
        super::fail(exit::REFUSED, "the bot has no webhook: run `chanwiz webhook set`")
    } else {
        super::fail(exit::UNREACHABLE, "Telegram could not be asked: see above")
    }
}

async fn delete(
    api: &ApiConfig,
    info: &IntegrationInfo,
    token: &BotToken,
    args: &DeleteArgs,
    out: &mut Out,
) -> Result<ExitCode, IntegrationError> {
    let mut opts = Options { drop_pending_updates: args.drop_pending, ..Default::default() };
    if args.yes {
        opts.replace = Replace::Any;
    }
    let d = match asking(&mut opts, out, "To delete it anyway, pass --yes.", async |opts, printer| {
        let mut progress = |e: Event| printer.event(&e);
        integration::disconnect(api, info, token, opts, &mut progress).await
    })
    .await?
    {
        Ok(d) => d,
        Err(code) => return Ok(code),
    };
    out.put("bot", serde_json::json!({ "username": d.bot.handle(), "name": d.bot.name }));
    out.put("removed", serde_json::json!(if d.removed.is_empty() { None } else { Some(d.removed.clone()) }));
    if d.removed.is_empty() {
        out.line(&format!("Bot {} had no webhook; nothing to delete.", d.bot.handle()));
    } else {
        out.line(&format!(
            "Webhook deleted: Telegram no longer delivers bot {}'s messages to {}.",
            d.bot.handle(),
            d.removed
        ));
    }
    Ok(ExitCode::SUCCESS)
}
