//! Editing a channel as the source page's Context has it (API Fabric's key
//! changed): the built binary in a real pty (tmux, 80×24) against `chanwiz
//! serve` on loopback. The APP Key and Secret are replaced, the diff is
//! checked on Review (scrolled to its last line), and the edit submitted; an
//! edit that meets a newer version made by another client is merged without
//! losing what was typed.

#![cfg(feature = "server")]

mod support;

use support::cli::client_for;
use support::serve::Server;
use support::tmux::*;
use support::{EXAMPLE, block_on};

/// The example channel (`Telegram_Support`) created on `server`; its id.
fn create_example(server: &Server) -> String {
    let client = client_for(&server.url, &server.token);
    let doc = chanwiz::model::parse_document(EXAMPLE).unwrap();
    block_on(client.create_channel(&doc, "e2e-edit-example")).unwrap().id
}

/// The wizard on `server`, editing the example channel from the home list.
fn open_edit(server: &Server, name: &str) -> Pane {
    let mut pane = Pane::new(name);
    pane.backend = Some((server.url.clone(), server.token.clone()));
    pane.start(&[]);
    pane.wait_for(&["Telegram_Support", "online"]);
    pane.keys(&["Enter"]);
    pane.wait_for(&["Editing", "Telegram_Support", "(version", "1)", "Step", "1/4"]);
    pane.wait_focus("APP Key");
    pane
}

fn replace_key_and_secret(pane: &Pane) {
    pane.keys(&["C-u"]);
    pane.type_text("ak-rotated-2026");
    pane.wait_until("the new key", |s| focused_row(s).is_some_and(|r| r.contains("ak-rotated-2026")));
    pane.keys(&["Tab"]);
    pane.wait_focus("APP Secret");
    pane.type_text("sk-rotated-secret");
}

#[test]
fn the_key_and_secret_are_replaced_checked_on_review_and_submitted() {
    let server = Server::start(&[]);
    let id = create_example(&server);
    let pane = open_edit(&server, "edit-key");
    replace_key_and_secret(&pane);
    for _ in 0..3 {
        pane.keys(&["PageDown"]);
    }
    let review = pane.wait_for(&["Step", "4/4", "Changes", "to", "Telegram_Support", "(version", "1):", "2", "fields"]);
    assert!(review.contains("APP Key: aicc-telegram-app-7f3a → ak-rotated-2026"), "{review}");
    assert!(review.contains("APP Secret: replaced"), "{review}");
    assert!(!review.contains("sk-rotated"), "the secret is on the screen:\n{review}");
    assert!(!review.contains("asst-1"), "the whole review fits? then this test proves nothing:\n{review}");
    // the review scrolls to its last line: the robot assistant's code
    pane.keys(&["End"]);
    pane.wait_for(&["asst-1", "above"]);
    pane.keys(&["Home"]);
    pane.wait_for(&["Submit", "ready"]);
    pane.keys(&["Enter"]);
    pane.wait_for(&[
        "Update the channel?",
        "Update channel Telegram_Support (version 1)",
        "2 fields changed",
        "[y] update it",
    ]);
    pane.keys(&["y"]);
    pane.wait_for(&["Channel", "Integration"]);

    let ch = block_on(client_for(&server.url, &server.token).get_channel(&id)).unwrap();
    assert_eq!(ch.version, 2);
    assert_eq!(ch.document.channel_info.app_key, "ak-rotated-2026");
    // the draft is gone once the backend confirmed: the channel is the truth
    pane.wait_until("the draft removed", |_| pane.drafts().is_empty());
}

#[test]
fn an_edit_meeting_another_clients_change_is_merged_without_loss() {
    let server = Server::start(&[]);
    let id = create_example(&server);
    let pane = open_edit(&server, "edit-merge");
    replace_key_and_secret(&pane);

    // meanwhile a colleague changes the notification and the name
    let client = client_for(&server.url, &server.token);
    let mut theirs = block_on(client.get_channel(&id)).unwrap().document;
    theirs.basic.non_working_time_notification = "Changed by a colleague.".into();
    theirs.basic.channel_name = "Telegram_Help".into();
    block_on(client.update_channel(&id, 1, &theirs)).unwrap();

    // and I rename the channel too
    pane.keys(&["PageDown"]);
    pane.wait_for(&["Step", "2/4"]);
    pane.wait_focus("Channel Name");
    pane.keys(&["C-u"]);
    pane.type_text("Telegram_Care");
    pane.wait_until("the new name", |s| focused_row(s).is_some_and(|r| r.contains("Telegram_Care")));
    pane.keys(&["PageDown", "PageDown"]);
    pane.wait_for(&["Step", "4/4", "Submit", "ready"]);
    pane.keys(&["Enter"]);
    pane.wait_for(&["[y] update it"]);
    pane.keys(&["y"]);

    let merge = pane.wait_for(&["changed", "on", "the", "server", "version", "2"]);
    assert!(merge.contains("yours kept: APP Key"), "{merge}");
    assert!(merge.contains("APP Secret (replaced)"), "{merge}");
    assert!(merge.contains("theirs taken: Non-Working Time Notification"), "{merge}");
    assert!(merge.contains("Channel Name") && merge.contains("Telegram_Care"), "{merge}");
    assert!(merge.contains("Telegram_Help"), "{merge}");
    // mine for the name (the default), Enter submits the merge
    pane.keys(&["Enter"]);
    pane.wait_for(&["Channel", "Integration"]);

    let ch = block_on(client.get_channel(&id)).unwrap();
    assert_eq!(ch.version, 3);
    assert_eq!(ch.document.channel_info.app_key, "ak-rotated-2026", "my key was dropped");
    assert_eq!(ch.document.basic.channel_name, "Telegram_Care", "my choice was dropped");
    assert_eq!(ch.document.basic.non_working_time_notification, "Changed by a colleague.", "theirs was dropped");
}
