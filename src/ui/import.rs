//! The staff screen's bulk import: a folder of people imported on a thread of its own, with a
//! progress bar, while the kiosk goes on greeting visitors.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError};

use crate::config::Config;
use crate::engine::FaceEngine;
use crate::gallery::{Gallery, MatchPolicy};
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
    Failed(String),
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
    /// The finished import's one-line summary, or why it failed.
    outcome: Option<(String, bool)>,
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
            outcome: None,
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
                if let Err(message) = run_import(&config, &db_path, &folder, consent, &sender) {
                    tracing::error!(%message, "import failed");
                    let _ = sender.send(ImportMessage::Failed(message));
                }
            });
        self.reports.clear();
        match spawned {
            Ok(_) => {
                self.outcome = None;
                self.running = Some(Running {
                    messages,
                    photos: 0,
                    done: 0,
                    person: String::new(),
                });
            }
            Err(e) => self.outcome = Some((format!("cannot start the import: {e}"), true)),
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
                    self.outcome = Some((summary(&self.reports, &without_photos), false));
                    self.running = None;
                    return;
                }
                Ok(ImportMessage::Failed(message)) => {
                    self.outcome = Some((message, true));
                    self.running = None;
                    return;
                }
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.outcome = Some(("the import stopped unexpectedly".into(), true));
                    self.running = None;
                    return;
                }
            }
        }
    }

    pub fn import_ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("Import people");
        ui.label(
            "A folder with one folder of photos per person, named after them, and optionally a \
             people.csv with name, consent (yes/no) and detail columns. People already here are \
             left as they are.",
        );
        ui.add_enabled_ui(self.running.is_none(), |ui| {
            ui.checkbox(
                &mut self.consent,
                "Everyone in this import agreed to be recognised (a \"no\" in people.csv stays a no)",
            );
            if let Some(folder) = super::path_action_ui(
                ui,
                "Folder",
                "/media/usb/regulars",
                &mut self.folder,
                "Start import",
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
            ui.add(egui::ProgressBar::new(fraction).text(format!(
                "{} of {} photos  {}",
                running.done, running.photos, running.person
            )));
            ui.label("The kiosk goes on greeting visitors meanwhile.");
        }
        if let Some((text, is_error)) = &self.outcome {
            if *is_error {
                ui.colored_label(ui.visuals().error_fg_color, text);
            } else {
                ui.label(text);
            }
        }
        self.reports_ui(ui);
    }

    /// Who was imported, and why anyone was not.
    fn reports_ui(&self, ui: &mut egui::Ui) {
        egui::ScrollArea::vertical().show(ui, |ui| {
            for report in &self.reports {
                ui.label(format!(
                    "{}: {}",
                    report.name,
                    outcome_text(&report.outcome)
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

fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Imported { faces, .. } => format!("imported with {faces} photo(s)"),
        Outcome::WouldImport { faces } => format!("would be imported with {faces} photo(s)"),
        Outcome::AlreadyThere { .. } => "already here, left as is".into(),
        Outcome::Refused { message, .. } => format!("not imported: {message}"),
    }
}

fn summary(reports: &[PersonReport], without_photos: &[String]) -> String {
    let count = |code: &str| reports.iter().filter(|r| r.outcome.code() == code).count();
    let mut text = format!(
        "Import finished: {} imported, {} already here, {} not imported.",
        count("imported"),
        count("already_there"),
        count("refused")
    );
    if !without_photos.is_empty() {
        text.push_str(&format!(
            " In people.csv without a folder of photos: {}.",
            without_photos.join(", ")
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
) -> Result<(), String> {
    let plan = import::plan(folder, consent).map_err(|e| e.to_string())?;
    let _ = progress.send(ImportMessage::Started {
        photos: plan.photo_count(),
    });
    let mut engine = FaceEngine::load(config)
        .map_err(|e| format!("cannot start the recognition engine: {e}"))?;
    let mut gallery = Gallery::open(db_path, engine.model_id()).map_err(|e| e.to_string())?;
    gallery
        .set_consent_required(config.kiosk.require_consent)
        .map_err(|e| e.to_string())?;
    let policy = MatchPolicy {
        threshold: config.recognition.threshold,
        margin: config.recognition.margin,
    };
    let mut existing = import::names_in(&gallery).map_err(|e| e.to_string())?;
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
        .map_err(|e| format!("the import stopped at {}: {e}", person.name))?;
        let _ = progress.send(ImportMessage::Person(report));
    }
    let _ = progress.send(ImportMessage::Finished {
        without_photos: plan.without_photos,
    });
    Ok(())
}
