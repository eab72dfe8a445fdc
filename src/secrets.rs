//! How secrets show in logs and on screen: whether one is set, never what it is. Used by the
//! config's `Debug` output and by the fleet's status and errors.

/// `postgresql://user:secret@host/db` as `postgresql://user:***@host/db`; also hides a
/// `password=` parameter.
pub fn redact_url(url: &str) -> String {
    let mut shown = url.to_owned();
    if let Some(scheme_end) = shown.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = shown[rest_start..]
            .find(['/', '?'])
            .map_or(shown.len(), |i| rest_start + i);
        if let Some(at) = shown[rest_start..authority_end].rfind('@') {
            let user_info = &shown[rest_start..rest_start + at];
            if let Some(colon) = user_info.find(':') {
                shown.replace_range(rest_start + colon + 1..rest_start + at, "***");
            }
        }
    }
    if let Some(start) = shown.find("password=") {
        let value_start = start + "password=".len();
        let value_end = shown[value_start..]
            .find('&')
            .map_or(shown.len(), |i| value_start + i);
        shown.replace_range(value_start..value_end, "***");
    }
    shown
}

/// How a secret shows in `Debug` output: whether one is set, never what it is.
pub fn hidden(secret: &str) -> &'static str {
    if secret.is_empty() { "" } else { "<hidden>" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show_in_a_displayed_url() {
        assert_eq!(
            redact_url("postgresql://kiosk:hunter2@db.example.com:5432/frontdesk?sslmode=require"),
            "postgresql://kiosk:***@db.example.com:5432/frontdesk?sslmode=require"
        );
        assert_eq!(
            redact_url("postgresql://db/frontdesk?user=k&password=hunter2&sslmode=require"),
            "postgresql://db/frontdesk?user=k&password=***&sslmode=require"
        );
        assert_eq!(
            redact_url("postgresql://kiosk@db/frontdesk"),
            "postgresql://kiosk@db/frontdesk"
        );
    }
}
