//! The audit log screen: staff actions with their time, and a CSV export.

use super::i18n::Texts;
use crate::gallery::AuditEntry;
use crate::staff_service::StaffRequest;

#[derive(Default)]
pub struct AuditScreen {
    pub entries: Vec<AuditEntry>,
    csv_path: String,
}

impl AuditScreen {
    pub fn audit_ui(&mut self, ui: &mut egui::Ui, outbox: &mut Vec<StaffRequest>, texts: &Texts) {
        if let Some(path) = super::path_action_ui(
            ui,
            &texts.get("csv-file"),
            "/media/usb/audit.csv",
            &mut self.csv_path,
            &texts.get("audit-export"),
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
                        ui.label(texts.date_time(entry.at));
                        ui.label(egui::RichText::new(&entry.action).strong());
                        ui.label(&entry.detail);
                        ui.end_row();
                    }
                });
            if self.entries.is_empty() {
                ui.weak(texts.get("audit-none"));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::kittest::Queryable;

    #[test]
    fn the_audit_log_speaks_german() {
        let texts = Texts::new(crate::ui::Language::German);
        let mut harness = egui_kittest::Harness::builder()
            .with_size([800.0, 400.0])
            .build_ui_state(
                move |ui, (screen, outbox): &mut (AuditScreen, Vec<StaffRequest>)| {
                    screen.audit_ui(ui, outbox, &texts)
                },
                (AuditScreen::default(), Vec::new()),
            );
        harness.run();
        assert!(harness.query_by_label("Protokoll exportieren").is_some());
        assert!(
            harness
                .query_by_label("Noch keine Aktionen des Personals.")
                .is_some()
        );
    }
}
