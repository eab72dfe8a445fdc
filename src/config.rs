//! Settings: the documented defaults in `config/default.toml`, overridden key by key by the user's file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::secrets::{hidden, redact_url};

/// The documented defaults, compiled in so that the program runs without any file on disk.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid TOML or has a wrong value: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("config file {path}: `{key}` {problem}")]
    Invalid {
        path: PathBuf,
        key: &'static str,
        problem: String,
    },
    #[error("cannot write config file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub recognition: RecognitionConfig,
    pub models: ModelsConfig,
    pub runtime: RuntimeConfig,
    pub database: DatabaseConfig,
    pub kiosk: KioskConfig,
    pub display: DisplayConfig,
    pub api: ApiConfig,
    /// `[[webhook]]` entries: where events are POSTed.
    #[serde(default)]
    pub webhook: Vec<WebhookConfig>,
    pub mqtt: MqttConfig,
    pub fleet: FleetConfig,
    pub backup: BackupConfig,
}

/// The fleet's shared PostgreSQL store (`url` empty and no `FRONTDESK_FLEET_URL`: stand-alone).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetConfig {
    /// `postgresql://user@host:port/database?sslmode=require`.
    pub url: String,
    /// Overrides a password in `url`; never written in logs.
    pub password: String,
    /// This kiosk's name in the fleet (empty: the computer's host name).
    pub kiosk: String,
    /// A PEM file with the certificate authority of the server's TLS certificate (a private CA);
    /// empty: the public web's authorities.
    pub ca_file: PathBuf,
    /// A full exchange at least this often, even when no notification arrives.
    pub sync_seconds: u32,
}

impl FleetConfig {
    /// This kiosk's name: `kiosk`, or else the computer's host name. Its backups carry it too.
    pub fn kiosk_name(&self) -> String {
        let configured = self.kiosk.trim();
        if !configured.is_empty() {
            return configured.to_owned();
        }
        std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "kiosk".to_owned())
    }
}

/// Written by hand so that the password (also one inside the URL) never reaches a log line.
impl std::fmt::Debug for FleetConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetConfig")
            .field("url", &redact_url(&self.url))
            .field("password", &hidden(&self.password))
            .field("kiosk", &self.kiosk)
            .field("ca_file", &self.ca_file)
            .field("sync_seconds", &self.sync_seconds)
            .finish()
    }
}

/// Scheduled backups (`dir` empty: none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupConfig {
    pub dir: PathBuf,
    pub every_hours: u32,
    pub keep: u32,
    /// A file whose first line is the passphrase that encrypts the backups ("" = not encrypted).
    pub passphrase_file: PathBuf,
}

impl BackupConfig {
    pub fn enabled(&self) -> bool {
        !self.dir.as_os_str().is_empty()
    }

    /// The passphrase from `passphrase_file`, if one is set.
    pub fn passphrase(&self) -> std::io::Result<Option<age::secrecy::SecretString>> {
        if self.passphrase_file.as_os_str().is_empty() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&self.passphrase_file)?;
        let line = text
            .lines()
            .next()
            .unwrap_or_default()
            .trim_end_matches('\r');
        if line.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the passphrase file's first line is empty",
            ));
        }
        Ok(Some(line.to_owned().into()))
    }
}

/// The MQTT broker events go to (`url` empty: none).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttConfig {
    pub url: String,
    pub username: String,
    pub password: String,
    /// This kiosk's name in topics: `frontdesk/<kiosk>/…`.
    pub kiosk: String,
    pub discovery_prefix: String,
}

/// Written by hand so that the password never reaches a log line.
impl std::fmt::Debug for MqttConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MqttConfig")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &hidden(&self.password))
            .field("kiosk", &self.kiosk)
            .field("discovery_prefix", &self.discovery_prefix)
            .finish()
    }
}

/// One receiver of events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// Key of the HMAC-SHA256 signature of each body.
    pub secret: String,
    /// Which events to send; empty sends all.
    #[serde(default)]
    pub events: Vec<EventKind>,
}

