//! The audit log screen: staff actions with their time, and a CSV export.

use std::path::PathBuf;

use crate::gallery::AuditEntry;
use crate::recognizer::StaffRequest;

#[derive(Default)]
pub struct AuditScreen {
    pub entries: Vec<AuditEntry>,
    csv_path: String,
}

impl AuditScreen {
    pub fn audit_ui(&mut self, ui: &mut egui::Ui, outbox: &mut Vec<StaffRequest>) {
        ui.horizontal(|ui| {
            let label = ui.label("CSV file");
            ui.add(
                egui::TextEdit::singleline(&mut self.csv_path)
                    .hint_text("/media/usb/audit.csv")
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
            if ui
                .add_enabled(
                    !self.csv_path.trim().is_empty(),
                    egui::Button::new("Export audit log"),
                )
                .clicked()
            {
                outbox.push(StaffRequest::ExportAuditCsv(PathBuf::from(
                    self.csv_path.trim(),
                )));
            }
        });
        ui.separator();
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("audit_rows")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for entry in &self.entries {
                        ui.label(super::greeting::local_time(entry.at));
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
