//! `chanwiz plan DIR` and `chanwiz apply DIR`: a tenant's channels kept as
//! documents in a folder (under version control) and the backend brought in
//! line with it, as `terraform plan/apply` do (the work is in
//! `crate::client::sync`).

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde::{Deserialize, Serialize};

use super::backend::{BackendArgs, block_on, emit, report};
use super::{exit, fail};
use crate::client::sync::{self, ApplyError, ApplyOptions, Done, Item, Plan};
use crate::model::diff::Change;
use crate::paths::Paths;
use crate::sanitize::{clean, one_line};

/// `CHANWIZ_APP_SECRET_<CHANNEL_NAME>`: a create's APP Secret from the
/// environment.
pub const SECRET_ENV_PREFIX: &str = "CHANWIZ_APP_SECRET_";

/// `plan --detailed-exitcode`: changes are pending.
pub const CHANGES_PENDING: u8 = 4;

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// A folder of channel documents (every *.json in it) or one document.
    pub path: PathBuf,
    /// Exit 0 when nothing would change and 4 when changes are pending (as
    /// terraform's); 1, 2 and 3 keep their meaning.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Count the channels only on the backend as to be deleted (as `apply
    /// --prune` would).
    #[arg(long)]
    pub prune: bool,
    /// Write the plan (each channel's planned version) to this file, for
    /// `apply --plan FILE`: a channel changed since then stops the apply.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub backend: BackendArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A folder of channel documents (every *.json in it) or one document.
    pub path: PathBuf,
    /// Apply without asking (required when standard input is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Delete the channels that are only on the backend.
    #[arg(long)]
    pub prune: bool,
    /// A plan written by `plan --out FILE`: any channel changed on the
    /// backend since stops the apply before anything is written.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// APP Secrets for creates, a JSON object {"CHANNEL_NAME": "SECRET"}
    /// (`-` reads standard input); never needed for an update. A channel
    /// whose file and this hold none takes $CHANWIZ_APP_SECRET_<CHANNEL_NAME>.
    #[arg(long, value_name = "FILE")]
    pub secrets: Option<PathBuf>,
    /// Send the APP Secret (from the files or --secrets) on updates too;
    /// by default an update keeps the stored one.
    #[arg(long)]
    pub replace_secrets: bool,
    /// Print what was done as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub backend: BackendArgs,
}

/// What `plan --out` keeps: each channel's version as planned (`None`: to
/// be created).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedPlan {
    backend: String,
    versions: BTreeMap<String, Option<u64>>,
}

fn load(path: &Path) -> Result<Vec<sync::Source>, ExitCode> {
    sync::load(path).map_err(|e| fail(exit::UNREADABLE, &e.to_string()))
}

fn make_plan(args: &BackendArgs, paths: &Paths, sources: &[sync::Source]) -> Result<(Plan, String), ExitCode> {
    let client = args.client(paths)?;
    let backend = client.backend().to_string();
    match block_on(sync::plan(&client, sources))? {
        Ok(plan) => Ok((plan, backend)),
        Err(e) => Err(report(&e)),
    }
}

pub fn run_plan(args: &PlanArgs, paths: &Paths) -> ExitCode {
    let sources = match load(&args.path) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (plan, backend) = match make_plan(&args.backend, paths, &sources) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Some(out) = &args.out {
        let saved = SavedPlan { backend, versions: versions(&plan) };
        let bytes = serde_json::to_vec_pretty(&saved).expect("a plan serialises");
        if let Err(e) = crate::fsutil::atomic_write(out, &bytes) {
            return fail(exit::UNREADABLE, &format!("{}: the plan was not written: {e}", out.display()));
        }
    }
    if args.json {
        emit(&serde_json::to_string_pretty(&plan_json(&plan, args.prune)).expect("serialises"));
    } else {
        print_plan(&plan, args.prune);
    }
    if args.detailed_exitcode && plan.has_changes(args.prune) {
        return ExitCode::from(CHANGES_PENDING);
    }
    ExitCode::SUCCESS
}

fn versions(plan: &Plan) -> BTreeMap<String, Option<u64>> {
    plan.items
        .iter()
        .map(|i| {
            let v = match i {
                Item::Create { .. } => None,
                Item::Update { current, .. } | Item::Unchanged { current, .. } => Some(current.version),
                Item::OnlyOnBackend { channel } => Some(channel.version),
            };
            (i.name().to_string(), v)
        })
        .collect()
}

