//! Where the client finds its backend, token and CA certificate: a flag, else
//! the environment, else `config.json` in the config directory. The file holds
//! the token, so it is written with mode 0600 (in a 0700 directory).

use crate::model::schedule::Zone;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::ClientError;
use crate::fsutil::{atomic_write, private_dir};
use crate::paths::Paths;

pub const CONFIG_FILE: &str = "config.json";
pub const ENV_BACKEND: &str = "CHANWIZ_BACKEND";
pub const ENV_TOKEN: &str = "CHANWIZ_TOKEN";
pub const ENV_CA_CERT: &str = "CHANWIZ_CA_CERT";
/// The first wait before a request is sent again, in milliseconds (each
/// next wait doubles, up to 4 s): short for tests, longer for slow links.
pub const ENV_RETRY_DELAY_MS: &str = "CHANWIZ_RETRY_DELAY_MS";

/// The tenant admin token. Never printed: `Debug` hides it and there is no
/// `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(text: &str) -> Result<Self, ClientError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(ClientError::Config("the token is empty: set --token / CHANWIZ_TOKEN".into()));
        }
        if !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ClientError::Config(
                "the token contains spaces or characters that cannot be sent in a header: check --token / CHANWIZ_TOKEN".into(),
            ));
        }
        Ok(Self(t.to_string()))
    }

    /// The token itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Token({})", crate::sanitize::REDACTED)
    }
}

/// `config.json`. Every key is optional.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// The tenant's time zone (an IANA name) for `chanwiz schedule` and the
    /// wizard's week view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
}

impl std::fmt::Debug for FileConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileConfig")
            .field("backend", &self.backend)
            .field("token", &self.token.as_ref().map(|_| crate::sanitize::REDACTED))
            .field("ca_cert", &self.ca_cert)
            .field("tz", &self.tz)
            .finish()
    }
}

pub fn config_file(paths: &Paths) -> PathBuf {
    paths.config.join(CONFIG_FILE)
}

impl FileConfig {
    /// The config file, or `None` when there is none. A broken file is an
    /// error naming the file and the position, never quoting its content
    /// (it holds the token).
    pub fn load(paths: &Paths) -> Result<Option<Self>, ClientError> {
        let file = config_file(paths);
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(ClientError::Io { path: file, source }),
        };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            let what = match e.classify() {
                serde_json::error::Category::Data => {
                    "a key is unknown or a value has the wrong type (allowed: backend, token, ca_cert, tz)"
                }
                _ => "it is not valid JSON",
            };
            ClientError::Config(format!("{} line {} column {}: {what}", file.display(), e.line(), e.column()))
        })
    }

    /// Write the file atomically, mode 0600, in a 0700 directory.
    pub fn save(&self, paths: &Paths) -> Result<PathBuf, ClientError> {
        let file = config_file(paths);
        private_dir(&paths.config).map_err(|source| ClientError::Io { path: paths.config.clone(), source })?;
        let mut bytes = serde_json::to_vec_pretty(self).expect("config serialises");
        bytes.push(b'\n');
        atomic_write(&file, &bytes).map_err(|source| ClientError::Io { path: file.clone(), source })?;
        Ok(file)
    }
}

/// The tenant's time zone and where it comes from: `--tz`, else
/// `config.json`'s `tz`, else the `TZ` variable when it names a zone, else
/// UTC. A zone given by name that is not one is an error.
pub fn time_zone(
    flag: Option<&str>,
    file: Option<&FileConfig>,
    env_tz: Option<&str>,
) -> Result<(Zone, String), String> {
    if let Some(name) = flag {
        return parse_zone(name).map(|z| (z, "--tz".into())).map_err(|e| format!("--tz: {e}"));
    }
    if let Some(name) = file.and_then(|f| f.tz.as_deref()) {
        return parse_zone(name).map(|z| (z, CONFIG_FILE.into())).map_err(|e| format!("{CONFIG_FILE} tz: {e}"));
    }
    if let Some(zone) = env_tz.map(|t| t.trim().trim_start_matches(':')).and_then(|t| parse_zone(t).ok()) {
        return Ok((zone, "TZ".into()));
    }
    Ok((Zone::utc(), "default".into()))
}

