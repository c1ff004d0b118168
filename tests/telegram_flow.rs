//! The Bot API session of the Channel Integration (open: getMe +
//! getWebhookInfo; register; delete) against the local Telegram stand-in, the
//! setWebhook plan, and chanwiz's pre-checks compared with the stand-in's own
//! (Telegram's) rules.
#![cfg(feature = "server")]

mod support;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use chanwiz::integration::{Registration, Session};
use chanwiz::telegram::checks::{check_webhook_url, describe};
use chanwiz::telegram::{
    ApiConfig, BotApi, BotToken, ProblemKind, RetryPolicy, Sleeper, TelegramError, WebhookOptions, WebhookParams,
    WebhookSecret, plan, same_url,
};
use support::telegram_standin::{IPV6_EXAMPLE, TelegramStandIn, token};

const INTEGRATION: &str = "https://10.20.30.40:28090/apiaccess/telegram/message/ch_7";
const PUBLIC: &str = "https://93.184.216.34:8443";
const REGISTERED: &str = "https://93.184.216.34:8443/apiaccess/telegram/message/ch_7";

fn secret() -> WebhookSecret {
    WebhookSecret::new("Zq7_generated-by-backend-0123456789")
}

fn config(s: &TelegramStandIn) -> ApiConfig {
    ApiConfig::new(&s.base_url).unwrap().with_retry(RetryPolicy {
        max_attempts: 3,
        max_wait: Duration::from_secs(60),
        sleeper: Sleeper::new(|_| async {}),
    })
}

fn with_public() -> WebhookOptions {
    WebhookOptions { public_address: Some(PUBLIC.into()), ..Default::default() }
}

/// Open a session (getMe + getWebhookInfo) and register the plan of
/// `options` for the channel's secret, with the endpoint certificate `pem`.
async fn register(
    config: &ApiConfig,
    token: &BotToken,
    options: &WebhookOptions,
    pem: Option<&[u8]>,
) -> Result<Registration, TelegramError> {
    let plan = plan(INTEGRATION, &secret(), Some(token), options, pem).expect("the checks pass");
    Session::open(config, token).await?.register(&plan).await
}

fn methods(s: &TelegramStandIn) -> Vec<String> {
    s.requests().iter().map(|r| r.method.clone()).collect()
}

async fn standin_with_bot(id: u64) -> (TelegramStandIn, String, BotToken) {
    let s = TelegramStandIn::start().await;
    let t = token(id);
    s.add_bot(&t, "AICCCustomize_TWbot", "AICC Support");
    let bt = BotToken::parse(&t).unwrap();
    (s, t, bt)
}

#[tokio::test]
async fn a_session_proves_the_token_and_reports_a_webhook_pointing_elsewhere() {
    let (s, t, bt) = standin_with_bot(1001).await;
    s.set_existing_webhook(&t, "https://198.41.0.4/other-tool/hook", 3);
    let session = Session::open(&config(&s), &bt).await.unwrap();
    assert_eq!(session.bot().handle(), "@AICCCustomize_TWbot");
    assert_eq!(session.bot().name, "AICC Support");
    assert_eq!(session.webhook().url, "https://198.41.0.4/other-tool/hook");
    assert!(!same_url(&session.webhook().url, REGISTERED));
    assert_eq!(session.webhook().pending_update_count, 3);
    assert_eq!(session.token_warning(), None);
    assert_eq!(methods(&s), ["getMe", "getWebhookInfo"]);

    // the same URL written differently is still ours
    s.set_existing_webhook(&t, &REGISTERED.replace("https://", "HTTPS://"), 0);
    let session = Session::open(&config(&s), &bt).await.unwrap();
    assert!(same_url(&session.webhook().url, REGISTERED));
}

#[tokio::test]
async fn a_session_warns_about_an_odd_token_that_still_works() {
    let s = TelegramStandIn::start().await;
    s.add_bot("77:short", "odd_bot", "Odd");
    let bt = BotToken::parse(" 77:short ").unwrap();
    let session = Session::open(&config(&s), &bt).await.unwrap();
    assert_eq!(session.bot().username, "odd_bot");
    assert!(session.token_warning().unwrap().contains("35 characters"));
    assert!(!session.webhook().is_set());
}