/// The plan in words, a line an item and the summary.
fn plan_lines(plan: &Plan, prune: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut emit = |l: &str| lines.push(l.to_owned());
    for item in &plan.items {
        let name = clean(item.name());
        match item {
            Item::Create { source } => {
                let secret =
                    if source.document.normalized().channel_info.app_secret.is_some() { "set" } else { "needed" };
                emit(&format!("create     {name}  ({}; APP Secret: {secret})", source.file.display()));
            }
            Item::Update { source, current, changes } => {
                emit(&format!(
                    "update     {name}  ({}; version {}: {} field{})",
                    source.file.display(),
                    current.version,
                    changes.len(),
                    if changes.len() == 1 { "" } else { "s" }
                ));
                for c in changes {
                    emit(&format!("             ~ {}", one_line(&c.line())));
                }
                emit("               APP Secret: kept (--replace-secrets sends the file's)");
            }
            Item::Unchanged { .. } => emit(&format!("unchanged  {name}")),
            Item::OnlyOnBackend { channel } if prune => {
                emit(&format!("delete     {name}  (only on the backend, id {})", clean(&channel.id)));
            }
            Item::OnlyOnBackend { channel } => {
                emit(&format!("only on the backend  {name}  (id {}; kept: --prune deletes it)", clean(&channel.id)))
            }
        }
    }
    let (c, u, n, o) = plan.counts();
    let o_text = if prune { format!("{o} to delete") } else { format!("{o} only on the backend") };
    emit(&format!("Plan: {c} to create, {u} to update, {n} unchanged, {o_text}."));
    lines
}

fn print_plan(plan: &Plan, prune: bool) {
    plan_lines(plan, prune).iter().for_each(|l| emit(l));
}

fn plan_json(plan: &Plan, prune: bool) -> serde_json::Value {
    let items: Vec<serde_json::Value> = plan
        .items
        .iter()
        .map(|i| {
            let changes = |cs: &[Change]| {
                cs.iter()
                    .map(|c| serde_json::json!({"path": c.path, "label": c.label(), "old": c.old, "new": c.new}))
                    .collect::<Vec<_>>()
            };
            match i {
                Item::Create { source } => {
                    serde_json::json!({"action": "create", "name": i.name(), "file": source.file})
                }
                Item::Update { source, current, changes: cs } => serde_json::json!({
                    "action": "update", "name": i.name(), "file": source.file, "id": current.id,
                    "version": current.version, "changes": changes(cs),
                }),
                Item::Unchanged { source, current } => serde_json::json!({
                    "action": "unchanged", "name": i.name(), "file": source.file, "id": current.id, "version": current.version,
                }),
                Item::OnlyOnBackend { channel } => serde_json::json!({
                    "action": if prune { "delete" } else { "only_on_backend" }, "name": i.name(), "id": channel.id,
                    "version": channel.version,
                }),
            }
        })
        .collect();
    let (c, u, n, o) = plan.counts();
    serde_json::json!({
        "items": items,
        "create": c, "update": u, "unchanged": n, "only_on_backend": o,
        "changes_pending": plan.has_changes(prune),
    })
}

fn read_secrets(path: &Path) -> Result<HashMap<String, String>, ExitCode> {
    let text = super::validate::read_input(path)
        .map_err(|e| fail(exit::UNREADABLE, &format!("--secrets {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        fail(
            exit::UNREADABLE,
            &format!(
                "--secrets {}: not a JSON object of channel name → APP Secret (line {}, column {})",
                path.display(),
                e.line(),
                e.column()
            ),
        )
    })
}