/// The time zone of a name (`Europe/Berlin`, `UTC`, any case), from the
/// system's time zone database (`/usr/share/zoneinfo`), else the copy
/// built in; or a sentence saying it is not one.
pub fn parse_zone(name: &str) -> Result<Zone, String> {
    let n = name.trim();
    match jiff::tz::db().get(n) {
        Ok(rules) => {
            let canonical = rules.iana_name().unwrap_or(n).to_string();
            Ok(Zone::new(canonical, rules))
        }
        Err(_) => Err(crate::model::schedule::not_a_zone(n)),
    }
}

/// Values given on the command line.
#[derive(Clone, Default)]
pub struct Flags {
    pub backend: Option<String>,
    pub token: Option<String>,
    pub ca_cert: Option<PathBuf>,
}

impl std::fmt::Debug for Flags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flags")
            .field("backend", &self.backend)
            .field("token", &self.token.as_ref().map(|_| crate::sanitize::REDACTED))
            .field("ca_cert", &self.ca_cert)
            .finish()
    }
}

/// Where a setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env,
    File,
}

impl Source {
    pub fn describe(self, flag: &str, env: &str) -> String {
        match self {
            Source::Flag => flag.to_string(),
            Source::Env => env.to_string(),
            Source::File => CONFIG_FILE.to_string(),
        }
    }
}

/// The settings the client runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub backend: Url,
    pub backend_from: Source,
    pub token: Token,
    pub token_from: Source,
    pub ca_cert: Option<PathBuf>,
    /// When and how often a request is sent again after a transient failure
    /// (`CHANWIZ_RETRY_DELAY_MS` sets its first wait).
    pub backoff: super::Backoff,
}

/// The first value present of flag, environment, file.
fn pick<T>(flag: Option<T>, env: Option<T>, file: Option<T>) -> Option<(T, Source)> {
    flag.map(|v| (v, Source::Flag))
        .or_else(|| env.map(|v| (v, Source::Env)))
        .or_else(|| file.map(|v| (v, Source::File)))
}

/// The backend URL only (e.g. to find the catalogue cache without a token).
pub fn resolve_backend(
    flags: &Flags,
    env: &dyn Fn(&str) -> Option<String>,
    file: Option<&FileConfig>,
) -> Result<(Url, Source), ClientError> {
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let (text, from) = pick(
        nonempty(flags.backend.clone()),
        nonempty(env(ENV_BACKEND)),
        nonempty(file.and_then(|f| f.backend.clone())),
    )
    .ok_or_else(|| {
        ClientError::Config(
            "no backend is set: pass --backend URL, set CHANWIZ_BACKEND, or run `chanwiz config set --backend URL`"
                .into(),
        )
    })?;
    let url = parse_backend(&text).map_err(|m| {
        let shown = without_credentials(&text);
        ClientError::Config(format!("{shown} ({}): {m}", from.describe("--backend", ENV_BACKEND)))
    })?;
    Ok((url, from))
}

/// Resolve every setting: flag > environment > config file.
pub fn resolve(
    flags: &Flags,
    env: &dyn Fn(&str) -> Option<String>,
    file: Option<&FileConfig>,
) -> Result<Settings, ClientError> {
    let (backend, backend_from) = resolve_backend(flags, env, file)?;
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let (token, token_from) =
        pick(nonempty(flags.token.clone()), nonempty(env(ENV_TOKEN)), nonempty(file.and_then(|f| f.token.clone())))
            .ok_or_else(|| {
                ClientError::Config(
                    "no token is set: pass --token, set CHANWIZ_TOKEN, or run `chanwiz config set --token-stdin`"
                        .into(),
                )
            })?;
    let token = Token::new(&token)?;
    let env_ca = env(ENV_CA_CERT).filter(|s| !s.trim().is_empty()).map(PathBuf::from);
    let ca_cert = pick(flags.ca_cert.clone(), env_ca, file.and_then(|f| f.ca_cert.clone())).map(|(p, _)| p);
    let backoff = retry_backoff(env(ENV_RETRY_DELAY_MS))?;
    Ok(Settings { backend, backend_from, token, token_from, ca_cert, backoff })
}