#[tokio::test]
async fn a_session_with_a_wrong_token_says_so() {
    let s = TelegramStandIn::start().await;
    let bt = BotToken::parse(&token(1002)).unwrap();
    let e = Session::open(&config(&s), &bt).await.unwrap_err();
    assert!(e.to_string().contains("Telegram does not know this token"), "{e}");
    assert_eq!(methods(&s), ["getMe"], "nothing more is asked once getMe refused");
}

#[tokio::test]
async fn register_sets_the_webhook_through_the_public_address_and_confirms_it() {
    let (s, t, bt) = standin_with_bot(1003).await;
    let r = register(&config(&s), &bt, &with_public(), None).await.unwrap();
    assert_eq!(r.url, REGISTERED);
    assert_eq!(r.telegram, "Webhook was set");
    assert!(!r.certificate_uploaded);
    assert_eq!(r.info.url, REGISTERED);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);

    // one getMe and one getWebhookInfo when the session opens, then only the
    // setWebhook and the getWebhookInfo that confirms it
    assert_eq!(methods(&s), ["getMe", "getWebhookInfo", "setWebhook", "getWebhookInfo"]);
    let set = &s.requests_for("setWebhook")[0];
    assert_eq!(set.arg("url").unwrap(), REGISTERED);
    assert_eq!(set.secret_token().unwrap(), secret().expose());
    assert_eq!(set.allowed_updates().unwrap(), chanwiz::telegram::checks::DEFAULT_ALLOWED_UPDATES);
    assert_eq!(set.flag("drop_pending_updates"), Some(false));
    assert_eq!(s.webhook(&t).secret_token.as_deref(), Some(secret().expose()));
}

#[tokio::test]
async fn the_plan_lists_every_problem_at_once() {
    let (_s, t, bt) = standin_with_bot(1004).await;
    // no public address: the integration URL is private and on port 28090;
    // and the bot token given as the secret
    let problems =
        plan(INTEGRATION, &WebhookSecret::new(t.clone()), Some(&bt), &WebhookOptions::default(), None).unwrap_err();
    let kinds: Vec<_> = problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [ProblemKind::ReservedIp, ProblemKind::Port, ProblemKind::SecretIsBotToken, ProblemKind::SecretCharacters]
    );
    let text = describe(&problems);
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains("28090 is AICC's frontend port"), "{text}");
    assert!(text.contains("public webhook address"), "{text}");
}