pub fn run_apply(args: &ApplyArgs, paths: &Paths) -> ExitCode {
    let sources = match load(&args.path) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut secrets = match args.secrets.as_deref().map(read_secrets).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(code) => return code,
    };
    // then the environment, one variable per channel (channel names are
    // letters, digits and '_': valid variable names)
    for source in &sources {
        let name = source.document.normalized().basic.channel_name;
        if !secrets.contains_key(&name)
            && let Ok(v) = std::env::var(format!("{SECRET_ENV_PREFIX}{name}"))
            && !v.trim().is_empty()
        {
            secrets.insert(name, v);
        }
    }
    let saved: Option<SavedPlan> = match &args.plan {
        None => None,
        Some(p) => match std::fs::read(p).map_err(|e| e.to_string()).and_then(|b| {
            serde_json::from_slice(&b).map_err(|e| format!("not a plan written by `chanwiz plan --out`: {e}"))
        }) {
            Ok(s) => Some(s),
            Err(e) => return fail(exit::UNREADABLE, &format!("--plan {}: {e}", p.display())),
        },
    };
    let client = match args.backend.client(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let plan = match block_on(sync::plan(&client, &sources)) {
        Err(code) => return code,
        Ok(Err(e)) => return report(&e),
        Ok(Ok(p)) => p,
    };
    if let Some(saved) = &saved {
        if saved.backend != client.backend() {
            return fail(
                exit::REFUSED,
                &format!(
                    "the plan was made against {}, not {}: nothing was changed",
                    clean(&saved.backend),
                    client.backend()
                ),
            );
        }
        let now = versions(&plan);
        let names: std::collections::BTreeSet<&String> = saved.versions.keys().chain(now.keys()).collect();
        for name in names {
            let planned = saved.versions.get(name).copied().flatten();
            let current = now.get(name).copied().flatten();
            if current != planned {
                let item = plan.items.iter().find(|i| i.name() == name);
                eprintln!(
                    "chanwiz: channel '{}' changed on the backend since the plan ({} → {}): nothing was changed",
                    clean(name),
                    planned.map_or("not there".into(), |v| format!("version {v}")),
                    current.map_or("gone".into(), |v| format!("version {v}"))
                );
                if let Some(Item::Update { changes, .. }) = item {
                    eprintln!("what applying the files would now change in it:");
                    for c in changes {
                        eprintln!("  ~ {}", one_line(&c.line()));
                    }
                }
                eprintln!("run `chanwiz plan` again and check the result");
                return ExitCode::from(exit::REFUSED);
            }
        }
    }
    // with --json, standard output is the JSON alone: the plan goes to
    // standard error, where a terminal still shows it
    if args.json {
        plan_lines(&plan, args.prune).iter().for_each(|l| eprintln!("{l}"));
    } else {
        print_plan(&plan, args.prune);
    }
    if !plan.has_changes(args.prune) {
        if args.json {
            eprintln!("Nothing to do.");
            print_done(&[], true);
        } else {
            emit("Nothing to do.");
        }
        return ExitCode::SUCCESS;
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return fail(
                exit::REFUSED,
                "not applied: standard input is not a terminal; pass --yes to apply without asking",
            );
        }
        match super::prompt::ask("Apply this plan? [y/N]").as_deref() {
            Some("y" | "yes") => {}
            _ => return fail(exit::REFUSED, "not applied"),
        }
    }
    let opts = ApplyOptions { prune: args.prune, replace_secrets: args.replace_secrets, secrets };
    let result = match block_on(sync::apply(&client, &plan, &opts)) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match result {
        Ok(done) => {
            print_done(&done, args.json);
            ExitCode::SUCCESS
        }
        Err(ApplyError::Moved { name, planned, now, diff, done }) => {
            print_done(&done, args.json);
            eprintln!(
                "chanwiz: channel '{}' changed on the backend while applying (version {planned} → {now}); stopped: nothing more was changed",
                clean(&name)
            );
            for c in &diff {
                eprintln!("  ~ {}", one_line(&c.line()));
            }
            ExitCode::from(exit::REFUSED)
        }
        Err(e @ ApplyError::NoSecret { .. }) => fail(exit::REFUSED, &format!("{e}; nothing was changed")),
        Err(ApplyError::Client { name, source, done }) => {
            print_done(&done, args.json);
            eprintln!("chanwiz: stopped at channel '{}'", clean(&name));
            report(&source)
        }
    }
}

fn print_done(done: &[Done], json: bool) {
    if json {
        let items: Vec<serde_json::Value> = done
            .iter()
            .map(|d| match d {
                Done::Created { name, id, version } => {
                    serde_json::json!({"action": "created", "name": name, "id": id, "version": version})
                }
                Done::Updated { name, id, version } => {
                    serde_json::json!({"action": "updated", "name": name, "id": id, "version": version})
                }
                Done::Deleted { name, id } => serde_json::json!({"action": "deleted", "name": name, "id": id}),
            })
            .collect();
        emit(&serde_json::to_string_pretty(&items).expect("serialises"));
        return;
    }
    for d in done {
        match d {
            Done::Created { name, id, version } => {
                emit(&format!("created  {} ({}, version {version})", clean(name), clean(id)))
            }
            Done::Updated { name, id, version } => {
                emit(&format!("updated  {} ({}), version {version}", clean(name), clean(id)))
            }
            Done::Deleted { name, id } => emit(&format!("deleted  {} ({})", clean(name), clean(id))),
        }
    }
}
