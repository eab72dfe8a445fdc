//! The visits screen: filter by dates and person, visits per day (first-time and returning), CSV.

use std::collections::{BTreeMap, HashMap};

use egui_plot::{Bar, BarChart, Legend, Plot};

use super::i18n::Texts;
use super::theme::{DATE_FIELD_WIDTH, FIRST_VISIT, PROBLEM, RETURNING_VISIT, VISITS_CHART_HEIGHT};
use crate::gallery::{Person, PersonId, Visit};
use crate::staff_service::{StaffRequest, VisitFilter};

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
    /// A date field's text that is not a date.
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

fn day_label(day: i64, texts: &Texts) -> String {
    // A local day number is the UTC day of the same date.
    jiff::Timestamp::from_millisecond(day * DAY_MS).map_or_else(
        |_| day.to_string(),
        |t| texts.day_month(t.to_zoned(jiff::tz::TimeZone::UTC).date()),
    )
}

/// Unix ms of the local start of `text` (YYYY-MM-DD), plus `days_after` days; the error is the
/// trimmed text that is not such a date.
fn parse_day(text: &str, days_after: i64) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|date| date.checked_add(jiff::Span::new().days(days_after)).ok())
        .and_then(|date| date.to_zoned(jiff::tz::TimeZone::system()).ok())
        .map(|zoned| Some(zoned.timestamp().as_millisecond()))
        .ok_or_else(|| text.to_owned())
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

    pub fn visits_ui(&mut self, ui: &mut egui::Ui, outbox: &mut Vec<StaffRequest>, texts: &Texts) {
        self.filter_ui(ui, outbox, texts);
        self.chart_ui(ui, texts);
        if let Some(path) = super::path_action_ui(
            ui,
            &texts.get("csv-file"),
            "/media/usb/visits.csv",
            &mut self.csv_path,
            &texts.get("export-csv"),
        ) {
            outbox.push(StaffRequest::ExportVisitsCsv {
                filter: self.filter(),
                path,
            });
        }
        ui.separator();
        self.rows_ui(ui, texts);
    }

    /// Dates, person and Show; a date that cannot be read is said under them.
    fn filter_ui(&mut self, ui: &mut egui::Ui, outbox: &mut Vec<StaffRequest>, texts: &Texts) {
        ui.horizontal(|ui| {
            let label = ui.label(texts.get("date-from"));
            ui.add(
                egui::TextEdit::singleline(&mut self.since)
                    .hint_text(texts.get("date-hint"))
                    .desired_width(DATE_FIELD_WIDTH),
            )
            .labelled_by(label.id);
            let label = ui.label(texts.get("date-to"));
            ui.add(
                egui::TextEdit::singleline(&mut self.until)
                    .hint_text(texts.get("date-hint"))
                    .desired_width(DATE_FIELD_WIDTH),
            )
            .labelled_by(label.id);
            let everyone = texts.get("visits-everyone");
            let chosen = self
                .person
                .and_then(|id| self.people.iter().find(|(p, _)| *p == id))
                .map_or_else(|| everyone.clone(), |(_, name)| name.clone());
            egui::ComboBox::from_label(texts.get("visits-person"))
                .selected_text(chosen)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.person, None, everyone);
                    for (id, name) in &self.people {
                        ui.selectable_value(&mut self.person, Some(*id), name);
                    }
                });
            if ui.button(texts.get("show")).clicked() {
                self.problem = parse_day(&self.since, 0)
                    .and(parse_day(&self.until, 1))
                    .err();
                if self.problem.is_none() {
                    outbox.push(StaffRequest::Visits(self.filter()));
                }
            }
        });
        if let Some(problem) = &self.problem {
            ui.colored_label(
                PROBLEM,
                texts.with("bad-date", &[("text", problem.as_str().into())]),
            );
        }
    }

    /// The summary line and the visits per day, first-time visitors below returning ones.
    fn chart_ui(&self, ui: &mut egui::Ui, texts: &Texts) {
        let days = visits_per_day(&self.visits, &self.first_visit);
        let (first, returning) = days
            .values()
            .fold((0, 0), |(f, r), (df, dr)| (f + df, r + dr));
        ui.label(texts.with(
            "visits-summary",
            &[
                ("count", self.visits.len().into()),
                ("first", first.into()),
                ("returning", returning.into()),
            ],
        ));
        let first_bars: Vec<Bar> = days
            .iter()
            .map(|(day, (f, _))| Bar::new(*day as f64, f64::from(*f)))
            .collect();
        let returning_bars: Vec<Bar> = days
            .iter()
            .map(|(day, (_, r))| Bar::new(*day as f64, f64::from(*r)))
            .collect();
        let first_chart = BarChart::new(texts.get("visits-first-time"), first_bars)
            .color(FIRST_VISIT)
            .width(0.7);
        let returning_chart = BarChart::new(texts.get("visits-returning"), returning_bars)
            .color(RETURNING_VISIT)
            .width(0.7)
            .stack_on(&[&first_chart]);
        Plot::new("visits_per_day")
            .height(VISITS_CHART_HEIGHT)
            .legend(Legend::default())
            .allow_scroll(false)
            .x_axis_formatter(|mark, _| day_label(mark.value.round() as i64, texts))
            .show(ui, |plot| {
                plot.bar_chart(first_chart);
                plot.bar_chart(returning_chart);
            });
    }

    /// One row a visit: when, who, how sure.
    fn rows_ui(&self, ui: &mut egui::Ui, texts: &Texts) {
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("visit_rows")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for visit in &self.visits {
                        ui.label(texts.date_time(visit.at));
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
    fn the_visits_screen_speaks_german_and_explains_a_bad_date() {
        use egui_kittest::kittest::Queryable;
        let texts = Texts::new(crate::ui::Language::German);
        let mut harness = egui_kittest::Harness::builder()
            .with_size([1000.0, 600.0])
            .build_ui_state(
                move |ui, (screen, outbox): &mut (VisitsScreen, Vec<StaffRequest>)| {
                    screen.visits_ui(ui, outbox, &texts)
                },
                (VisitsScreen::default(), Vec::new()),
            );
        harness.run();
        assert!(harness.query_by_label("Als CSV exportieren").is_some());
        assert!(
            harness
                .query_all_by_label_contains("0 Besuche: 0 zum ersten Mal")
                .next()
                .is_some()
        );
        harness.get_by_label("Von").focus();
        harness.run();
        harness.get_by_label("Von").type_text("28/11");
        harness.run();
        harness.get_by_label("Anzeigen").click();
        harness.run();
        assert!(
            harness
                .query_all_by_label_contains("„28/11“ ist kein Datum")
                .next()
                .is_some()
        );
        assert!(harness.state().1.is_empty(), "nothing asked for a bad date");
    }

    #[test]
    fn empty_dates_mean_no_bound_and_bad_ones_are_reported() {
        assert_eq!(parse_day("", 0), Ok(None));
        assert_eq!(parse_day(" 28/11/2026 ", 0), Err("28/11/2026".to_owned()));
        let start = parse_day("2026-11-28", 0).unwrap().unwrap();
        let end = parse_day("2026-11-28", 1).unwrap().unwrap();
        assert_eq!(end - start, DAY_MS);
    }
}