#[tokio::test]
async fn the_pre_checks_agree_with_telegrams_rules() {
    let (s, t, bt) = standin_with_bot(1005).await;
    s.add_dns("bot.example.com", IpAddr::V4(Ipv4Addr::new(93, 184, 216, 34)));
    s.add_dns("intranet.example.com", IpAddr::V4(Ipv4Addr::new(192, 168, 1, 20)));
    s.add_dns("v6only.example.com", IpAddr::V6(IPV6_EXAMPLE));
    let api = BotApi::new(config(&s), bt).unwrap();
    let urls = [
        "https://93.184.216.34/p",
        "https://93.184.216.34:443/p",
        "https://93.184.216.34:80/p",
        "https://93.184.216.34:88/p",
        "https://93.184.216.34:8443/p",
        "https://93.184.216.34:28090/p",
        "https://93.184.216.34:8080/p",
        "http://93.184.216.34/p",
        "https://bot.example.com/p",
        "https://10.0.0.1/p",
        "https://10.255.255.254/p",
        "https://172.16.5.5/p",
        "https://172.32.0.1/p",
        "https://192.168.1.1/p",
        "https://127.0.0.1/p",
        "https://localhost/p",
        "https://169.254.169.254/p",
        "https://100.64.1.1/p",
        "https://100.128.1.1/p",
        "https://192.0.2.1/p",
        "https://198.51.100.1/p",
        "https://203.0.113.1/p",
        "https://198.18.0.1/p",
        "https://224.0.0.5/p",
        "https://240.1.1.1/p",
        "https://0.0.0.0/p",
        "https://[2a00:1450::1]/p",
        "https://8.8.8.8:8443/p",
        "https://1.1.1.1/p",
    ];
    for url in urls {
        let ours = check_webhook_url(url, chanwiz::telegram::Face::Wizard);
        let mut p = WebhookParams::new(url);
        p.secret_token = Some(secret());
        let telegram = api.set_webhook(&p).await;
        assert_eq!(ours.is_empty(), telegram.is_ok(), "{url}: our checks say {ours:?}, the stand-in says {telegram:?}");
    }
    // a host name resolving to a private or IPv6-only address cannot be
    // judged without DNS: the pre-check lets it through and Telegram's
    // answer, verbatim, explains it.
    for (url, said) in [
        ("https://intranet.example.com/p", "Bad Request: bad webhook: IP address 192.168.1.20 is reserved"),
        ("https://v6only.example.com/p", "Bad Request: bad webhook: IPv6-only addresses are not allowed"),
        ("https://nx.example.com/p", "Bad Request: bad webhook: Failed to resolve host: Name or service not known"),
    ] {
        assert!(check_webhook_url(url, chanwiz::telegram::Face::Wizard).is_empty());
        let mut p = WebhookParams::new(url);
        p.secret_token = Some(secret());
        let e = api.set_webhook(&p).await.unwrap_err();
        assert_eq!(e.telegram_text(), Some(said));
    }
    // and the secret rules
    for secret in ["ok_Secret-1", "has:colon", "has space", "ümlaut", &"x".repeat(256), &"x".repeat(257)] {
        let ours = chanwiz::telegram::check_secret(secret, None);
        let mut p = WebhookParams::new("https://93.184.216.34/p");
        p.secret_token = Some(WebhookSecret::new(secret));
        let telegram = api.set_webhook(&p).await;
        assert_eq!(ours.is_empty(), telegram.is_ok(), "{secret}: {ours:?} / {telegram:?}");
    }
    let _ = t;
}

fn self_signed_pem() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    rcgen::CertificateParams::new(vec!["93.184.216.34".to_owned()]).unwrap().self_signed(&key).unwrap().pem()
}

fn ca_signed_pem() -> String {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(rcgen::DnType::CommonName, "Test CA");
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let mut leaf = rcgen::CertificateParams::new(vec!["93.184.216.34".to_owned()]).unwrap();
    leaf.distinguished_name.push(rcgen::DnType::CommonName, "backend");
    leaf.signed_by(&key, &issuer).unwrap().pem()
}

#[tokio::test]
async fn a_self_signed_endpoint_certificate_is_uploaded_and_a_ca_signed_one_is_not() {
    let (s, t, bt) = standin_with_bot(1006).await;
    let pem = self_signed_pem();
    let r = register(&config(&s), &bt, &with_public(), Some(pem.as_bytes())).await.unwrap();
    assert!(r.certificate_uploaded);
    assert!(r.info.has_custom_certificate);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let set = &s.requests_for("setWebhook")[0];
    assert_eq!(set.encoding, "multipart");
    assert_eq!(set.certificate.as_deref(), Some(pem.as_bytes()));
    assert_eq!(set.arg("url").unwrap(), REGISTERED);
    assert_eq!(set.secret_token().unwrap(), secret().expose());
    assert!(s.webhook(&t).has_custom_certificate);

    let r = register(&config(&s), &bt, &with_public(), Some(ca_signed_pem().as_bytes())).await.unwrap();
    assert!(!r.certificate_uploaded);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let set = &s.requests_for("setWebhook")[1];
    assert_eq!(set.encoding, "json");
    assert!(set.certificate.is_none());
    assert!(!s.webhook(&t).has_custom_certificate);
}