/// The backoff whose first wait is `CHANWIZ_RETRY_DELAY_MS` (the default
/// when unset or blank).
fn retry_backoff(value: Option<String>) -> Result<super::Backoff, ClientError> {
    let default = super::Backoff::default();
    let Some(text) = value.filter(|v| !v.trim().is_empty()) else { return Ok(default) };
    let ms: u64 = text.trim().parse().map_err(|_| {
        ClientError::Config(format!(
            "{ENV_RETRY_DELAY_MS} is '{}': give the first retry delay in milliseconds, e.g. 250",
            crate::sanitize::clean(text.trim())
        ))
    })?;
    let first = std::time::Duration::from_millis(ms);
    Ok(super::Backoff { first, max: default.max.max(first), ..default })
}

/// Settings from the real environment and the config file of `paths`.
pub fn from_env(flags: &Flags, paths: &Paths) -> Result<Settings, ClientError> {
    let file = FileConfig::load(paths)?;
    resolve(flags, &|k| std::env::var(k).ok(), file.as_ref())
}

/// `text` as it may be shown: a user name or password in it is blanked
/// (the rule that refuses them must not echo them).
fn without_credentials(text: &str) -> String {
    let text = text.trim();
    match Url::parse(text) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => text.to_string(),
    }
}

/// A backend URL: `https://host[:port][/prefix]`, or `http://` to a loopback
/// host only. No user name or password, query or fragment.
pub fn parse_backend(text: &str) -> Result<Url, String> {
    let text = text.trim();
    if !text.contains("://") {
        return Err(format!("it has no scheme: write https://{text} (or http:// to this machine only)"));
    }
    let mut url = Url::parse(text).map_err(|e| format!("not a URL ({e}); expected e.g. https://10.1.2.3:8443"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials in the URL are not allowed: give the token with --token / CHANWIZ_TOKEN".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("a backend URL has no query or fragment".into());
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(
                "plain http:// is allowed only to this machine (127.0.0.1, ::1, localhost): use https://".into()
            );
        }
        other => return Err(format!("scheme '{other}' is not supported: use https://")),
    }
    if url.host().is_none() {
        return Err("the URL names no host".into());
    }
    // A base path is kept without its trailing slash; routes are appended.
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// Read a CA certificate file: PEM (one or more certificates) or DER.
pub fn read_ca_cert(path: &Path) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>, ClientError> {
    use rustls_pki_types::pem::PemObject;
    let bytes = std::fs::read(path)
        .map_err(|e| ClientError::Config(format!("cannot read the CA certificate {}: {e}", path.display())))?;
    let pem: Vec<_> = rustls_pki_types::CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| ClientError::Config(format!("{} is not a readable PEM certificate ({e})", path.display())))?;
    if !pem.is_empty() {
        return Ok(pem);
    }
    // DER starts with a SEQUENCE tag.
    if bytes.first() == Some(&0x30) {
        return Ok(vec![rustls_pki_types::CertificateDer::from(bytes)]);
    }
    Err(ClientError::Config(format!(
        "{} holds no certificate: expected PEM (-----BEGIN CERTIFICATE-----) or DER",
        path.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    fn file() -> FileConfig {
        FileConfig {
            backend: Some("https://10.0.0.3:8443".into()),
            token: Some("file-token".into()),
            ca_cert: Some("/file/ca.pem".into()),
            tz: None,
        }
    }

    #[test]
    fn the_time_zone_comes_from_the_flag_the_file_tz_or_utc() {
        let mut f = file();
        f.tz = Some("Asia/Shanghai".into());
        let name = |r: Result<(Zone, String), String>| r.map(|(z, o)| (z.name().to_string(), o));
        assert_eq!(name(time_zone(Some("Europe/Berlin"), Some(&f), None)), Ok(("Europe/Berlin".into(), "--tz".into())));
        assert_eq!(name(time_zone(None, Some(&f), Some("UTC"))), Ok(("Asia/Shanghai".into(), "config.json".into())));
        assert_eq!(
            name(time_zone(None, None, Some(":America/New_York"))),
            Ok(("America/New_York".into(), "TZ".into()))
        );
        // a TZ that names no zone (a POSIX rule, a path) is passed over
        assert_eq!(name(time_zone(None, None, Some("EST5EDT,M3.2.0,M11.1.0"))), Ok(("UTC".into(), "default".into())));
        assert!(time_zone(Some("Moon/Base"), None, None).unwrap_err().contains("not a time zone"));
        f.tz = Some("Nowhere".into());
        assert!(time_zone(None, Some(&f), None).unwrap_err().starts_with("config.json tz:"));
    }

    #[test]
    fn a_flag_beats_the_environment_which_beats_the_file() {
        let env =
            env_of(&[(ENV_BACKEND, "https://10.0.0.2:8443"), (ENV_TOKEN, "env-token"), (ENV_CA_CERT, "/env/ca.pem")]);
        let flags = Flags {
            backend: Some("https://10.0.0.1:8443".into()),
            token: Some("flag-token".into()),
            ca_cert: Some("/flag/ca.pem".into()),
        };
        let s = resolve(&flags, &env, Some(&file())).unwrap();
        assert_eq!(s.backend.as_str(), "https://10.0.0.1:8443/");
        assert_eq!((s.backend_from, s.token_from), (Source::Flag, Source::Flag));
        assert_eq!(s.token.expose(), "flag-token");
        assert_eq!(s.ca_cert.as_deref(), Some(Path::new("/flag/ca.pem")));

        let s = resolve(&Flags::default(), &env, Some(&file())).unwrap();
        assert_eq!(s.backend.host_str(), Some("10.0.0.2"));
        assert_eq!((s.backend_from, s.token_from), (Source::Env, Source::Env));
        assert_eq!(s.token.expose(), "env-token");
        assert_eq!(s.ca_cert.as_deref(), Some(Path::new("/env/ca.pem")));

        let s = resolve(&Flags::default(), &env_of(&[]), Some(&file())).unwrap();
        assert_eq!(s.backend.host_str(), Some("10.0.0.3"));
        assert_eq!((s.backend_from, s.token_from), (Source::File, Source::File));
        assert_eq!(s.token.expose(), "file-token");
        assert_eq!(s.ca_cert.as_deref(), Some(Path::new("/file/ca.pem")));

        // Each setting is picked on its own: a flag for one, the file for another.
        let flags = Flags { token: Some("flag-token".into()), ..Flags::default() };
        let s = resolve(&flags, &env_of(&[(ENV_BACKEND, "https://10.0.0.2:8443")]), Some(&file())).unwrap();
        assert_eq!((s.backend_from, s.token_from), (Source::Env, Source::Flag));
        assert_eq!(s.ca_cert.as_deref(), Some(Path::new("/file/ca.pem")));
        // An empty variable counts as unset.
        let s = resolve(&Flags::default(), &env_of(&[(ENV_TOKEN, "  ")]), Some(&file())).unwrap();
        assert_eq!(s.token_from, Source::File);
    }

    #[test]
    fn the_retry_delay_comes_from_the_environment() {
        use std::time::Duration;
        let with = |delay: Option<&str>| {
            let delay = delay.map(str::to_owned);
            let env = move |k: &str| match k {
                ENV_BACKEND => Some("https://10.0.0.2".to_owned()),
                ENV_TOKEN => Some("t".to_owned()),
                ENV_RETRY_DELAY_MS => delay.clone(),
                _ => None,
            };
            resolve(&Flags::default(), &env, None)
        };
        assert_eq!(with(None).unwrap().backoff, super::super::Backoff::default());
        assert_eq!(
            with(Some("3")).unwrap().backoff.schedule(),
            [3, 6, 12, 24].map(Duration::from_millis),
            "the first wait is set, the rest follow from it"
        );
        assert_eq!(with(Some("9000")).unwrap().backoff.delay(1, None), Some(Duration::from_secs(9)));
        let e = with(Some("soon")).unwrap_err().to_string();
        assert!(e.contains(ENV_RETRY_DELAY_MS) && e.contains("milliseconds"), "{e}");
    }

    #[test]
    fn missing_settings_say_how_to_give_them() {
        let e = resolve(&Flags::default(), &env_of(&[]), None).unwrap_err().to_string();
        assert!(e.contains("--backend") && e.contains("CHANWIZ_BACKEND"), "{e}");
        let e =
            resolve(&Flags::default(), &env_of(&[(ENV_BACKEND, "https://10.0.0.2")]), None).unwrap_err().to_string();
        assert!(e.contains("--token") && e.contains("CHANWIZ_TOKEN"), "{e}");
        let e = resolve(&Flags::default(), &env_of(&[(ENV_BACKEND, "https://10.0.0.2"), (ENV_TOKEN, "a b")]), None)
            .unwrap_err();
        assert!(!e.to_string().contains("a b"), "{e}");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://[::1]:9000/",
            "http://localhost:1",
            "https://10.1.2.3:8443",
            "https://example.org/chanwiz/",
        ] {
            assert!(parse_backend(ok).is_ok(), "{ok}");
        }
        let e = parse_backend("http://10.1.2.3:8080").unwrap_err();
        assert!(e.contains("only to this machine") && e.contains("https://"), "{e}");
        assert!(parse_backend("http://127.0.0.1.example.com").is_err());
        assert!(parse_backend("ftp://127.0.0.1").is_err());
        assert!(parse_backend("https://user:pw@10.0.0.1").unwrap_err().contains("credentials"));
        assert!(parse_backend("10.0.0.1:8443").unwrap_err().contains("write https://10.0.0.1:8443"));
        assert!(parse_backend("localhost:8080").unwrap_err().contains("no scheme"));
        assert_eq!(parse_backend("https://h.example/api/").unwrap().path(), "/api");
    }

    #[test]
    fn a_refused_url_with_a_password_is_not_echoed() {
        let flags = Flags { backend: Some("https://admin:hunter2@10.0.0.1:8443".into()), ..Flags::default() };
        let e = resolve_backend(&flags, &|_| None, None).unwrap_err().to_string();
        assert!(e.contains("credentials") && e.contains("10.0.0.1:8443"), "{e}");
        assert!(!e.contains("hunter2") && !e.contains("admin"), "{e}");
    }

    #[test]
    fn the_config_file_is_private_and_round_trips() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let paths = Paths::under(root.path());
        assert_eq!(FileConfig::load(&paths).unwrap(), None);
        let written = file().save(&paths).unwrap();
        assert_eq!(std::fs::metadata(&written).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&paths.config).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(FileConfig::load(&paths).unwrap(), Some(file()));
        // A broken file names its place but never quotes its content.
        std::fs::write(&written, br#"{"token": 12, "backend": "x", "tokn": "leaky-secret"}"#).unwrap();
        let e = FileConfig::load(&paths).unwrap_err().to_string();
        assert!(e.contains("config.json line 1"), "{e}");
        assert!(!e.contains("leaky-secret"), "{e}");
        assert!(!format!("{:?}", file()).contains("file-token"));
    }
}
