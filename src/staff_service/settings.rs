//! The kiosk's settings and the staff PIN.

use std::path::PathBuf;

use super::{Desk, StaffDone, StaffError, StaffReply};
use crate::config::Config;
use crate::gallery::now_ms;

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

/// Checks a PIN, refused without asking while a lock-out holds.
pub(super) fn check_pin(desk: &mut Desk, pin: &str) -> Result<StaffReply, StaffError> {
    let gallery = super::connected(
        &mut desk.gallery,
        &desk.db_path,
        desk.config.kiosk.require_consent,
    )?;
    let check = desk
        .pin_gate
        .check(gallery, pin, std::time::Instant::now(), now_ms())?;
    Ok(StaffReply::Pin(check))
}

pub(super) fn set_pin(desk: &mut Desk, pin: &str) -> Result<StaffDone, StaffError> {
    desk.gallery()?.set_pin(pin)?;
    Ok(StaffDone::PinSet)
}
