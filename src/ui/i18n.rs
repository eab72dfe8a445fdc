//! The window's text in the chosen language, from the Fluent files in `src/ui/locales/`.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

pub use crate::config::Language;

// What the window needs of a language beyond the config's list of them.
impl Language {
    /// Its name in itself, as a language menu shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::German => "Deutsch",
            Language::Spanish => "Español",
        }
    }

    /// The translation file's text.
    pub fn source(self) -> &'static str {
        match self {
            Language::English => include_str!("locales/en.ftl"),
            Language::German => include_str!("locales/de.ftl"),
            Language::Spanish => include_str!("locales/es.ftl"),
        }
    }

    /// Date and time as people of the language write them (numeric where jiff would print English
    /// day and month names).
    fn date_time_pattern(self) -> &'static str {
        match self {
            Language::English => "%a %-d %b %Y, %H:%M",
            Language::German => "%d.%m.%Y, %H:%M",
            Language::Spanish => "%d/%m/%Y, %H:%M",
        }
    }

    /// A calendar day alone (English keeps the ISO form staff type into the date fields).
    fn date_pattern(self) -> &'static str {
        match self {
            Language::English => "%Y-%m-%d",
            Language::German => "%d.%m.%Y",
            Language::Spanish => "%d/%m/%Y",
        }
    }

    /// Day and month, short enough for a chart's axis.
    fn day_month_pattern(self) -> &'static str {
        match self {
            Language::English => "%d %b",
            Language::German => "%d.%m.",
            Language::Spanish => "%d/%m",
        }
    }
}

/// The messages of one language.
pub struct Texts {
    language: Language,
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Texts")
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

impl Texts {
    pub fn new(language: Language) -> Self {
        let resource = FluentResource::try_new(language.source().to_owned()).unwrap_or_else(
            |(resource, errors)| {
                // A test parses every file; a slip in one is logged and its good messages kept.
                tracing::error!(
                    language = language.code(),
                    ?errors,
                    "translation file has errors"
                );
                resource
            },
        );
        let id = unic_langid::LanguageIdentifier::from_bytes(language.code().as_bytes())
            .unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Unicode isolation marks would show as boxes in egui's fonts and break label lookups.
        bundle.set_use_isolating(false);
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(
                language = language.code(),
                ?errors,
                "translation file has duplicates"
            );
        }
        Self { language, bundle }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// The message `id`; a missing one shows its id (and is logged) rather than nothing.
    pub fn get(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with its variables, e.g. `("name", "Sam".into())`.
    pub fn with(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(id, Some(&fluent_args))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(language = self.language.code(), id, "no translation");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(
                language = self.language.code(),
                id,
                ?errors,
                "translation needs other variables"
            );
        }
        text.into_owned()
    }

    /// A moment (ms since the epoch) in the kiosk's time zone, in the language's format.
    pub fn date_time(&self, ms: i64) -> String {
        self.local(ms, self.language.date_time_pattern())
    }

    /// The time of day of a moment (ms since the epoch) in the kiosk's time zone, e.g. "14:05".
    pub fn clock(&self, ms: i64) -> String {
        self.local(ms, "%H:%M")
    }

    /// A calendar day in the language's format.
    pub fn date(&self, date: jiff::civil::Date) -> String {
        date.strftime(self.language.date_pattern()).to_string()
    }

    /// A calendar day's day and month, for a chart's axis.
    pub fn day_month(&self, date: jiff::civil::Date) -> String {
        date.strftime(self.language.day_month_pattern()).to_string()
    }