/// An event of the recognition loop, as `webhook.events` names it (the `event` of its JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Arrived,
    Recognized,
    Unknown,
    Left,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::Arrived,
        EventKind::Recognized,
        EventKind::Unknown,
        EventKind::Left,
    ];

    /// As the config file and the events' JSON write it.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Arrived => "arrived",
            EventKind::Recognized => "recognized",
            EventKind::Unknown => "unknown",
            EventKind::Left => "left",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Where the kiosk window serves the HTTP API ("" = not at all); `serve` uses it as its default.
    pub listen: String,
    /// Listening beyond this computer must be asked for explicitly.
    pub allow_remote: bool,
    /// Largest request body accepted, in megabytes.
    pub max_body_mb: u32,
}

impl ApiConfig {
    /// The address `text` names (`listen`, or `serve --listen`); refused when it is not this
    /// computer and `allow_remote` is off.
    pub fn listen_address(&self, text: &str) -> Result<std::net::SocketAddr, String> {
        let text = text.trim();
        let address: std::net::SocketAddr = text
            .parse()
            .map_err(|_| format!("`{text}` is not an address such as 127.0.0.1:8765"))?;
        if !address.ip().is_loopback() && !self.allow_remote {
            return Err(format!(
                "listening on {address} would expose the API beyond this computer; set \
                 api.allow_remote = true (and put it behind a TLS reverse proxy) to do that"
            ));
        }
        Ok(address)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecognitionConfig {
    pub threshold: f32,
    pub margin: f32,
    pub max_strangers_named: f64,
    pub regular_days: u32,
    pub detection_score: f32,
    pub min_face_px: u32,
    pub max_detect_side: u32,
    pub max_faces_per_frame: u32,
    pub detect_every_frame: bool,
    pub learn_looks: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsConfig {
    pub detector: PathBuf,
    pub embedder: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeConfig {
    pub threads: usize,
    pub onnxruntime: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskConfig {
    pub source: String,
    pub camera_width: u32,
    pub camera_height: u32,
    pub camera_format: PixelFormat,
    pub images_fps: f32,
    pub visit_cooldown_minutes: u32,
    pub retention_days: u32,
    pub votes_needed: u32,
    pub fullscreen: bool,
    pub require_consent: bool,
    pub greeting_details: GreetingDetails,
    pub capture_needs_pin: bool,
}

/// Which of a visitor's details the public greeting shows (`kiosk.greeting_details`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GreetingDetails {
    /// `false`: none (the default, since the screen faces whoever stands at the desk); `true`:
    /// every detail and the groups' check-ins, for a screen only staff see.
    All(bool),
    /// Only the details of these names, matched without regard to case; `"groups"` stands for the
    /// groups' check-ins ("on time for Class 5B").
    Named(Vec<String>),
}

impl Default for GreetingDetails {
    fn default() -> Self {
        Self::All(false)
    }
}

impl GreetingDetails {
    /// The name that stands for the groups' check-ins in a list.
    pub const GROUPS: &str = "groups";

    /// Whether the detail named `name` is shown.
    pub fn shows(&self, name: &str) -> bool {
        match self {
            Self::All(all) => *all,
            Self::Named(names) => names
                .iter()
                .any(|n| n.trim().eq_ignore_ascii_case(name.trim())),
        }
    }

    /// Whether the groups' check-ins are shown.
    pub fn shows_check_ins(&self) -> bool {
        self.shows(Self::GROUPS)
    }

    /// Whether anything beyond the name and visits is shown.
    pub fn shows_any(&self) -> bool {
        match self {
            Self::All(all) => *all,
            Self::Named(names) => !names.is_empty(),
        }
    }
}

/// The pixel format asked of a webcam (`kiosk.camera_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PixelFormat {
    /// MJPEG, else YUYV.
    Any,
    Yuyv,
    Mjpeg,
}

impl PixelFormat {
    pub const ALL: [PixelFormat; 3] = [PixelFormat::Any, PixelFormat::Yuyv, PixelFormat::Mjpeg];

    /// As the config file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            PixelFormat::Any => "any",
            PixelFormat::Yuyv => "yuyv",
            PixelFormat::Mjpeg => "mjpeg",
        }
    }
}

/// How the window looks and speaks: what the public sees, and the staff's diagnostic overlay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplayConfig {
    pub language: Language,
    pub theme: ColourScheme,
    pub high_contrast: bool,
    /// Multiplies every text size (accessibility).
    pub font_scale: f32,
    /// The attract screen's title while nobody is in view.
    pub shop_name: String,
    /// The attract screen's line under the title; empty: the language's own welcome.
    pub welcome_text: String,
    /// A PNG or JPEG shown on the attract screen; empty: none.
    pub logo: PathBuf,
    /// Similarity scores over the faces and under the greeting, for staff tuning the threshold.
    pub diagnostic_overlay: bool,
}

