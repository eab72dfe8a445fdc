//! The kiosk's keyboard shortcuts, inert while a text field has the keyboard: a receptionist
//! typing "Ann Lee" must not press Capture with the space.

/// Space: Capture. False while someone types in a text field (the key is then theirs).
pub fn capture_pressed(ctx: &egui::Context) -> bool {
    !ctx.egui_wants_keyboard_input()
        && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Space))
}