    fn local(&self, ms: i64, pattern: &str) -> String {
        jiff::Timestamp::from_millisecond(ms).map_or_else(
            |_| self.get("date-unknown"),
            |moment| {
                moment
                    .to_zoned(jiff::tz::TimeZone::system())
                    .strftime(pattern)
                    .to_string()
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids a translation file defines (messages, not terms or comments).
    fn message_ids(source: &str) -> Vec<&str> {
        source
            .lines()
            .filter(|line| line.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|line| line.split_once(" ="))
            .map(|(id, _)| id.trim())
            .collect()
    }

    #[test]
    fn every_file_parses_and_has_every_message_of_the_others() {
        let english = message_ids(Language::English.source());
        assert!(english.len() > 50, "{}", english.len());
        for language in Language::ALL {
            let source = language.source();
            let parsed = FluentResource::try_new(source.to_owned());
            assert!(
                parsed.is_ok(),
                "{language:?}: {:?}",
                parsed.err().map(|e| e.1)
            );
            let ids = message_ids(source);
            let mut unique = ids.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), ids.len(), "{language:?} repeats an id");
            let missing: Vec<_> = english.iter().filter(|id| !ids.contains(id)).collect();
            let extra: Vec<_> = ids.iter().filter(|id| !english.contains(id)).collect();
            assert!(missing.is_empty(), "{language:?} lacks {missing:?}");
            assert!(extra.is_empty(), "{language:?} has unknown {extra:?}");
        }
    }

    #[test]
    fn every_message_formats_without_errors_in_every_language() {
        let args = FluentArgs::from_iter([
            ("name", FluentValue::from("Sam")),
            ("count", FluentValue::from(3)),
            ("group", FluentValue::from("Class 5B")),
            ("when", FluentValue::from("24.11.2026, 14:05")),
            ("message", FluentValue::from("busy")),
            ("similarity", FluentValue::from("0.71")),
            ("path", FluentValue::from("/tmp/x")),
            ("tries", FluentValue::from(2)),
            ("verdict", FluentValue::from("would be recognised")),
            ("fps", FluentValue::from("25.0")),
            ("ms", FluentValue::from("8")),
            ("dropped", FluentValue::from("3")),
            ("frames", FluentValue::from("900")),
            ("photos", FluentValue::from(1)),
            ("visits", FluentValue::from(14)),
            ("consent", FluentValue::from("24.11.2026, 14:05")),
            ("id", FluentValue::from(12)),
            ("source", FluentValue::from("kiosk:auto")),
            ("text", FluentValue::from("28/11")),
            ("first", FluentValue::from(2)),
            ("returning", FluentValue::from(5)),
            ("from", FluentValue::from("2026-11-23")),
            ("to", FluentValue::from("2026-11-28")),
            ("how", FluentValue::from("scheduled")),
            ("present", FluentValue::from(12)),
            ("late", FluentValue::from(1)),
            ("absent", FluentValue::from(2)),
            ("days", FluentValue::from(1)),
            ("time", FluentValue::from("08:55")),
            ("attended", FluentValue::from(4)),
            ("detail", FluentValue::from("database is locked")),
            ("reason", FluentValue::from("no face found")),
            ("size", FluentValue::from(42)),
            ("min", FluentValue::from(60)),
            ("sessions", FluentValue::from(5)),
            ("percent", FluentValue::from("80")),
            ("date", FluentValue::from("2026-11-23")),
            ("done", FluentValue::from(3)),
            ("total", FluentValue::from(10)),
            ("imported", FluentValue::from(2)),
            ("already", FluentValue::from(0)),
            ("refused", FluentValue::from(1)),
            ("names", FluentValue::from("Ann, Bo")),
            ("health", FluentValue::from("last backup 3 h ago")),
            ("age", FluentValue::from("3 h")),
            ("waiting", FluentValue::from(3)),
            ("behind", FluentValue::from(4)),
            ("people", FluentValue::from(1000)),
            ("bar", FluentValue::from("0.53")),
        ]);
        for language in Language::ALL {
            let texts = Texts::new(language);
            for id in message_ids(language.source()) {
                let message = texts.bundle.get_message(id).and_then(|m| m.value());
                let Some(pattern) = message else {
                    panic!("{language:?} {id} has no value");
                };
                let mut errors = Vec::new();
                let text = texts
                    .bundle
                    .format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{language:?} {id}: {errors:?}");
                assert!(!text.trim().is_empty(), "{language:?} {id} is empty");
            }
        }
    }

    #[test]
    fn variables_and_plurals_are_the_translations_and_dates_follow_the_language() {
        let german = Texts::new(Language::German);
        assert_eq!(
            german.with("greeting-welcome-back", &[("name", "Sam".into())]),
            "Willkommen zurück, Sam!"
        );
        let english = Texts::new(Language::English);
        assert_eq!(english.get("no-such-message"), "no-such-message");
        // Noon on the 24th in the machine's zone (dates are shown in it), so the day is the 24th
        // wherever the test runs.
        let noon = jiff::civil::date(2026, 11, 24)
            .at(12, 0, 0, 0)
            .to_zoned(jiff::tz::TimeZone::system())
            .unwrap()
            .timestamp()
            .as_millisecond();
        assert!(
            german.date_time(noon).starts_with("24.11.2026"),
            "{}",
            german.date_time(noon)
        );
        let spanish = Texts::new(Language::Spanish);
        assert!(spanish.date_time(noon).starts_with("24/11/2026"));
        assert!(english.date_time(noon).contains("24 Nov 2026"));
        let day = jiff::civil::date(2026, 11, 24);
        assert_eq!(english.date(day), "2026-11-24");
        assert_eq!(german.date(day), "24.11.2026");
        assert_eq!(spanish.date(day), "24/11/2026");
        assert_eq!(english.day_month(day), "24 Nov");
        assert_eq!(german.day_month(day), "24.11.");
        assert_eq!(
            german.with(
                "people-list-entry",
                &[
                    ("name", "Sam".into()),
                    ("photos", 1.into()),
                    ("visits", 3.into())
                ]
            ),
            "Sam  (1 Foto, 3 Besuche)"
        );
    }
}
