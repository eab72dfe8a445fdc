//! The staff screen's bulk import: a folder of people imported on a thread of its own, with a
//! progress bar, while the kiosk goes on greeting visitors.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError};

use super::i18n::Texts;
use crate::config::Config;
use crate::engine::FaceEngine;
use crate::gallery::Gallery;
use crate::import::{self, Outcome, PersonReport};

/// Messages the import thread may queue before the window takes them; the thread waits beyond
/// that (a photo takes longer to analyse than a frame to draw, so it rarely does).
const PROGRESS_QUEUE: usize = 64;

/// What the import thread reports.
enum ImportMessage {
    Started { photos: usize },
    PhotoDone { person: String },
    Person(PersonReport),
    Finished { without_photos: Vec<String> },
    Failed(Failure),
}

/// Why an import did not finish, drawn in the window's language around the library's own words.
#[derive(Debug)]
enum Failure {
    /// The folder could not be read or the gallery not opened.
    Error(String),
    ThreadNotStarted(String),
    EngineNotStarted(String),
    StoppedAt {
        name: String,
        message: String,
    },
    /// The thread ended without a word.
    Vanished,
}

impl Failure {
    fn text(&self, texts: &Texts) -> String {
        match self {
            Self::Error(message) => message.clone(),
            Self::ThreadNotStarted(message) => texts.with(
                "import-not-started",
                &[("message", message.as_str().into())],
            ),
            Self::EngineNotStarted(message) => {
                texts.with("import-no-engine", &[("message", message.as_str().into())])
            }
            Self::StoppedAt { name, message } => texts.with(
                "import-stopped-at",
                &[
                    ("name", name.as_str().into()),
                    ("message", message.as_str().into()),
                ],
            ),
            Self::Vanished => texts.get("import-vanished"),
        }
    }
}

/// How the last import ended.
enum Ending {
    Finished { without_photos: Vec<String> },
    Failed(Failure),
}

/// An import under way.
struct Running {
    messages: Receiver<ImportMessage>,
    photos: usize,
    done: usize,
    person: String,
}

/// The import tab: the folder to import, the consent box, the progress and the last outcome.
pub struct ImportScreen {
    config: Config,
    db_path: PathBuf,
    folder: String,
    consent: bool,
    running: Option<Running>,
    reports: Vec<PersonReport>,
    ending: Option<Ending>,
}

impl ImportScreen {
    pub fn new(config: Config, db_path: PathBuf) -> Self {
        Self {
            config,
            db_path,
            folder: String::new(),
            consent: false,
            running: None,
            reports: Vec::new(),
            ending: None,
        }
    }

    /// The settings in force (the consent rule and recognition thresholds may have changed).
    pub fn set_config(&mut self, config: Config) {
        self.config = config;
    }

    fn start(&mut self, folder: PathBuf) {
        let (sender, messages) = std::sync::mpsc::sync_channel(PROGRESS_QUEUE);
        let config = self.config.clone();
        let db_path = self.db_path.clone();
        let consent = self.consent;
        let spawned = std::thread::Builder::new()
            .name("import".into())
            .spawn(move || {
                if let Err(failure) = run_import(&config, &db_path, &folder, consent, &sender) {
                    tracing::error!(?failure, "import failed");
                    let _ = sender.send(ImportMessage::Failed(failure));
                }
            });
        self.reports.clear();
        match spawned {
            Ok(_) => {
                self.ending = None;
                self.running = Some(Running {
                    messages,
                    photos: 0,
                    done: 0,
                    person: String::new(),
                });
            }
            Err(e) => {
                self.ending = Some(Ending::Failed(Failure::ThreadNotStarted(e.to_string())));
            }
        }
    }

    /// Takes the import thread's news; never blocks. Called every pass of the window's logic.
    pub fn poll(&mut self) {
        let Some(running) = &mut self.running else {
            return;
        };
        loop {
            match running.messages.try_recv() {
                Ok(ImportMessage::Started { photos }) => running.photos = photos,
                Ok(ImportMessage::PhotoDone { person }) => {
                    running.done += 1;
                    running.person = person;
                }
                Ok(ImportMessage::Person(report)) => self.reports.push(report),
                Ok(ImportMessage::Finished { without_photos }) => {
                    self.ending = Some(Ending::Finished { without_photos });
                    self.running = None;
                    return;
                }
                Ok(ImportMessage::Failed(failure)) => {
                    self.ending = Some(Ending::Failed(failure));
                    self.running = None;
                    return;
                }
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.ending = Some(Ending::Failed(Failure::Vanished));
                    self.running = None;
                    return;
                }
            }
        }
    }

    pub fn import_ui(&mut self, ui: &mut egui::Ui, texts: &Texts) {
        ui.heading(texts.get("import-title"));
        ui.label(texts.get("import-help"));
        ui.add_enabled_ui(self.running.is_none(), |ui| {
            ui.checkbox(&mut self.consent, texts.get("import-consent"));
            if let Some(folder) = super::path_action_ui(
                ui,
                &texts.get("import-folder"),
                "/media/usb/regulars",
                &mut self.folder,
                &texts.get("import-start"),
            ) {
                self.start(folder);
            }
        });
        if let Some(running) = &self.running {
            let fraction = if running.photos == 0 {
                0.0
            } else {
                running.done as f32 / running.photos as f32
            };
            ui.add(egui::ProgressBar::new(fraction).text(texts.with(
                "import-progress",
                &[
                    ("done", running.done.into()),
                    ("total", running.photos.into()),
                    ("name", running.person.as_str().into()),
                ],
            )));
            ui.label(texts.get("import-meanwhile"));
        }
        match &self.ending {
            Some(Ending::Finished { without_photos }) => {
                ui.label(summary(&self.reports, without_photos, texts));
            }
            Some(Ending::Failed(failure)) => {
                ui.colored_label(ui.visuals().error_fg_color, failure.text(texts));
            }
            None => {}
        }
        self.reports_ui(ui, texts);
    }

    /// Who was imported, and why anyone was not.
    fn reports_ui(&self, ui: &mut egui::Ui, texts: &Texts) {
        egui::ScrollArea::vertical().show(ui, |ui| {
            for report in &self.reports {
                ui.label(format!(
                    "{}: {}",
                    report.name,
                    outcome_text(&report.outcome, texts)
                ));
                for refused in &report.refused_photos {
                    let file = Path::new(&refused.photo)
                        .file_name()
                        .map_or_else(|| refused.photo.clone(), |f| f.to_string_lossy().into());
                    ui.weak(format!("    {file}: {}", refused.message));
                }
            }
        });
    }
}