/// A language the window speaks (`display.language`), written in the config by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Language {
    #[serde(rename = "en")]
    English,
    #[serde(rename = "de")]
    German,
    #[serde(rename = "es")]
    Spanish,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::English, Language::German, Language::Spanish];

    /// Its code, as the config file writes it.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
            Language::Spanish => "es",
        }
    }
}

/// The window's look (`display.theme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColourScheme {
    Dark,
    Light,
}

impl ColourScheme {
    pub const ALL: [ColourScheme; 2] = [ColourScheme::Dark, ColourScheme::Light];
}

/// The window's font scale range (`display.font_scale`).
pub const FONT_SCALES: std::ops::RangeInclusive<f32> = 0.75..=2.0;

impl RecognitionConfig {
    /// How similarities become names, wherever a face is matched (window, `watch`, `serve`, the
    /// API, enrolment and import).
    pub fn match_policy(&self) -> crate::gallery::MatchPolicy {
        crate::gallery::MatchPolicy {
            threshold: self.threshold,
            margin: self.margin,
            max_strangers_named: (self.max_strangers_named > 0.0)
                .then_some(self.max_strangers_named),
            regular_days: self.regular_days,
        }
    }
}

impl Config {
    /// The built-in defaults alone.
    pub fn defaults() -> Result<Self, ConfigError> {
        Self::from_layers(&[(Path::new("<built-in defaults>"), DEFAULT_TOML)])
    }

    /// Defaults overridden by `user_file` when it exists. A missing user file is not an error.
    pub fn load(user_file: Option<&Path>) -> Result<Self, ConfigError> {
        let Some(path) = user_file else {
            return Self::defaults();
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_layers(&[
                (Path::new("<built-in defaults>"), DEFAULT_TOML),
                (path, text.as_str()),
            ]),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::defaults(),
            Err(source) => Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// The user's config file: `$XDG_CONFIG_HOME/frontdesk/config.toml`.
    pub fn user_file() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "frontdesk")
            .map(|dirs| dirs.config_dir().join("config.toml"))
    }

    fn from_layers(layers: &[(&Path, &str)]) -> Result<Self, ConfigError> {
        let mut merged = toml::Table::new();
        let mut last_path = Path::new("<built-in defaults>");
        for (path, text) in layers {
            let table: toml::Table =
                text.parse()
                    .map_err(|e: toml::de::Error| ConfigError::Parse {
                        path: path.to_path_buf(),
                        message: e.message().to_owned(),
                    })?;
            merge_tables(&mut merged, table);
            last_path = path;
        }
        let config: Config =
            toml::Value::Table(merged)
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::Parse {
                    path: last_path.to_path_buf(),
                    message: e.to_string().replace('\n', " "),
                })?;
        config.validate(last_path)?;
        Ok(config)
    }

    /// Each section checks its own values; the first refused is reported with the file.
    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let check = || -> Result<(), Refused> {
            for hook in &self.webhook {
                hook.check()?;
            }
            self.mqtt.check()?;
            self.fleet.check()?;
            self.backup.check()?;
            self.api.check()?;
            self.recognition.check()?;
            self.runtime.check()?;
            self.display.check()?;
            self.kiosk.check()
        };
        check().map_err(|refused| ConfigError::Invalid {
            path: path.to_path_buf(),
            key: refused.key,
            problem: refused.problem.to_owned(),
        })
    }

    /// Threads for ONNX Runtime: the configured count, or one per core.
    pub fn inference_threads(&self) -> usize {
        match self.runtime.threads {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            n => n,
        }
    }

    /// Writes the settings a user changed in the kiosk to their config file.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let write_err = |source| ConfigError::Write {
            path: path.to_path_buf(),
            source,
        };
        let text = toml::to_string_pretty(self).map_err(|e| {
            write_err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                e.to_string(),
            ))
        })?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(write_err)?;
        }
        crate::atomic_file::write_atomic(path, 0o600, |file| {
            std::io::Write::write_all(file, text.as_bytes())
        })
        .map_err(write_err)
    }
}

