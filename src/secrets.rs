//! How secrets show in logs and on screen: whether one is set, never what it is. Used by the
//! config's `Debug` output and by the fleet's status and errors.

/// `postgresql://user:secret@host/db` as `postgresql://user:***@host/db`; also hides every
/// `password=` parameter.
pub fn redact_url(url: &str) -> String {
    // Parameters first: an `@` in one of their values would be taken for the end of a password.
    let mut shown = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(start) = rest.find("password=") {
        let value_start = start + "password=".len();
        shown.push_str(&rest[..value_start]);
        shown.push_str("***");
        rest = rest[value_start..]
            .find('&')
            .map_or("", |end| &rest[value_start + end..]);
    }
    shown.push_str(rest);
    if let Some(scheme_end) = shown.find("://") {
        let user_start = scheme_end + 3;
        // People write passwords with `/`, `?` and `@` in them unescaped, so the password runs from
        // the user's `:` to the last `@`: hiding too much beats showing part of a password.
        if let Some(at) = shown[user_start..].rfind('@').map(|i| user_start + i)
            && let Some(colon) = shown[user_start..at].find(':').map(|i| user_start + i)
        {
            shown.replace_range(colon + 1..at, "***");
        }
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

    #[test]
    fn passwords_holding_url_characters_are_hidden_whole() {
        for (url, shown) in [
            (
                "postgresql://kiosk:pa/ss?x@db/frontdesk",
                "postgresql://kiosk:***@db/frontdesk",
            ),
            (
                "postgresql://kiosk:p@ss:w/rd@db.example.com:5432/frontdesk?sslmode=require",
                "postgresql://kiosk:***@db.example.com:5432/frontdesk?sslmode=require",
            ),
            (
                "postgresql://kiosk@db/frontdesk?password=p@ss/?x&sslmode=require",
                "postgresql://kiosk@db/frontdesk?password=***&sslmode=require",
            ),
            (
                "postgresql://kiosk:hunter2@db/frontdesk?password=a&password=b",
                "postgresql://kiosk:***@db/frontdesk?password=***&password=***",
            ),
        ] {
            assert_eq!(redact_url(url), shown);
        }
    }
}