fn outcome_text(outcome: &Outcome, texts: &Texts) -> String {
    match outcome {
        Outcome::Imported { faces, .. } => {
            texts.with("import-imported", &[("count", (*faces).into())])
        }
        Outcome::WouldImport { faces } => {
            texts.with("import-would-import", &[("count", (*faces).into())])
        }
        Outcome::AlreadyThere { .. } => texts.get("import-already-there"),
        Outcome::Refused { message, .. } => {
            texts.with("import-refused", &[("message", message.as_str().into())])
        }
    }
}

fn summary(reports: &[PersonReport], without_photos: &[String], texts: &Texts) -> String {
    let count = |code: &str| reports.iter().filter(|r| r.outcome.code() == code).count();
    let mut text = texts.with(
        "import-summary",
        &[
            ("imported", count("imported").into()),
            ("already", count("already_there").into()),
            ("refused", count("refused").into()),
        ],
    );
    if !without_photos.is_empty() {
        text.push(' ');
        text.push_str(&texts.with(
            "import-without-photos",
            &[("names", without_photos.join(", ").into())],
        ));
    }
    text
}

/// The import itself, on its own thread with its own engine and gallery connection (the kiosk's
/// recognition thread sees the new people through the gallery's change feed).
fn run_import(
    config: &Config,
    db_path: &Path,
    folder: &Path,
    consent: bool,
    progress: &SyncSender<ImportMessage>,
) -> Result<(), Failure> {
    let error = |e: &dyn std::fmt::Display| Failure::Error(e.to_string());
    let plan = import::plan(folder, consent).map_err(|e| error(&e))?;
    let _ = progress.send(ImportMessage::Started {
        photos: plan.photo_count(),
    });
    let mut engine =
        FaceEngine::load(config).map_err(|e| Failure::EngineNotStarted(e.to_string()))?;
    let mut gallery =
        Gallery::open_for_matching(db_path, config.kiosk.require_consent).map_err(|e| error(&e))?;
    let policy = config.recognition.match_policy();
    let mut existing = import::names_in(&gallery).map_err(|e| error(&e))?;
    for person in &plan.people {
        let report = import::import_person(
            &mut engine,
            &mut gallery,
            &policy,
            person,
            &mut existing,
            false,
            &mut |_| {
                let _ = progress.send(ImportMessage::PhotoDone {
                    person: person.name.clone(),
                });
            },
        )
        .map_err(|e| Failure::StoppedAt {
            name: person.name.clone(),
            message: e.to_string(),
        })?;
        let _ = progress.send(ImportMessage::Person(report));
    }
    let _ = progress.send(ImportMessage::Finished {
        without_photos: plan.without_photos,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::kittest::Queryable;

    #[test]
    fn the_import_screen_speaks_german() {
        let config = Config::defaults().unwrap();
        let screen = ImportScreen::new(config, PathBuf::from("/nonexistent/gallery.db"));
        let texts = Texts::new(crate::ui::Language::German);
        let mut harness = egui_kittest::Harness::builder()
            .with_size([800.0, 400.0])
            .build_ui_state(
                move |ui, screen: &mut ImportScreen| screen.import_ui(ui, &texts),
                screen,
            );
        harness.run();
        assert!(harness.query_by_label("Personen importieren").is_some());
        assert!(harness.query_by_label("Import starten").is_some());
    }

    #[test]
    fn the_summary_names_people_without_photos_in_the_language() {
        let texts = Texts::new(crate::ui::Language::Spanish);
        assert_eq!(
            summary(&[], &["Ann".into()], &texts),
            "Importación terminada: 0 importados, 0 ya estaban, 0 no importados. \
             En people.csv sin carpeta de fotos: Ann."
        );
    }
}