/// A value a section refuses: its key and what is wrong with it.
struct Refused {
    key: &'static str,
    problem: &'static str,
}

/// Nothing when `holds`, else `key` refused for `problem`.
fn require(holds: bool, key: &'static str, problem: &'static str) -> Result<(), Refused> {
    if holds {
        Ok(())
    } else {
        Err(Refused { key, problem })
    }
}

impl WebhookConfig {
    fn check(&self) -> Result<(), Refused> {
        require(
            self.url.starts_with("http://") || self.url.starts_with("https://"),
            "webhook.url",
            "must start with http:// or https://",
        )?;
        require(
            self.secret.trim().len() >= 16,
            "webhook.secret",
            "must be at least 16 characters (receivers check the signature with it)",
        )
    }
}

impl MqttConfig {
    fn check(&self) -> Result<(), Refused> {
        let in_topics = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        require(
            !self.kiosk.is_empty() && self.kiosk.chars().all(in_topics),
            "mqtt.kiosk",
            "must be letters, digits, - and _ (it is part of MQTT topics)",
        )?;
        require(
            self.url.is_empty() || self.url.starts_with("mqtt://"),
            "mqtt.url",
            "must start with mqtt:// (or be empty)",
        )
    }
}

impl FleetConfig {
    fn check(&self) -> Result<(), Refused> {
        let postgres_url =
            self.url.starts_with("postgresql://") || self.url.starts_with("postgres://");
        require(
            self.url.is_empty() || postgres_url,
            "fleet.url",
            "must start with postgresql:// (or be empty for a stand-alone kiosk)",
        )?;
        require(
            (1..=3600).contains(&self.sync_seconds),
            "fleet.sync_seconds",
            "must be between 1 and 3600",
        )?;
        require(
            !self.kiosk.chars().any(char::is_control) && self.kiosk.len() <= 64,
            "fleet.kiosk",
            "must be a plain name of at most 64 characters",
        )
    }
}

impl BackupConfig {
    fn check(&self) -> Result<(), Refused> {
        require(
            (1..=8760).contains(&self.every_hours),
            "backup.every_hours",
            "must be between 1 and 8760",
        )?;
        require(
            (1..=1000).contains(&self.keep),
            "backup.keep",
            "must be between 1 and 1000",
        )
    }
}

impl ApiConfig {
    fn check(&self) -> Result<(), Refused> {
        require(
            (1..=1024).contains(&self.max_body_mb),
            "api.max_body_mb",
            "must be between 1 and 1024",
        )
    }
}

impl RecognitionConfig {
    fn check(&self) -> Result<(), Refused> {
        require(
            (0.0..=1.0).contains(&self.threshold),
            "recognition.threshold",
            "must be between 0.0 and 1.0",
        )?;
        require(
            (0.0..=1.0).contains(&self.margin),
            "recognition.margin",
            "must be between 0.0 and 1.0",
        )?;
        require(
            (0.0..0.5).contains(&self.max_strangers_named),
            "recognition.max_strangers_named",
            "must be at least 0 and under 0.5 (0.001 is one stranger in a thousand; 0 turns it off)",
        )?;
        require(
            self.regular_days <= 3650,
            "recognition.regular_days",
            "must be between 0 and 3650 days (0 holds everyone to the whole gallery's bar)",
        )?;
        require(
            (0.05..=1.0).contains(&self.detection_score),
            "recognition.detection_score",
            "must be between 0.05 and 1.0",
        )?;
        require(
            (8..=1024).contains(&self.min_face_px),
            "recognition.min_face_px",
            "must be between 8 and 1024",
        )?;
        require(
            (320..=8192).contains(&self.max_detect_side),
            "recognition.max_detect_side",
            "must be between 320 and 8192",
        )?;
        require(
            (1..=256).contains(&self.max_faces_per_frame),
            "recognition.max_faces_per_frame",
            "must be between 1 and 256",
        )
    }
}

