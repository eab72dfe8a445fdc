//! The visits screen: filter by dates and person, visits per day (first-time and returning), CSV.

use std::collections::{BTreeMap, HashMap};

use egui_plot::{Bar, BarChart, Legend, Plot};

use crate::gallery::{Person, PersonId, Visit};
use crate::recognizer::{StaffRequest, VisitFilter};

const DAY_MS: i64 = 86_400_000;

#[derive(Default)]
pub struct VisitsScreen {
    since: String,
    until: String,
    person: Option<PersonId>,
    people: Vec<(PersonId, String)>,
    visits: Vec<Visit>,
    first_visit: HashMap<PersonId, i64>,
    csv_path: String,
    problem: Option<String>,
}

/// Per day (days since the epoch, local time): first-time and returning visit counts.
pub fn visits_per_day(
    visits: &[Visit],
    first_visit: &HashMap<PersonId, i64>,
) -> BTreeMap<i64, (u32, u32)> {
    let mut days: BTreeMap<i64, (u32, u32)> = BTreeMap::new();
    for visit in visits {
        let entry = days.entry(local_day(visit.at)).or_default();
        if first_visit.get(&visit.person_id) == Some(&visit.at) {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    days
}

/// Days since 1970-01-01 in the kiosk's time zone.
fn local_day(ms: i64) -> i64 {
    let offset = jiff::Timestamp::from_millisecond(ms)
        .map(|t| i64::from(jiff::tz::TimeZone::system().to_offset(t).seconds()) * 1000)
        .unwrap_or(0);
    (ms + offset).div_euclid(DAY_MS)
}

fn day_label(day: i64) -> String {
    jiff::Timestamp::from_millisecond(day * DAY_MS)
        .map_or_else(|_| day.to_string(), |t| t.strftime("%d %b").to_string())
}

/// Unix ms of the local start of `text` (YYYY-MM-DD), plus `days_after` days.
fn parse_day(text: &str, days_after: i64) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let date: jiff::civil::Date = text
        .parse()
        .map_err(|_| format!("`{text}` is not a date like 2026-11-28"))?;
    let date = date
        .checked_add(jiff::Span::new().days(days_after))
        .map_err(|e| e.to_string())?;
    date.to_zoned(jiff::tz::TimeZone::system())
        .map(|z| Some(z.timestamp().as_millisecond()))
        .map_err(|e| e.to_string())
}

impl VisitsScreen {
    pub fn filter(&self) -> VisitFilter {
        VisitFilter {
            person: self.person,
            since: parse_day(&self.since, 0).ok().flatten(),
            until: parse_day(&self.until, 1).ok().flatten(),
        }
    }

    pub fn set_people(&mut self, people: &[Person]) {
        self.people = people.iter().map(|p| (p.id, p.name.clone())).collect();
    }

    pub fn set_visits(&mut self, visits: Vec<Visit>, first_visit: HashMap<PersonId, i64>) {
        self.visits = visits;
        self.first_visit = first_visit;
    }

    pub fn visits_ui(&mut self, ui: &mut egui::Ui, outbox: &mut Vec<StaffRequest>) {
        ui.horizontal(|ui| {
            let label = ui.label("From");
            ui.add(
                egui::TextEdit::singleline(&mut self.since)
                    .hint_text("YYYY-MM-DD")
                    .desired_width(100.0),
            )
            .labelled_by(label.id);
            let label = ui.label("to");
            ui.add(
                egui::TextEdit::singleline(&mut self.until)
                    .hint_text("YYYY-MM-DD")
                    .desired_width(100.0),
            )
            .labelled_by(label.id);
            let chosen = self
                .person
                .and_then(|id| self.people.iter().find(|(p, _)| *p == id))
                .map_or("Everyone".to_owned(), |(_, name)| name.clone());
            egui::ComboBox::from_label("Person")
                .selected_text(chosen)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.person, None, "Everyone");
                    for (id, name) in &self.people {
                        ui.selectable_value(&mut self.person, Some(*id), name);
                    }
                });
            if ui.button("Show").clicked() {
                self.problem = parse_day(&self.since, 0)
                    .and(parse_day(&self.until, 1))
                    .err();
                if self.problem.is_none() {
                    outbox.push(StaffRequest::Visits(self.filter()));
                }
            }
        });
        if let Some(problem) = &self.problem {
            ui.colored_label(egui::Color32::from_rgb(255, 140, 120), problem);
        }
        let days = visits_per_day(&self.visits, &self.first_visit);
        let (first, returning) = days
            .values()
            .fold((0, 0), |(f, r), (df, dr)| (f + df, r + dr));
        ui.label(format!(
            "{} visits: {first} first-time, {returning} returning",
            self.visits.len()
        ));
        let first_bars: Vec<Bar> = days
            .iter()
            .map(|(day, (f, _))| Bar::new(*day as f64, f64::from(*f)))
            .collect();
        let returning_bars: Vec<Bar> = days
            .iter()
            .map(|(day, (_, r))| Bar::new(*day as f64, f64::from(*r)))
            .collect();
        let first_chart = BarChart::new("First-time", first_bars)
            .color(egui::Color32::from_rgb(80, 200, 120))
            .width(0.7);
        let returning_chart = BarChart::new("Returning", returning_bars)
            .color(egui::Color32::from_rgb(120, 160, 255))
            .width(0.7)
            .stack_on(&[&first_chart]);
        Plot::new("visits_per_day")
            .height(220.0)
            .legend(Legend::default())
            .allow_scroll(false)
            .x_axis_formatter(|mark, _| day_label(mark.value.round() as i64))
            .show(ui, |plot| {
                plot.bar_chart(first_chart);
                plot.bar_chart(returning_chart);
            });
        if let Some(path) = super::path_action_ui(
            ui,
            "CSV file",
            "/media/usb/visits.csv",
            &mut self.csv_path,
            "Export CSV",
        ) {
            outbox.push(StaffRequest::ExportVisitsCsv {
                filter: self.filter(),
                path,
            });
        }
        ui.separator();
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("visit_rows")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for visit in &self.visits {
                        ui.label(super::i18n::local_time(visit.at));
                        ui.label(&visit.person_name);
                        ui.label(format!("{:.2}", visit.similarity));
                        ui.end_row();
                    }
                });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_visits_are_counted_apart_from_returning_ones() {
        let visit = |person_id, at| Visit {
            id: 0,
            person_id,
            person_name: String::new(),
            at,
            similarity: 0.7,
            source: String::new(),
            kiosk: None,
        };
        let noon = 12 * 3600 * 1000;
        let visits = vec![
            visit(1, noon),
            visit(2, noon + 1000),
            visit(1, DAY_MS + noon),
        ];
        let first = HashMap::from([(1, noon), (2, noon + 1000)]);
        let days = visits_per_day(&visits, &first);
        let counts: Vec<(u32, u32)> = days.values().copied().collect();
        assert_eq!(counts, vec![(2, 0), (0, 1)]);
    }

    #[test]
    fn empty_dates_mean_no_bound_and_bad_ones_are_reported() {
        assert_eq!(parse_day("", 0), Ok(None));
        assert!(parse_day("28/11/2026", 0).is_err());
        let start = parse_day("2026-11-28", 0).unwrap().unwrap();
        let end = parse_day("2026-11-28", 1).unwrap().unwrap();
        assert_eq!(end - start, DAY_MS);
    }
}
