//! How every command prints its results: for a person by default (aligned columns under a header
//! for lists, sentences for a single result), for a program with `--json` (one JSON object per
//! line, the shapes of src/report.rs). One flag and one printer, so that every command answers the
//! same way.

use serde_json::Value;

use super::{emit, print_line};

/// The `--json` flag of every command that prints results.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Output {
    /// One JSON object per line, for scripts, instead of text for people
    #[arg(long)]
    json: bool,
}

impl Output {
    /// Whether a program reads the output (for commands whose text is more than one result, or
    /// that show a progress bar only to people).
    pub fn is_json(self) -> bool {
        self.json
    }

    /// One result: text for a person, or a JSON object for a program.
    pub fn print(self, for_people: &str, for_programs: &Value) {
        if self.json {
            emit(for_programs);
        } else {
            print_text(for_people);
        }
    }

    /// A list under `header` for a person, printed by `List::finish` once the columns' widths are
    /// known; for a program each item is printed at once. An empty `header` prints rows only.
    pub fn list(self, header: &[&str]) -> List {
        List {
            output: self,
            table: Table::new(header),
        }
    }
}

/// A list being printed; see `Output::list`.
pub struct List {
    output: Output,
    table: Table,
}

impl List {
    /// One item: its row's cells for a person, its JSON object for a program.
    pub fn push(&mut self, for_people: Vec<String>, for_programs: &Value) {
        if self.output.json {
            emit(for_programs);
        } else {
            self.table.push(for_people);
        }
    }

    /// Prints the table, or `when_empty` instead of a header with nothing under it. A program
    /// reads no line for an empty list.
    pub fn finish(self, when_empty: &str) {
        if self.output.json {
            return;
        }
        if self.table.rows.is_empty() {
            print_text(when_empty);
        } else {
            print_text(&self.table.render());
        }
    }
}

/// Columns aligned on the widest cell, two spaces apart, for a person to read.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table under `header` (upper case by convention); an empty `header` has no header line.
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|cell| (*cell).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as lines. Widths count characters: wide (CJK) characters misalign, which a
    /// terminal-width crate would fix at the cost of a dependency for a rare case.
    pub fn render(&self) -> String {
        let lines: Vec<Vec<String>> = (!self.header.is_empty())
            .then(|| self.header.clone())
            .into_iter()
            .chain(
                self.rows
                    .iter()
                    .map(|row| row.iter().map(|cell| one_line(cell)).collect()),
            )
            .collect();
        let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|column| {
                lines
                    .iter()
                    .filter_map(|line| line.get(column))
                    .map(|cell| cell.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        lines
            .iter()
            .map(|line| {
                let padded: Vec<String> = line
                    .iter()
                    .zip(&widths)
                    .map(|(cell, width)| format!("{cell:<width$}"))
                    .collect();
                padded.join("  ").trim_end().to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A cell on one line: a line break or tab in a name or detail would break the columns.
fn one_line(cell: &str) -> String {
    cell.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Prints text for a person line by line. Names and details come from whoever enrolled a person
/// (the API, an import's CSV): their control characters are shown as spaces, so that an escape
/// sequence cannot rewrite the terminal.
pub fn print_text(text: &str) {
    for line in text.lines() {
        print_line(format_args!("{}", one_line(line)));
    }
}

/// A moment for a person: the date and minute in the kiosk's time zone (JSON gives UTC instants).
pub fn date_time(ms: i64) -> String {
    local(ms, "%Y-%m-%d %H:%M")
}

/// The time of day in the kiosk's time zone, for a roll call whose day is said already.
pub fn time_of_day(ms: i64) -> String {
    local(ms, "%H:%M")
}

fn local(ms: i64, format: &str) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(
        |_| ms.to_string(),
        |t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime(format)
                .to_string()
        },
    )
}

/// "1 face", "2 faces": counts in sentences, whatever integer type holds them.
pub fn count(n: impl std::fmt::Display, one: &str, many: &str) -> String {
    let n = n.to_string();
    let noun = if n == "1" { one } else { many };
    format!("{n} {noun}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_under_the_header_without_trailing_spaces() {
        let mut table = Table::new(&["ID", "NAME", "FACES"]);
        table.push(vec!["1".into(), "Ada Lovelace".into(), "2".into()]);
        table.push(vec!["12".into(), "Bo".into(), String::new()]);
        assert_eq!(
            table.render(),
            "ID  NAME          FACES\n\
             1   Ada Lovelace  2\n\
             12  Bo"
        );
    }

    #[test]
    fn a_table_without_header_prints_rows_only() {
        let mut table = Table::new(&[]);
        table.push(vec!["ok".into(), "database".into(), "fine".into()]);
        table.push(vec!["fail".into(), "model".into(), "missing".into()]);
        assert_eq!(
            table.render(),
            "ok    database  fine\nfail  model     missing"
        );
    }

    #[test]
    fn control_characters_in_cells_cannot_break_columns_or_reach_the_terminal() {
        let mut table = Table::new(&["NAME", "ID"]);
        table.push(vec!["Eve\n\u{1b}[2JX".into(), "1".into()]);
        assert_eq!(table.render(), "NAME       ID\nEve  [2JX  1");
    }

    #[test]
    fn accented_names_are_padded_by_characters_not_bytes() {
        let mut table = Table::new(&["NAME", "ID"]);
        table.push(vec!["José".into(), "1".into()]);
        table.push(vec!["Jo".into(), "2".into()]);
        assert_eq!(table.render(), "NAME  ID\nJosé  1\nJo    2");
    }
}
