//! The fleet's state in the kiosk's status bar: connected or not, and what waits either way.

use super::i18n::Texts;
use crate::fleet::FleetStatus;

/// The status bar's text for the fleet, and whether it needs attention.
pub fn status_text(status: &FleetStatus, texts: &Texts) -> (String, bool) {
    if status.connected {
        let text = match (status.waiting, status.behind) {
            (0, 0) => texts.get("fleet-up-to-date"),
            (waiting, behind) => texts.with(
                "fleet-behind",
                &[("waiting", waiting.into()), ("behind", behind.into())],
            ),
        };
        (text, false)
    } else if status.last_error.is_none() {
        (texts.get("fleet-connecting"), false)
    } else {
        let waiting = status.waiting.into();
        (texts.with("fleet-offline", &[("waiting", waiting)]), true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::Language;

    #[test]
    fn offline_kiosk_says_it_keeps_working_and_what_waits() {
        let status = FleetStatus {
            connected: false,
            waiting: 3,
            last_error: Some("connection refused".into()),
            ..FleetStatus::default()
        };
        let (text, attention) = status_text(&status, &Texts::new(Language::English));
        assert!(attention);
        assert!(
            text.contains("offline") && text.contains("3 change(s)"),
            "{text}"
        );
    }

    #[test]
    fn connected_kiosk_says_how_far_behind_it_is() {
        let mut status = FleetStatus {
            connected: true,
            ..FleetStatus::default()
        };
        let texts = Texts::new(Language::English);
        assert_eq!(
            status_text(&status, &texts).0,
            "Fleet: connected, up to date"
        );
        status.behind = 4;
        assert!(status_text(&status, &texts).0.contains("4 to fetch"));
        let german = status_text(&status, &Texts::new(Language::German)).0;
        assert!(german.contains("4 zu holen"), "{german}");
    }
}
