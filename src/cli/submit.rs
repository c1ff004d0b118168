//! `chanwiz submit FILE|DRAFT_ID`: create the channel on the backend, or
//! update it when the draft edits one.
//!
//! A draft is kept after a successful submit: it then records the channel's
//! id and version, so that submitting it again updates that channel (with
//! `If-Match`) instead of creating a second one. Before a create is sent, its
//! Idempotency-Key is saved in the draft, so a retry after a lost answer or a
//! crash reuses it.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use clap::Args;

use super::backend::{BackendArgs, block_on, call, emit, report};
use super::drafts::draft_errors;
use super::validate::load_document;
use super::{exit, fail};
use crate::api::Channel;
use crate::client::{self, Client, ClientError, Submitted, changed_fields};
use crate::drafts::{Draft, DraftError, DraftStore};
use crate::model::{ChannelDocument, FieldError, Mode, validate};
use crate::paths::Paths;
use crate::sanitize::clean;

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// A channel document file (`-` reads standard input), or a draft id (or
    /// a unique prefix of at least 4 characters).
    pub target: String,
    /// Read the APP Secret from standard input (first line) when the document
    /// or draft does not hold it.
    #[arg(long)]
    pub app_secret_stdin: bool,
    /// Create a new channel from a draft that edits one (e.g. after the
    /// channel was deleted on the backend).
    #[arg(long)]
    pub as_new: bool,
    #[command(flatten)]
    pub backend: BackendArgs,
}

pub fn run(args: &SubmitArgs, paths: &Paths) -> ExitCode {
    let as_file = args.target == "-" || Path::new(&args.target).is_file();
    if as_file { submit_file(args, paths) } else { submit_draft(args, paths) }
}

fn print_rule_errors(errors: &[FieldError]) -> ExitCode {
    eprintln!("chanwiz: the document breaks {} rule(s); nothing was sent:", errors.len());
    for e in errors {
        eprintln!("{}: {}", clean(&e.path), clean(&e.message));
    }
    ExitCode::from(exit::REFUSED)
}

/// The APP Secret from standard input: typed without echo on a terminal,
/// else the first line of a pipe.
fn read_secret(doc: &mut ChannelDocument) -> Result<(), ExitCode> {
    let secret = match super::prompt::secret("APP Secret (not shown)") {
        Ok(Some(s)) => s,
        Ok(None) => return Err(fail(exit::REFUSED, "no APP Secret given; nothing was sent")),
        Err(e) => return Err(fail(exit::UNREADABLE, &format!("cannot read the APP Secret from standard input: {e}"))),
    };
    if secret.trim().is_empty() {
        return Err(fail(exit::UNREADABLE, "no APP Secret was given"));
    }
    doc.channel_info.app_secret = Some(secret);
    Ok(())
}

/// Whether to ask for the APP Secret: asked for, or needed for a create and
/// a person is at the terminal.
fn wants_secret(args: &SubmitArgs, doc: &ChannelDocument, creating: bool) -> bool {
    args.app_secret_stdin || (creating && doc.channel_info.app_secret.is_none() && std::io::stdin().is_terminal())
}

fn print_channel(verb: &str, ch: &Channel) {
    emit(&format!(
        "{verb} channel {} ({}), version {}\nchannel id:      {}\nintegration URL: {}",
        clean(&ch.id),
        clean(&ch.document.basic.channel_name),
        ch.version,
        clean(&ch.id),
        clean(&ch.integration_url)
    ));
}

