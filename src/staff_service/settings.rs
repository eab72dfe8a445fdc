//! The kiosk's settings and the staff PIN.

use std::path::PathBuf;

use super::{Desk, StaffDone, StaffError, StaffReply};
use crate::config::Config;
use crate::gallery::{PinCheck, now_ms};

/// Saves `config` to `path`, audited; the service's own settings follow it (the match policy of
/// photo checks, retention for roll calls).
pub(super) fn save(
    desk: &mut Desk,
    config: Config,
    path: PathBuf,
) -> Result<StaffDone, StaffError> {
    config.save(&path)?;
    desk.audit_logged("settings", "kiosk settings changed");
    if let Some(gallery) = &mut desk.gallery {
        gallery.set_consent_required(config.kiosk.require_consent)?;
    }
    desk.config = config.clone();
    Ok(StaffDone::SettingsSaved {
        path,
        config: Box::new(config),
    })
}

/// Checks a PIN, refused without asking while a lock-out holds. A kiosk without a PIN lets the
/// window choose one only while nobody is enrolled (setting the kiosk up); once people are, the
/// first PIN is set on the computer, or whoever pressed Staff first would own their records.
pub(super) fn check_pin(desk: &mut Desk, pin: &str) -> Result<StaffReply, StaffError> {
    let gallery = super::connected(
        &mut desk.gallery,
        &desk.db_path,
        desk.config.kiosk.require_consent,
    )?;
    let check = desk
        .pin_gate
        .check(gallery, pin, std::time::Instant::now(), now_ms())?;
    if check == PinCheck::NotSet && !gallery.people()?.is_empty() {
        return Err(StaffError::FirstPinOnTheComputer);
    }
    Ok(StaffReply::Pin(check))
}

/// The first PIN, chosen in the window while the kiosk is being set up; never a replacement.
pub(super) fn set_pin(desk: &mut Desk, pin: &str) -> Result<StaffDone, StaffError> {
    let gallery = desk.gallery()?;
    if gallery.pin_is_set()? {
        return Err(StaffError::PinAlreadySet);
    }
    if !gallery.people()?.is_empty() {
        return Err(StaffError::FirstPinOnTheComputer);
    }
    gallery.set_pin(pin)?;
    Ok(StaffDone::PinSet)
}
