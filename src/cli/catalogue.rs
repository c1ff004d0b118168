//! `chanwiz catalogue [--json]`: the tenant's OUs, skill queues,
//! certificates, chatbots and assistants. Offline, the cached copy is shown
//! with its age.

use std::process::ExitCode;

use clap::Args;

use super::backend::{BackendArgs, block_on, emit, report};
use crate::client::describe_age;
use crate::paths::Paths;
use crate::sanitize::{clean, clean_multiline};

#[derive(Debug, Args)]
pub struct CatalogueArgs {
    /// Print {"fetched", "from_cache", "catalogue"} as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub backend: BackendArgs,
}

pub fn run(args: &CatalogueArgs, paths: &Paths) -> ExitCode {
    if args.backend.offline {
        // the cache of the backend these flags lead to, as the wizard's --offline
        let cached = args.backend.catalogue_cache(paths).map(|c| c.load());
        return match cached {
            Err(e) => report(&e),
            Ok(None) => super::fail(
                super::exit::UNREACHABLE,
                "offline (--offline): no cached catalogue of this backend: run `chanwiz catalogue` once while it is reachable",
            ),
            Ok(Some(c)) => show(
                args,
                &crate::client::CatalogueFetch {
                    catalogue: c.catalogue,
                    fetched: c.fetched,
                    offline: Some(crate::client::ClientError::Offline("chanwiz catalogue".into())),
                },
            ),
        };
    }
    let client = match args.backend.client(paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let cache = match args.backend.catalogue_cache(paths) {
        Ok(c) => c,
        Err(e) => return report(&e),
    };
    let fetch = match block_on(client.refresh_catalogue(&cache)) {
        Err(code) => return code,
        Ok(Err(e)) => {
            let code = report(&e);
            if e.is_unreachable() {
                eprintln!(
                    "chanwiz: no cached catalogue of {} either: run this once while the backend is reachable",
                    client.backend()
                );
            }
            return code;
        }
        Ok(Ok(f)) => f,
    };
    show(args, &fetch)
}

/// Print the catalogue (with where it came from).
fn show(args: &CatalogueArgs, fetch: &crate::client::CatalogueFetch) -> ExitCode {
    if let Some(reason) = &fetch.offline {
        let cached = format!(
            "showing the cached catalogue fetched {} ({})",
            describe_age(fetch.age()),
            super::table::local_time(fetch.fetched)
        );
        match reason {
            // asked for: the cache is the answer, said once
            crate::client::ClientError::Offline(_) => eprintln!("chanwiz: offline (--offline): {cached}"),
            other => {
                eprintln!("chanwiz: {}", clean(&other.to_string()));
                eprintln!("chanwiz: {cached}");
            }
        }
    }
    let cat = &fetch.catalogue;
    if args.json {
        let value = serde_json::json!({
            "fetched": fetch.fetched,
            "from_cache": fetch.offline.is_some(),
            "catalogue": cat,
        });
        emit(&clean_multiline(&serde_json::to_string_pretty(&value).expect("serialises")));
        return ExitCode::SUCCESS;
    }
    let mut out: Vec<String> = Vec::new();
    out.push(format!("OUs ({}):", cat.ous.len()));
    for o in &cat.ous {
        out.push(format!("  {:<20}  {}", clean(&o.id), clean(&cat.ou_path(&o.id).unwrap_or_else(|| o.name.clone()))));
    }
    out.push(format!("skill queues ({}):", cat.skill_queues.len()));
    for q in &cat.skill_queues {
        out.push(format!("  {:<20}  {}", clean(&q.id), clean(&q.name)));
    }
    out.push(format!("certificates ({}):", cat.certificates.len()));
    let mut certs = super::table::Table::new(&[
        ("ID", super::table::Align::Left),
        ("ROLE", super::table::Align::Left),
        ("NAME", super::table::Align::Left),
        ("EXPIRES", super::table::Align::Left),
    ])
    .cap(2, 40);
    for c in &cat.certificates {
        let expiry = if c.expired {
            format!("EXPIRED {}", clean(&c.not_after))
        } else if c.not_after.is_empty() {
            String::new()
        } else {
            format!("until {}", clean(&c.not_after))
        };
        certs.row(vec![clean(&c.id).into_owned(), c.role.as_str().to_owned(), clean(&c.name).into_owned(), expiry]);
    }
    if !cat.certificates.is_empty() {
        // indented under their heading, without the header line
        out.extend(certs.render().lines().skip(1).map(|l| format!("  {}", l.trim_end())));
    }
    out.push(format!("chatbots ({}):", cat.chatbots.len()));
    for c in &cat.chatbots {
        out.push(format!("  {:<20}  {}", clean(&c.id), clean(&c.name)));
    }
    out.push(format!("robot assistants ({}):", cat.assistants.len()));
    for a in &cat.assistants {
        out.push(format!("  {:<20}  {}", clean(&a.id), clean(&a.name)));
    }
    emit(&out.join("\n"));
    ExitCode::SUCCESS
}