fn submit_file(args: &SubmitArgs, paths: &Paths) -> ExitCode {
    let file = Path::new(&args.target);
    if args.target == "-" && args.app_secret_stdin {
        return fail(
            exit::UNREADABLE,
            "--app-secret-stdin cannot be used when the document itself comes from standard input",
        );
    }
    let mut doc = match load_document(file) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if wants_secret(args, &doc, true)
        && let Err(code) = read_secret(&mut doc)
    {
        return code;
    }
    let errors = validate(&doc, Mode::Create);
    if !errors.is_empty() {
        return print_rule_errors(&errors);
    }
    let client = match args.backend.client(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // A file has nowhere to keep the key between runs: retries within this
    // run reuse it; a new run is a new create.
    let key = uuid::Uuid::new_v4().to_string();
    match call(client.create_channel(&doc, &key)) {
        Err(code) => code,
        Ok(ch) => {
            print_channel("created", &ch);
            ExitCode::SUCCESS
        }
    }
}

fn submit_draft(args: &SubmitArgs, paths: &Paths) -> ExitCode {
    let store = match DraftStore::open(&paths.drafts()) {
        Ok(s) => s,
        Err(e) => return fail(exit::UNREADABLE, &e.to_string()),
    };
    let mut draft = match store.resolve(&args.target).and_then(|id| store.load(&id)) {
        Ok(d) => d,
        Err(DraftError::NotFound(key)) => {
            return fail(exit::UNREADABLE, &format!("'{}' is neither a readable file nor a draft id", clean(&key)));
        }
        Err(e) => return fail(exit::of(e.kind()), &e.to_string()),
    };
    if args.as_new && draft.meta.channel_id.is_some() {
        // Submit as a new channel: the draft forgets the old link (saved with
        // the new create's key, before it is sent).
        draft.meta.channel_id = None;
        draft.meta.channel_version = None;
        draft.meta.idempotency_key = None;
    }
    if wants_secret(args, &draft.document, draft.meta.channel_id.is_none())
        && let Err(code) = read_secret(&mut draft.document)
    {
        return code;
    }
    let errors = draft_errors(&draft);
    if !errors.is_empty() {
        if errors.iter().any(|e| e.path == crate::model::fields::APP_SECRET)
            && draft.document.channel_info.app_secret.is_none()
        {
            eprintln!("chanwiz: the draft does not keep the APP Secret: pass it with --app-secret-stdin");
        }
        return print_rule_errors(&errors);
    }
    let client = match args.backend.client(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match block_on(send_draft(&client, &store, &mut draft)) {
        Err(code) | Ok(Err(code)) | Ok(Ok(code)) => code,
    }
}

/// Create or update, recording the outcome in the draft. The store is
/// written here, in this order: the create's key is minted and saved before
/// the request leaves (a retry after a lost answer or a crash reuses it),
/// then the outcome is recorded and saved.
async fn send_draft(client: &Client, store: &DraftStore, draft: &mut Draft) -> Result<ExitCode, ExitCode> {
    let saved = |draft: &mut Draft| store.save(draft).map_err(|e| fail(exit::of(e.kind()), &e.to_string()));
    if draft.ensure_idempotency_key() {
        saved(draft)?;
    }
    let submitted = client::submit::send(client, draft).await.map_err(|e| client_failure(draft, &e))?;
    client::submit::record(draft, &submitted);
    if let Err(code) = saved(draft) {
        print_channel(
            if matches!(submitted, Submitted::Updated(_)) { "updated" } else { "created" },
            submitted.channel(),
        );
        eprintln!("chanwiz: the channel was saved on the backend, but draft {} could not record it", draft.meta.id);
        return Err(code);
    }
    match submitted {
        Submitted::Updated(ch) => {
            print_channel("updated", &ch);
            eprintln!("draft {} now records version {}", draft.meta.id, ch.version);
        }
        Submitted::Created(ch) => {
            print_channel("created", &ch);
            eprintln!("draft {} is kept and now edits this channel: submitting it again updates it", draft.meta.id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Print a failed submit with what the user can do about it.
fn client_failure(draft: &Draft, e: &ClientError) -> ExitCode {
    let code = report(e);
    if e.is_unreachable() || matches!(e, ClientError::Tls { .. }) {
        eprintln!(
            "chanwiz: draft {} is kept; run `chanwiz submit {}` again when the backend is back: that is safe (a create reuses its Idempotency-Key and is never made twice; an update that already landed is recognised)",
            draft.meta.id, draft.meta.id
        );
    }
    if let ClientError::Stale { current: Some(current), .. } = e {
        explain_stale(draft, current);
    }
    if matches!(e, ClientError::NotFound { .. }) && draft.meta.channel_id.is_some() {
        eprintln!(
            "chanwiz: draft {} edits a channel that no longer exists on the backend; `chanwiz submit {} --as-new` creates it again",
            draft.meta.id, draft.meta.id
        );
    }
    code
}

/// After a 412: which fields differ between the draft and the server.
fn explain_stale(draft: &Draft, current: &Channel) {
    let paths = changed_fields(&draft.document, &current.document);
    eprintln!(
        "chanwiz: the server holds version {} of channel {} ({}); your draft {} is based on version {} and was not sent",
        current.version,
        clean(&current.id),
        clean(&current.document.basic.channel_name),
        draft.meta.id,
        draft.meta.channel_version.map_or("?".into(), |v| v.to_string())
    );
    if !paths.is_empty() {
        eprintln!("fields where your draft and the server differ:");
        for p in paths.iter().take(30) {
            eprintln!("  {}", clean(p));
        }
        if paths.len() > 30 {
            eprintln!("  ... and {} more", paths.len() - 30);
        }
    }
    eprintln!("see the server's version with `chanwiz channels show {}`", clean(&current.id));
}
