//! The fleet's state in the kiosk's status bar: connected or not, and what waits either way.

use crate::fleet::FleetStatus;

/// The status bar's text for the fleet, and whether it needs attention.
pub fn status_text(status: &FleetStatus) -> (String, bool) {
    if status.connected {
        let text = match (status.waiting, status.behind) {
            (0, 0) => "Fleet: connected, up to date".to_owned(),
            (waiting, behind) => {
                format!("Fleet: connected, {waiting} to send, {behind} to fetch")
            }
        };
        (text, false)
    } else if status.last_error.is_none() {
        ("Fleet: connecting…".to_owned(), false)
    } else {
        (
            format!(
                "Fleet: offline, working on this kiosk's gallery; {} change(s) wait to be sent",
                status.waiting
            ),
            true,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_kiosk_says_it_keeps_working_and_what_waits() {
        let status = FleetStatus {
            connected: false,
            waiting: 3,
            last_error: Some("connection refused".into()),
            ..FleetStatus::default()
        };
        let (text, attention) = status_text(&status);
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
        assert_eq!(status_text(&status).0, "Fleet: connected, up to date");
        status.behind = 4;
        assert!(status_text(&status).0.contains("4 to fetch"));
    }
}
