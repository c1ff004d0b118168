//! `chanwiz submit FILE|DRAFT_ID`: create the channel on the backend, or
//! update it when the draft edits one.
//!
//! One rule for a draft after a submit, as in the wizard: once the backend
//! confirmed, the draft is removed (the channel is the truth), unless
//! `--keep-draft`: it then edits that channel (its id, version and the
//! document as confirmed), so submitting it again updates the channel with
//! `If-Match` instead of creating a second one. Before a create is sent, its
//! Idempotency-Key is saved in the draft, so a retry after a lost answer or a
//! crash reuses it.
//!
//! A document file naming a channel that exists is compared with it as
//! `plan` compares them (`client::sync::plan_one`): `--diff` lists the fields
//! that change, and `--update` of a file that changes no field sends nothing
//! ("nothing to submit", as the wizard says), so the version stays.
//!
//! `--diff` prints what the submit would change, field by field (the APP
//! Secret only as "replaced"), and sends nothing. A 412 (the channel changed
//! meanwhile) is merged per field with the version the draft came from:
//! what only I changed is kept, what only they changed is taken, and a field
//! both changed is asked about on a terminal (refused in a pipe, with the
//! draft untouched).

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use clap::Args;

use super::backend::{BackendArgs, block_on, call, emit, report};
use super::drafts::draft_errors;
use super::validate::load_document;
use super::{exit, fail};
use crate::api::Channel;
use crate::client::sync::{self, Item, Secret, Source};
use crate::client::{self, Client, ClientError, Submitted};
use crate::drafts::{Draft, DraftError, DraftStore};
use crate::model::diff::{Change, Side, changes, merge3};
use crate::model::{ChannelDocument, FieldError, Mode, validate};
use crate::paths::Paths;
use crate::sanitize::{clean, one_line};

/// A field's name, cleaned for printing.
fn label_of_clean(path: &str) -> String {
    clean(crate::model::fields::name_of(path)).into_owned()
}

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
    /// For a document file naming a channel that exists: update that channel
    /// (its stored APP Secret kept unless the file holds one) instead of
    /// refusing; a file that changes no field sends nothing.
    #[arg(long)]
    pub update: bool,
    /// Print what the submit would change, field by field, and send nothing
    /// (a file naming an existing channel is compared with it).
    #[arg(long)]
    pub diff: bool,
    /// Keep the draft after the backend confirmed the submit (it then edits
    /// the channel); by default it is removed.
    #[arg(long)]
    pub keep_draft: bool,
    /// Print the result as JSON: {"action": "created"|"updated", "id",
    /// "name", "version", "integration_url", "draft": {"id", "kept"}|null};
    /// an update that changes no field sends nothing: {"action": "unchanged",
    /// "id", "name", "version", …}; with --diff, {"action":
    /// "create"|"update"|"unchanged", "name", "changes": [{"path", "label",
    /// "old", "new"}], …}.
    #[arg(long)]
    pub json: bool,
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