impl RuntimeConfig {
    fn check(&self) -> Result<(), Refused> {
        require(
            self.threads <= 256,
            "runtime.threads",
            "must be between 0 and 256",
        )
    }
}

impl DisplayConfig {
    fn check(&self) -> Result<(), Refused> {
        require(
            FONT_SCALES.contains(&self.font_scale),
            "display.font_scale",
            "must be between 0.75 and 2.0",
        )
    }
}

impl KioskConfig {
    fn check(&self) -> Result<(), Refused> {
        require(
            self.images_fps > 0.0 && self.images_fps <= 240.0,
            "kiosk.images_fps",
            "must be above 0 and at most 240",
        )?;
        require(
            self.retention_days <= 36_500,
            "kiosk.retention_days",
            "must be between 0 (keep forever) and 36500",
        )?;
        require(
            (1..=30).contains(&self.votes_needed),
            "kiosk.votes_needed",
            "must be between 1 and 30",
        )?;
        require(
            (16..=7680).contains(&self.camera_width) && (16..=4320).contains(&self.camera_height),
            "kiosk.camera_width",
            "camera size must be between 16x16 and 7680x4320",
        )
    }
}

fn merge_tables(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(base_sub)), toml::Value::Table(over_sub)) => {
                merge_tables(base_sub, over_sub);
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_validate() {
        let config = Config::defaults().unwrap();
        assert_eq!(config.recognition.threshold, 0.45);
        assert_eq!(config.kiosk.visit_cooldown_minutes, 30);
    }

    #[test]
    fn user_file_overrides_single_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[recognition]\nthreshold = 0.5\n").unwrap();
        let config = Config::load(Some(&path)).unwrap();
        assert_eq!(config.recognition.threshold, 0.5);
        assert_eq!(config.recognition.margin, 0.05);
    }

    #[test]
    fn out_of_range_value_names_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[recognition]\nthreshold = 3.0\n").unwrap();
        let message = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(message.contains("recognition.threshold"), "{message}");
    }

    #[test]
    fn every_section_refuses_a_bad_value_naming_the_file_and_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        for (text, key) in [
            (
                "[[webhook]]\nurl = \"ftp://x\"\nsecret = \"0123456789abcdef\"\n",
                "webhook.url",
            ),
            ("[mqtt]\nkiosk = \"front desk\"\n", "mqtt.kiosk"),
            ("[fleet]\nsync_seconds = 0\n", "fleet.sync_seconds"),
            ("[backup]\nkeep = 0\n", "backup.keep"),
            ("[api]\nmax_body_mb = 2048\n", "api.max_body_mb"),
            (
                "[recognition]\nmin_face_px = 4\n",
                "recognition.min_face_px",
            ),
            ("[runtime]\nthreads = 1000\n", "runtime.threads"),
            ("[display]\nfont_scale = 0.5\n", "display.font_scale"),
            ("[kiosk]\nvotes_needed = 0\n", "kiosk.votes_needed"),
        ] {
            std::fs::write(&path, text).unwrap();
            let message = Config::load(Some(&path)).unwrap_err().to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(message.contains(&format!("`{key}`")), "{message}");
        }
    }

    #[test]
    fn wrong_type_and_unknown_key_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[recognition]\nthreshold = \"high\"\n").unwrap();
        let message = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(message.contains("threshold"), "{message}");
        std::fs::write(&path, "[kiosk]\nsorce = \"demo\"\n").unwrap();
        let message = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(message.contains("sorce"), "{message}");
    }

    #[test]
    fn greeting_details_are_all_none_or_a_list_of_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[kiosk]\ngreeting_details = [\"Coffee\", \"groups\"]\n",
        )
        .unwrap();
        let details = Config::load(Some(&path)).unwrap().kiosk.greeting_details;
        assert!(details.shows("coffee") && details.shows_check_ins());
        assert!(!details.shows("phone"));
        std::fs::write(&path, "[kiosk]\ngreeting_details = true\n").unwrap();
        let details = Config::load(Some(&path)).unwrap().kiosk.greeting_details;
        assert!(details.shows("phone") && details.shows_check_ins());
        assert!(
            !Config::defaults()
                .unwrap()
                .kiosk
                .greeting_details
                .shows_any()
        );
        std::fs::write(&path, "[kiosk]\ngreeting_details = \"coffee\"\n").unwrap();
        let message = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(message.contains("greeting_details"), "{message}");
    }

    #[test]
    fn corrupt_file_is_a_parse_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, [0xff, 0xfe, 0x00, b'[']).unwrap();
        assert!(Config::load(Some(&path)).is_err());
    }

    #[test]
    fn display_settings_are_checked_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[display]\nlanguage = \"de\"\nfont_scale = 1.5\n").unwrap();
        let config = Config::load(Some(&path)).unwrap();
        assert_eq!(config.display.language, Language::German);
        assert_eq!(config.display.theme, ColourScheme::Dark);
        for (text, key, allowed) in [
            (
                "[display]\nlanguage = \"fr\"\n",
                "display.language",
                "`en`, `de`, `es`",
            ),
            (
                "[display]\ntheme = \"blue\"\n",
                "display.theme",
                "`dark` or `light`",
            ),
            (
                "[display]\nfont_scale = 5.0\n",
                "display.font_scale",
                "0.75 and 2.0",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let message = Config::load(Some(&path)).unwrap_err().to_string();
            assert!(message.contains(key), "{message}");
            assert!(message.contains(allowed), "{message}");
        }
    }

    #[test]
    fn a_value_off_its_list_is_refused_naming_the_file_the_key_and_the_values_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let hook =
            "[[webhook]]\nurl = \"https://crm.example.com/hook\"\nsecret = \"0123456789abcdef\"\n";
        for (text, key, allowed) in [
            (
                "[kiosk]\ncamera_format = \"h264\"\n".to_owned(),
                "kiosk.camera_format",
                "`any`, `yuyv`, `mjpeg`",
            ),
            (
                format!("{hook}events = [\"recognized\", \"gone\"]\n"),
                "webhook.events",
                "`arrived`, `recognized`, `unknown`, `left`",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let message = Config::load(Some(&path)).unwrap_err().to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(message.contains(key), "{message}");
            assert!(message.contains(allowed), "{message}");
        }
    }

    #[test]
    fn files_keep_the_words_they_always_had_for_listed_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[kiosk]\ncamera_format = \"mjpeg\"\n[display]\nlanguage = \"es\"\ntheme = \"light\"\n\
             [[webhook]]\nurl = \"https://crm.example.com/hook\"\nsecret = \"0123456789abcdef\"\n\
             events = [\"arrived\", \"left\"]\n",
        )
        .unwrap();
        let mut config = Config::load(Some(&path)).unwrap();
        assert_eq!(config.kiosk.camera_format, PixelFormat::Mjpeg);
        assert_eq!(config.display.language, Language::Spanish);
        assert_eq!(config.display.theme, ColourScheme::Light);
        assert_eq!(
            config.webhook[0].events,
            [EventKind::Arrived, EventKind::Left]
        );
        // What the settings menus show is what the file says.
        for (language, format) in Language::ALL.into_iter().zip(PixelFormat::ALL) {
            config.display.language = language;
            config.kiosk.camera_format = format;
            config.save(&path).unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.contains(&format!("language = \"{}\"", language.code())),
                "{text}"
            );
            assert!(
                text.contains(&format!("camera_format = \"{}\"", format.as_str())),
                "{text}"
            );
            assert_eq!(Config::load(Some(&path)).unwrap(), config);
        }
        // The events' JSON names each kind as the file does.
        for kind in EventKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }

    #[test]
    fn saved_config_loads_back_equal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let mut config = Config::defaults().unwrap();
        config.kiosk.visit_cooldown_minutes = 5;
        config.display.language = Language::Spanish;
        config.display.high_contrast = true;
        config.save(&path).unwrap();
        assert_eq!(Config::load(Some(&path)).unwrap(), config);
    }
}
