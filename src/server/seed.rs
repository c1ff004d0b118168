//! The demo tenant: a catalogue whose ids match
//! `assets/examples/telegram-channel.json`, and on request many valid
//! channels (for load and export work) inserted in one statement.

use rusqlite::{Connection, OptionalExtension, params};

use super::auth;
use super::catalogue::{self, ParsedCert};
use super::db;
use crate::api::CertRole;
use crate::model::ChannelDocument;

pub const DEMO_TENANT_NAME: &str = "demo";
/// Label of the demo tenant's token: replaced on every start.
const DEMO_TOKEN_LABEL: &str = "demo";

/// The example channel document, valid against the demo catalogue.
pub const EXAMPLE: &str = include_str!("../../assets/examples/telegram-channel.json");

/// Make sure the demo tenant and its catalogue exist (seeding them once) and
/// give it a fresh token: the previous demo token stops working, so the only
/// copy of a token is the one printed now (tokens are stored hashed).
pub fn demo(conn: &mut Connection) -> rusqlite::Result<(i64, String)> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let tenant = demo_tenant(&tx)?;
    tx.execute("DELETE FROM tokens WHERE tenant_id = ?1 AND label = ?2", params![tenant, DEMO_TOKEN_LABEL])?;
    let token = auth::issue_token(&tx, tenant, DEMO_TOKEN_LABEL)?;
    tx.commit()?;
    Ok((tenant, token))
}

/// The demo tenant, created with its catalogue when missing (call it inside
/// an immediate transaction). Its tokens are left as they are.
pub fn demo_tenant(conn: &Connection) -> rusqlite::Result<i64> {
    let existing: Option<i64> =
        conn.query_row("SELECT id FROM tenants WHERE name = ?1", [DEMO_TENANT_NAME], |r| r.get(0)).optional()?;
    match existing {
        Some(id) => Ok(id),
        None => {
            let id = auth::insert_tenant(conn, DEMO_TENANT_NAME, true)?;
            demo_catalogue(conn, id)?;
            Ok(id)
        }
    }
}

fn demo_catalogue(conn: &Connection, t: i64) -> rusqlite::Result<()> {
    for (id, name, parent) in [("ou-1", "Headquarters", None), ("ou-2", "Customer Service", Some("ou-1"))] {
        conn.execute(
            "INSERT INTO ous (tenant_id, id, name, parent) VALUES (?1, ?2, ?3, ?4)",
            params![t, id, name, parent],
        )?;
    }
    for (id, name, types) in [
        ("sq-1", "Telegram Sales", "telegram"),
        ("sq-2", "Telegram Support", "telegram"),
        ("sq-3", "All Channels Service", "*"),
        ("sq-4", "WhatsApp Only", "whatsapp"),
    ] {
        conn.execute(
            "INSERT INTO skill_queues (tenant_id, id, name, channel_types) VALUES (?1, ?2, ?3, ?4)",
            params![t, id, name, types],
        )?;
    }
    for (id, name, role, cn) in [
        ("cert-trust-1", "API Fabric trust certificate", CertRole::Trust, "API Fabric Gateway"),
        ("cert-id-1", "AICC identity certificate", CertRole::Identity, "AICC System Identity"),
    ] {
        let cert = generate_cert(cn).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
        catalogue::insert_certificate(conn, t, id, name, role, &cert)?;
    }
    conn.execute("INSERT INTO chatbots (tenant_id, id, name) VALUES (?1, 'bot-1', 'FAQ Chatbot')", [t])?;
    conn.execute("INSERT INTO assistants (tenant_id, id, name) VALUES (?1, 'asst-1', 'Agent Assistant')", [t])?;
    Ok(())
}

/// A real self-signed X.509 certificate valid for a year.
pub fn generate_cert(common_name: &str) -> Result<ParsedCert, String> {
    let (cert, _key) = super::tls::self_signed(Vec::new(), common_name, 365)?;
    catalogue::parse_der(cert.der())
}

/// Add `n` valid channels to the tenant in one statement: the example
/// document with names `Seed_<batch>_<n>`.
pub fn channels(conn: &mut Connection, tenant: i64, n: usize) -> rusqlite::Result<()> {
    const NAME: &str = "@@CHANNEL_NAME@@";
    let mut doc: ChannelDocument =
        serde_json::from_str(EXAMPLE).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    doc.basic.channel_name = NAME.to_string();
    let template =
        serde_json::to_string(&doc.without_secrets()).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    let batch = &uuid::Uuid::new_v4().simple().to_string()[..6];
    let now = db::ts(db::now());
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1) \
         INSERT INTO channels (id, tenant_id, name, channel_type, version, created, updated, document, app_secret, webhook_secret) \
         SELECT lower(hex(randomblob(16))), ?2, printf('Seed_%s_%07d', ?3, i), 'telegram', 1, ?4, ?4, \
                replace(?5, ?6, printf('Seed_%s_%07d', ?3, i)), lower(hex(randomblob(16))), lower(hex(randomblob(24))) \
         FROM seq",
        params![n as i64, tenant, batch, now, template, NAME],
    )?;
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Mode, validate_all};

    #[test]
    fn the_example_document_is_valid_against_the_demo_catalogue() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = db::open(&dir.path().join("s.db")).unwrap();
        let (tenant, token) = demo(&mut conn).unwrap();
        assert!(token.starts_with("cwt_"));
        let cat = catalogue::load(&conn, tenant, catalogue::ChannelRefs::All).unwrap();
        let doc: ChannelDocument = serde_json::from_str(EXAMPLE).unwrap();
        assert_eq!(validate_all(&doc, Mode::Create, Some(&cat), None), vec![]);
        // WhatsApp-only queue is never offered to Telegram
        let ids: Vec<_> = cat.skill_queues.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["sq-1", "sq-2", "sq-3"]);
        assert!(cat.certificates.iter().all(|c| !c.expired && c.subject.contains("CN=")));
        // a second start keeps one tenant and gives a new token
        let (again, token2) = demo(&mut conn).unwrap();
        assert_eq!(again, tenant);
        assert_ne!(token, token2);
        let n: i64 =
            conn.query_row("SELECT count(*) FROM tokens WHERE tenant_id = ?1", [tenant], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
        channels(&mut conn, tenant, 25).unwrap();
        let cat = catalogue::load(&conn, tenant, catalogue::ChannelRefs::All).unwrap();
        assert_eq!(cat.channels.len(), 25);
        let doc: String = conn.query_row("SELECT document FROM channels LIMIT 1", [], |r| r.get(0)).unwrap();
        let doc: ChannelDocument = serde_json::from_str(&doc).unwrap();
        assert!(doc.basic.channel_name.starts_with("Seed_"));
        let others = crate::model::Catalogue { channels: vec![], ..cat };
        assert_eq!(validate_all(&doc, Mode::Update, Some(&others), None), vec![]);
    }
}
