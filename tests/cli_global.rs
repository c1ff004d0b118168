//! The command line as a user of gh or kubectl expects it: the backend
//! options work before or after the command, an option a command has no use
//! for is refused (never silently dropped), shell completions and man pages
//! come from the same definitions, exit codes are in `--help`, and the
//! hidden prompt edits as a terminal line does.

mod support;

use support::cli::*;

#[test]
fn backend_options_work_before_or_after_the_command() {
    let server = Server::start(&[]);
    let cli = Cli { home: tempfile::tempdir().unwrap(), backend: None, token: None };
    let d = cli.example_draft("Global_Flags");
    let out = cli.run(&["--backend", &server.url, "--token", &server.token, "submit", &d.meta.id]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    for args in [
        vec!["--backend", &server.url, "--token", &server.token, "channels", "list"],
        vec!["channels", "list", "--backend", &server.url, "--token", &server.token],
        vec!["--backend", &server.url, "channels", "list", "--token", &server.token],
    ] {
        let out = cli.run(&args);
        assert_eq!(out.code, Some(0), "{args:?}: {}", out.all());
        assert!(out.stdout.contains("Global_Flags"), "{args:?}: the flag was dropped: {}", out.all());
    }
    // given twice with different values: refused, nothing guessed
    let out = cli.run(&["--backend", &server.url, "channels", "list", "--backend", &dead_backend()]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("--backend is given twice"), "{}", out.stderr);
    // --offline before the command: answered from the cache, or refused
    let online = cli.run(&["--backend", &server.url, "--token", &server.token, "catalogue"]);
    assert_eq!(online.code, Some(0), "{}", online.all());
    let out = Cli { home: cli.home, backend: Some(server.url.clone()), token: Some(server.token.clone()) };
    let cached = out.run(&["--offline", "catalogue"]);
    assert_eq!(cached.code, Some(0), "{}", cached.all());
    assert!(cached.stderr.contains("showing the cached catalogue"), "{}", cached.stderr);
    // one thing said: the cache is shown, not also that the command needs the backend
    assert!(!cached.stderr.contains("needs the backend"), "{}", cached.stderr);
    assert_eq!(cached.stderr.lines().filter(|l| l.starts_with("chanwiz:")).count(), 1, "{}", cached.stderr);
    assert_eq!(cached.stdout, online.stdout);
    let d = out.example_draft("Not_Sent");
    let refused = out.run(&["submit", &d.meta.id, "--offline"]);
    assert_eq!(refused.code, Some(3), "{}", refused.all());
    assert!(refused.stderr.contains("offline (--offline): `chanwiz submit` needs the backend"), "{}", refused.stderr);
}

#[test]
fn an_option_a_command_has_no_use_for_is_refused() {
    let cli = Cli::new(&dead_backend(), "some-token-value");
    for (args, says) in [
        (vec!["--offline", "validate", "x.json"], "`chanwiz validate` does not talk to a backend: --offline"),
        (
            vec!["--backend", "http://127.0.0.1:9", "drafts", "list"],
            "`chanwiz drafts` does not talk to a backend: --backend",
        ),
        (vec!["--mouse", "channels", "list"], "--mouse is an option of the wizard"),
        (vec!["--keep-draft", "submit", "x"], "give it after `submit`"),
        (vec!["--telegram-api", "http://127.0.0.1:9", "channels", "list"], "does not talk to Telegram"),
    ] {
        let out = cli.run(&args);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.all());
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn completions_load_in_bash_and_man_pages_cover_every_command() {
    let cli = Cli { home: tempfile::tempdir().unwrap(), backend: None, token: None };
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = cli.run(&["completions", shell]);
        assert_eq!(out.code, Some(0), "{shell}: {}", out.all());
        assert!(out.stdout.contains("submit") && out.stdout.contains("channels"), "{shell}: {}", out.stdout);
    }
    let script = cli.home.path().join("chanwiz.bash");
    std::fs::write(&script, cli.run(&["completions", "bash"]).stdout).unwrap();
    let bash = std::process::Command::new("bash")
        .args(["-c", &format!("source {} && complete -p chanwiz", script.display())])
        .output()
        .unwrap();
    assert!(bash.status.success(), "{}", String::from_utf8_lossy(&bash.stderr));
    assert!(String::from_utf8_lossy(&bash.stdout).contains("chanwiz"), "{:?}", bash);

    let out = cli.run(&["man"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.contains(".TH chanwiz"),
        "{}",
        &out.stdout[..200.min(out.stdout.len())]
    );
    // the main page says what clap cannot: the environment, the files, the exit codes
    for section in [".SH ENVIRONMENT", ".SH FILES", ".SH EXIT STATUS", "CHANWIZ_HOME", "config.json", "\\fB130\\fR"] {
        assert!(out.stdout.contains(section), "the man page lacks {section}");
    }
    assert!(!out.stdout.contains("REST"), "the hidden catch-all argument is not a thing to type");
    let dir = cli.home.path().join("man");
    let out = cli.run(&["man", "-o", dir.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    for page in
        ["chanwiz.1", "chanwiz-submit.1", "chanwiz-channels-list.1", "chanwiz-webhook-set.1", "chanwiz-completions.1"]
    {
        let text = std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page}");
    }
    let submit = std::fs::read_to_string(dir.join("chanwiz-submit.1")).unwrap();
    assert!(submit.contains("keep\\-draft") || submit.contains("keep-draft"), "{submit}");
}

#[test]
fn exit_codes_are_in_the_help() {
    let cli = Cli { home: tempfile::tempdir().unwrap(), backend: None, token: None };
    for args in [vec!["--help"], vec!["submit", "--help"], vec!["channels", "list", "--help"]] {
        let out = cli.run(&args);
        assert_eq!(out.code, Some(0), "{args:?}");
        assert!(out.stdout.contains("Exit codes: 0 done; 1 refused"), "{args:?}: {}", out.stdout);
        assert!(out.stdout.contains("3 the backend could not be reached"), "{args:?}");
    }
}

#[test]
fn the_hidden_prompt_edits_as_a_terminal_line_and_gives_the_terminal_back() {
    use support::tmux::Pane;
    let server = Server::start(&[]);
    let pane = Pane::new("prompt");
    pane.start(&["config", "set", "--backend", &server.url, "--token-stdin"]);
    pane.wait_for(&["Tenant admin token (not shown):"]);
    // a wrong start, erased with Ctrl-U as in any terminal line
    pane.type_text("not-the-token");
    pane.keys(&["C-u"]);
    pane.type_text(&server.token);
    pane.keys(&["Enter"]);
    let screen = pane.wait_exit();
    assert!(screen.contains("WIZARD-EXIT:0"), "{screen}");
    assert!(screen.contains("TTY-COOKED"), "the terminal was not given back:\n{screen}");
    assert!(!screen.contains(&server.token) && !screen.contains("not-the-token"), "echoed:\n{screen}");
    // the token stored is the one typed after Ctrl-U: the backend takes it
    let cli = Cli { home: tempfile::tempdir().unwrap(), backend: None, token: None };
    let out = cli.command(&["channels", "list"]).env("CHANWIZ_HOME", pane.home()).output().map(Out::from).unwrap();
    assert_eq!(out.code, Some(0), "{}", out.all());
}

/// Every command that prints, its standard output a pipe whose reader is
/// already gone (as `chanwiz … | head -c 0` leaves it): each ends quietly,
/// exit 0 as ripgrep does, with no panic and no backtrace.
#[test]
fn no_command_panics_when_its_output_pipe_is_closed() {
    let cli = Cli { home: tempfile::tempdir().unwrap(), backend: None, token: None };
    let example = cli.home.path().join("channel.json");
    std::fs::write(&example, EXAMPLE).unwrap();
    cli.example_draft("Piped_1");
    let file = example.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["completions", "bash"],
        vec!["completions", "zsh"],
        vec!["completions", "fish"],
        vec!["man"],
        vec!["schema"],
        vec!["--help"],
        vec!["submit", "--help"],
        vec!["--version"],
        vec!["validate", file],
        vec!["validate", file, "--json"],
        vec!["schedule", file, "--json"],
        vec!["schedule", file],
        vec!["drafts", "list"],
        vec!["drafts", "list", "--json"],
        vec!["config", "show"],
    ];
    for args in commands {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = cli.command(&args).stdout(writer).stderr(std::process::Stdio::piped()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?} says something on a closed pipe: {stderr}");
    }
}

/// `drafts list` lines its columns up by display width (a Chinese name
/// takes two columns a character) and shows local times with their zone.
#[test]
fn drafts_list_lines_up_chinese_names_and_shows_local_time() {
    let cli = Cli { home: tempfile::tempdir().unwrap(), backend: None, token: None };
    cli.example_draft("客服频道_测试");
    cli.example_draft("Support");
    let out = Out::from(cli.command(&["drafts", "list"]).env("TZ", "Asia/Shanghai").output().unwrap());
    assert_eq!(out.code, Some(0), "{}", out.all());
    let lines: Vec<&str> = out.stdout.lines().collect();
    let status_at = |l: &str| {
        let at = l.find("STATUS").or_else(|| l.find("valid")).or_else(|| l.find("1 error")).unwrap();
        unicode_width::UnicodeWidthStr::width(&l[..at])
    };
    let columns: Vec<usize> = lines.iter().map(|l| status_at(l)).collect();
    assert!(columns.iter().all(|&c| c == columns[0]), "misaligned:\n{}\n{columns:?}", out.stdout);
    assert!(lines[1..].iter().all(|l| l.contains(" CST")), "not local time:\n{}", out.stdout);
}