#[tokio::test]
async fn a_certificate_for_the_private_address_is_warned_about() {
    let (s, _t, bt) = standin_with_bot(1013).await;
    // the backend's identity certificate names its BaseUrl address, not the public one
    let key = rcgen::KeyPair::generate().unwrap();
    let pem = rcgen::CertificateParams::new(vec!["10.20.30.40".to_owned()]).unwrap().self_signed(&key).unwrap().pem();
    let r = register(&config(&s), &bt, &with_public(), Some(pem.as_bytes())).await.unwrap();
    assert!(r.certificate_uploaded);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("is for 10.20.30.40, not for 93.184.216.34"), "{}", r.warnings[0]);
}

#[tokio::test]
async fn registering_replaces_a_webhook_elsewhere_once_the_orchestration_allowed_it() {
    // asking first is the orchestration's (tests/webhook_flow.rs); the
    // session's register sets what it was given
    let (s, t, bt) = standin_with_bot(1007).await;
    s.set_existing_webhook(&t, "https://198.41.0.4/other-tool/hook", 0);
    let r = register(&config(&s), &bt, &with_public(), None).await.unwrap();
    assert_eq!(r.url, REGISTERED);
    assert_eq!(s.webhook(&t).url, REGISTERED);
}

#[tokio::test]
async fn registering_the_same_webhook_again_is_fine() {
    let (s, _t, bt) = standin_with_bot(1008).await;
    register(&config(&s), &bt, &with_public(), None).await.unwrap();
    let r = register(&config(&s), &bt, &with_public(), None).await.unwrap();
    assert_eq!(r.telegram, "Webhook is already set");
}

#[tokio::test]
async fn a_webhook_taken_over_right_after_setting_is_not_reported_as_done() {
    let (s, _t, bt) = standin_with_bot(1009).await;
    s.steal_webhook_after_set("https://198.41.0.4/thief");
    let e = register(&config(&s), &bt, &with_public(), None).await.unwrap_err();
    match &e {
        TelegramError::NotConfirmed { expected, actual } => {
            assert_eq!(expected, REGISTERED);
            assert_eq!(actual, "https://198.41.0.4/thief");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("another tool"), "{e}");
}

#[tokio::test]
async fn delivery_errors_and_queued_updates_become_warnings() {
    let (s, t, bt) = standin_with_bot(1010).await;
    s.set_delivery_error("Wrong response from the webhook: 403 Forbidden");
    s.set_pending(&t, 5);
    let r = register(&config(&s), &bt, &with_public(), None).await.unwrap();
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("\"Wrong response from the webhook: 403 Forbidden\""), "{}", r.warnings[0]);
    assert!(r.warnings[0].contains("proxy or web application firewall"), "{}", r.warnings[0]);
    assert!(r.warnings[1].starts_with("5 updates are queued"), "{}", r.warnings[1]);
    assert_eq!(r.info.pending_update_count, 5);

    // dropping them: none left, no warning about them
    let options = WebhookOptions { drop_pending_updates: true, ..with_public() };
    let r = register(&config(&s), &bt, &options, None).await.unwrap();
    assert_eq!(r.info.pending_update_count, 0);
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(s.requests_for("setWebhook")[1].flag("drop_pending_updates"), Some(true));
}

#[tokio::test]
async fn a_certificate_delivery_error_names_the_certificate() {
    let (s, _t, bt) = standin_with_bot(1011).await;
    s.set_delivery_error("SSL error {error:0A000086:SSL routines::certificate verify failed}");
    let r = register(&config(&s), &bt, &with_public(), None).await.unwrap();
    assert!(r.warnings[0].contains("TLS certificate"), "{:?}", r.warnings);
}

#[tokio::test]
async fn delete_removes_the_webhook() {
    let (s, t, bt) = standin_with_bot(1012).await;
    register(&config(&s), &bt, &with_public(), None).await.unwrap();
    let session = Session::open(&config(&s), &bt).await.unwrap();
    assert!(session.webhook().is_set());
    assert_eq!(session.delete(true).await.unwrap(), "Webhook was deleted");
    assert!(s.webhook(&t).url.is_empty());
    assert_eq!(session.delete(false).await.unwrap(), "Webhook is already deleted");
}