/// What a submit did, as text or (`json`) one JSON object; `draft`: the
/// draft submitted and whether it is kept.
fn print_channel(verb: &str, ch: &Channel, json: bool, draft: Option<(&str, bool)>) {
    if json {
        let value = serde_json::json!({
            "action": verb,
            "id": ch.id,
            "name": ch.document.basic.channel_name,
            "version": ch.version,
            "integration_url": ch.integration_url,
            "draft": draft.map(|(id, kept)| serde_json::json!({ "id": id, "kept": kept })),
        });
        emit(&crate::sanitize::clean_multiline(&value.to_string()));
        return;
    }
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
    if wants_secret(args, &doc, !args.update)
        && let Err(code) = read_secret(&mut doc)
    {
        return code;
    }
    // a secret given for this submit is a change; one the file kept since
    // its create goes along with an update that changes a field
    let secret = if args.app_secret_stdin { Secret::Replaced } else { Secret::WithChanges };
    let source = Source { file: file.to_path_buf(), document: doc };
    if args.diff {
        return diff_file(args, paths, source, secret);
    }
    let doc = &source.document;
    let errors = validate(doc, if args.update { Mode::Update } else { Mode::Create });
    if !errors.is_empty() {
        return print_rule_errors(&errors);
    }
    let client = match args.backend.client(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // A channel of that name exists: compared with it, and updated only
    // when asked for and something changes.
    let item = match call(sync::plan_one(&client, source.clone(), secret)) {
        Ok(item) => item,
        Err(code) => return code,
    };
    let current = match &item {
        Item::Create { .. } | Item::OnlyOnBackend { .. } => None,
        Item::Update { current, .. } | Item::Unchanged { current, .. } => Some(current),
    };
    if let Some(current) = current
        && !args.update
    {
        return fail(
            exit::REFUSED,
            &format!(
                "channel {} already exists (id {}, version {}): `chanwiz submit {} --update` or `chanwiz apply {}` updates it; nothing was sent",
                clean(&current.document.basic.channel_name),
                clean(&current.id),
                current.version,
                args.target,
                args.target
            ),
        );
    }
    match item {
        Item::Unchanged { current, .. } => {
            print_unchanged(&current, args.json);
            eprintln!("nothing was sent");
            ExitCode::SUCCESS
        }
        Item::Update { current, .. } => match call(client.update_channel(&current.id, current.version, doc)) {
            Err(code) => code,
            Ok(ch) => {
                print_channel("updated", &ch, args.json, None);
                ExitCode::SUCCESS
            }
        },
        Item::Create { .. } | Item::OnlyOnBackend { .. } => {
            // A file has nowhere to keep the key between runs: retries within
            // this run reuse it; a new run is a new create.
            let key = uuid::Uuid::new_v4().to_string();
            match call(client.create_channel(doc, &key)) {
                Err(code) => code,
                Ok(ch) => {
                    print_channel("created", &ch, args.json, None);
                    ExitCode::SUCCESS
                }
            }
        }
    }
}

/// "nothing to submit": an update of `current` that changes no field, as
/// text or (`json`) `{"action": "unchanged", "id", "name", "version"}`.
fn print_unchanged(current: &Channel, json: bool) {
    if json {
        let value = serde_json::json!({
            "action": "unchanged", "id": current.id, "name": current.document.basic.channel_name,
            "version": current.version, "integration_url": current.integration_url, "draft": null,
        });
        emit(&crate::sanitize::clean_multiline(&value.to_string()));
        return;
    }
    emit(&format!(
        "nothing to submit: the file changes no field of channel {} ({}, version {})",
        clean(&current.document.basic.channel_name),
        clean(&current.id),
        current.version
    ));
}

/// `--diff` of a document file: compared with the channel of its name when
/// the backend has one (as `plan` compares them), else a create; when the
/// backend cannot be asked, shown as a create and said so.
fn diff_file(args: &SubmitArgs, paths: &Paths, source: Source, secret: Secret) -> ExitCode {
    let name = source.document.normalized().basic.channel_name;
    let asked = match args.backend.connect(paths) {
        Ok(client) => match block_on(sync::plan_one(&client, source.clone(), secret)) {
            Ok(asked) => asked,
            Err(code) => return code,
        },
        Err(e) => Err(e),
    };
    let item = match asked {
        Ok(item) => item,
        Err(e) if e.is_unreachable() => {
            eprintln!(
                "chanwiz: {}: whether channel {} exists is not known; shown as a create",
                clean(&e.to_string()),
                clean(&name)
            );
            Item::Create { source }
        }
        Err(e) => return report(&e),
    };
    match &item {
        Item::Create { source } => print_create_diff(&source.document, args.json),
        Item::Unchanged { current, .. } => {
            if args.json {
                let value = serde_json::json!({
                    "action": "unchanged", "name": current.document.basic.channel_name, "id": current.id,
                    "version": current.version, "changes": [],
                });
                emit(&crate::sanitize::clean_multiline(&value.to_string()));
            } else {
                print_unchanged(current, false);
            }
        }
        Item::Update { current, changes, .. } => {
            print_update_diff(current, changes, args.json);
        }
        Item::OnlyOnBackend { .. } => {}
    }
    if !args.json && matches!(item, Item::Update { .. }) && !args.update {
        eprintln!("channel {} exists: `chanwiz submit {} --update` updates it", clean(&name), args.target);
    }
    if !args.json {
        eprintln!("nothing was sent (--diff)");
    }
    ExitCode::SUCCESS
}

/// What an update of `current` changes, field by field.
fn print_update_diff(current: &Channel, changed: &[Change], json: bool) {
    if json {
        let value = serde_json::json!({
            "action": "update", "name": current.document.basic.channel_name, "id": current.id,
            "version": current.version, "changes": changes_json(changed),
        });
        emit(&crate::sanitize::clean_multiline(&value.to_string()));
        return;
    }
    emit(&format!(
        "update channel {} ({}, version {}): {} field{} changed",
        clean(&current.document.basic.channel_name),
        clean(&current.id),
        current.version,
        changed.len(),
        if changed.len() == 1 { "" } else { "s" }
    ));
    for c in changed {
        emit(&format!("  ~ {}", one_line(&c.line())));
    }
}

fn submit_draft(args: &SubmitArgs, paths: &Paths) -> ExitCode {
    let store = match DraftStore::open(&paths.drafts()) {
        Ok(s) => s,
        Err(e) => return fail(exit::UNREADABLE, &e.to_string()),
    };
    let mut draft = match store.resolve(&args.target).and_then(|id| store.open_for_edit(&id)) {
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
    if args.diff {
        return diff_draft(args, paths, &draft);
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
    match block_on(send_draft(&client, &store, &mut draft, args)) {
        Err(code) | Ok(Err(code)) | Ok(Ok(code)) => code,
    }
}

/// Create or update, then remove the draft (or, with `keep_draft`, record
/// the outcome in it). The store is written here, in this order: the
/// create's key is minted and saved before the request leaves (a retry
/// after a lost answer or a crash reuses it), then the draft is removed or
/// the outcome recorded. A 412 is merged ([`merge_stale`]) and sent again.
async fn send_draft(
    client: &Client,
    store: &DraftStore,
    draft: &mut Draft,
    args: &SubmitArgs,
) -> Result<ExitCode, ExitCode> {
    let keep_draft = args.keep_draft;
    let saved = |draft: &mut Draft| store.save(draft).map_err(|e| fail(exit::of(e.kind()), &e.to_string()));
    if draft.ensure_idempotency_key() {
        saved(draft)?;
    }
    let mut merges = 0;
    let submitted = loop {
        match client::submit::send(client, draft).await {
            Ok(s) => break s,
            // the channel changed meanwhile: merge, save, send again (a
            // third admin racing us every time is told, not looped on)
            Err(ClientError::Stale { current: Some(current), .. }) if merges < 3 => {
                merges += 1;
                merge_stale(draft, &current)?;
                saved(draft)?;
            }
            Err(e) => return Err(client_failure(draft, &e)),
        }
    };
    let verb = if matches!(submitted, Submitted::Updated(_)) { "updated" } else { "created" };
    print_channel(verb, submitted.channel(), args.json, Some((&draft.meta.id, keep_draft)));
    if !keep_draft {
        return match store.remove(&draft.meta.id) {
            Ok(()) | Err(DraftError::NotFound(_)) => {
                eprintln!("draft {} is removed: the channel is the truth now (--keep-draft keeps it)", draft.meta.id);
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!(
                    "chanwiz: the channel was saved on the backend, but draft {} could not be removed",
                    draft.meta.id
                );
                Err(fail(exit::of(e.kind()), &e.to_string()))
            }
        };
    }
    client::submit::record(draft, &submitted);
    if let Err(code) = saved(draft) {
        eprintln!("chanwiz: the channel was saved on the backend, but draft {} could not record it", draft.meta.id);
        return Err(code);
    }
    eprintln!(
        "draft {} is kept (--keep-draft) and now edits this channel at version {}: submitting it again updates it",
        draft.meta.id,
        submitted.channel().version
    );
    Ok(ExitCode::SUCCESS)
}

/// Merge the draft with the channel as it now is (a 412), in place: the
/// draft then edits `current`'s version. Fields both sides changed are asked
/// about on a terminal; without one the merge is refused and the draft left
/// as it was.
fn merge_stale(draft: &mut Draft, current: &Channel) -> Result<(), ExitCode> {
    let merge = merge3(draft.meta.base.as_ref(), &draft.document, &current.document);
    eprintln!(
        "chanwiz: channel {} changed on the server (now version {}; your draft {} is based on version {}): merging field by field",
        clean(&current.document.basic.channel_name),
        current.version,
        draft.meta.id,
        draft.meta.channel_version.map_or("?".into(), |v| v.to_string())
    );
    let names = |paths: &[String]| paths.iter().map(|p| label_of_clean(p)).collect::<Vec<_>>().join(", ");
    if !merge.kept.is_empty() {
        eprintln!("  yours kept:   {}", names(&merge.kept));
    }
    if draft.document.normalized().channel_info.app_secret.is_some() {
        eprintln!("  yours kept:   APP Secret (replaced)");
    }
    if !merge.taken.is_empty() {
        eprintln!("  theirs taken: {}", names(&merge.taken));
    }
    let mut choices = Vec::new();
    for c in &merge.conflicts {
        eprintln!("  both changed: {}", label_of_clean(&c.path));
        eprintln!(
            "    was    {}",
            one_line(c.base.as_deref().unwrap_or("(not known: the draft predates this release)"))
        );
        eprintln!("    mine   {}", one_line(&c.mine));
        eprintln!("    theirs {}", one_line(&c.theirs));
        let side = loop {
            match super::prompt::ask("    keep [m]ine or take [t]heirs?").as_deref() {
                Some("m" | "mine") => break Side::Mine,
                Some("t" | "theirs") => break Side::Theirs,
                Some(_) => continue,
                None => {
                    return Err(fail(
                        exit::REFUSED,
                        &format!(
                            "{} field(s) changed on both sides and there is no terminal to ask: the draft is unchanged; run `chanwiz submit {}` on a terminal, or open the draft in the wizard",
                            merge.conflicts.len(),
                            draft.meta.id
                        ),
                    ));
                }
            }
        };
        choices.push(side);
    }
    draft.document = merge.resolve(&choices);
    draft.meta.channel_version = Some(current.version);
    draft.meta.base = Some(current.document.normalized().without_secrets());
    let errors = draft_errors(draft);
    if !errors.is_empty() {
        print_rule_errors(&errors);
        return Err(fail(exit::REFUSED, &format!("the merge breaks a rule; draft {} was not changed", draft.meta.id)));
    }
    Ok(())
}

fn changes_json(changed: &[Change]) -> Vec<serde_json::Value> {
    changed
        .iter()
        .map(|c| {
            let new = if c.is_secret() { "replaced" } else { c.new.as_str() };
            serde_json::json!({ "path": c.path, "label": c.label(), "old": c.old, "new": new })
        })
        .collect()
}

/// `--diff` of a document file: a create, every field that is set.
fn print_create_diff(doc: &ChannelDocument, json: bool) {
    let changed = changes(&ChannelDocument::default(), doc);
    if json {
        let value = serde_json::json!({
            "action": "create", "name": doc.basic.channel_name, "changes": changes_json(&changed),
        });
        emit(&crate::sanitize::clean_multiline(&value.to_string()));
        return;
    }
    emit(&format!(
        "create channel {} ({} field{} set)",
        clean(&doc.basic.channel_name),
        changed.len(),
        if changed.len() == 1 { "" } else { "s" }
    ));
    for c in &changed {
        if c.is_secret() {
            emit(&format!("  + {}: set (never shown)", c.label()));
        } else {
            emit(&format!("  + {}: {}", c.label(), one_line(&c.new)));
        }
    }
    eprintln!("nothing was sent (--diff)");
}

/// `--diff` of a draft: an edit is compared with the channel as the backend
/// has it now when it answers (a newer version shows the merge a submit
/// would make), else with the version the draft came from.
fn diff_draft(args: &SubmitArgs, paths: &Paths, draft: &Draft) -> ExitCode {
    let Some(id) = draft.meta.channel_id.as_deref() else {
        print_create_diff(&draft.document, args.json);
        return ExitCode::SUCCESS;
    };
    let version = draft.meta.channel_version.map_or("?".into(), |v| v.to_string());
    let current = match args.backend.connect(paths) {
        Ok(client) => match block_on(client.get_channel(id)) {
            Ok(Ok(ch)) => Some(ch),
            Ok(Err(e)) if e.is_unreachable() => None,
            Ok(Err(e)) => return report(&e),
            Err(code) => return code,
        },
        Err(e) if e.is_unreachable() => None,
        Err(e) => return report(&e),
    };
    let old = match (&current, &draft.meta.base) {
        (Some(ch), _) if Some(ch.version) == draft.meta.channel_version => ch.document.clone(),
        (Some(ch), _) => {
            // the channel moved on: what a submit would do is the merge
            let merge = merge3(draft.meta.base.as_ref(), &draft.document, &ch.document);
            if args.json {
                let merged = merge.resolve(&[]);
                let value = serde_json::json!({
                    "action": "update", "name": ch.document.basic.channel_name, "id": id,
                    "version": ch.version, "based_on": draft.meta.channel_version,
                    "changes": changes_json(&changes(&ch.document, &merged)),
                    "merge": {
                        "kept": merge.kept, "taken": merge.taken,
                        "conflicts": merge.conflicts.iter().map(|c| serde_json::json!({
                            "path": c.path, "base": c.base, "mine": c.mine, "theirs": c.theirs,
                        })).collect::<Vec<_>>(),
                    },
                });
                emit(&crate::sanitize::clean_multiline(&value.to_string()));
                return ExitCode::SUCCESS;
            }
            emit(&format!(
                "update channel {} ({}): the backend holds version {}, the draft is based on version {version}; a submit merges:",
                clean(&ch.document.basic.channel_name),
                clean(id),
                ch.version
            ));
            let merged = merge.resolve(&[]);
            for c in changes(&ch.document, &merged) {
                let both = merge.conflicts.iter().any(|x| x.path == c.path);
                emit(&format!(
                    "  ~ {}{}",
                    one_line(&c.line()),
                    if both { "   (changed on both sides: asked)" } else { "" }
                ));
            }
            for p in &merge.taken {
                emit(&format!("  = {}: theirs kept", label_of_clean(p)));
            }
            eprintln!("nothing was sent (--diff)");
            return ExitCode::SUCCESS;
        }
        (None, Some(base)) => {
            eprintln!(
                "chanwiz: the backend does not answer: compared with version {version} as the draft began from it"
            );
            base.clone()
        }
        (None, None) => {
            return fail(
                exit::UNREACHABLE,
                "the backend does not answer and the draft does not hold the version it began from (made before this release): nothing to compare with",
            );
        }
    };
    let changed = changes(&old, &draft.document);
    if args.json {
        let value = serde_json::json!({
            "action": "update", "name": old.basic.channel_name, "id": id, "version": draft.meta.channel_version,
            "changes": changes_json(&changed),
        });
        emit(&crate::sanitize::clean_multiline(&value.to_string()));
        return ExitCode::SUCCESS;
    }
    emit(&format!(
        "update channel {} ({}, version {version}): {} field{} changed",
        clean(&old.basic.channel_name),
        clean(id),
        changed.len(),
        if changed.len() == 1 { "" } else { "s" }
    ));
    for c in &changed {
        emit(&format!("  ~ {}", one_line(&c.line())));
    }
    eprintln!("nothing was sent (--diff)");
    ExitCode::SUCCESS
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
        eprintln!(
            "chanwiz: channel {} kept changing on the server (now version {}); draft {} is kept: run the submit again",
            clean(&current.document.basic.channel_name),
            current.version,
            draft.meta.id
        );
    }
    if matches!(e, ClientError::NotFound { .. }) && draft.meta.channel_id.is_some() {
        eprintln!(
            "chanwiz: draft {} edits a channel that no longer exists on the backend; `chanwiz submit {} --as-new` creates it again",
            draft.meta.id, draft.meta.id
        );
    }
    code
}
