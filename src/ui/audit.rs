//! The audit log screen: staff actions with their time, and a CSV export.

use crate::gallery::AuditEntry;
use crate::recognizer::StaffRequest;

#[derive(Default)]
pub struct AuditScreen {
    pub entries: Vec<AuditEntry>,
    csv_path: String,
}

impl AuditScreen {
    pub fn audit_ui(&mut self, ui: &mut egui::Ui, outbox: &mut Vec<StaffRequest>) {
        if let Some(path) = super::path_action_ui(
            ui,
            "CSV file",
            "/media/usb/audit.csv",
            &mut self.csv_path,
            "Export audit log",
        ) {
            outbox.push(StaffRequest::ExportAuditCsv(path));
        }
        ui.separator();
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("audit_rows")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for entry in &self.entries {
                        ui.label(super::i18n::local_time(entry.at));
                        ui.label(egui::RichText::new(&entry.action).strong());
                        ui.label(&entry.detail);
                        ui.end_row();
                    }
                });
            if self.entries.is_empty() {
                ui.weak("No staff actions yet.");
            }
        });
    }
}
