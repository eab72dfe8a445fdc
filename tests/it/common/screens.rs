//! The kiosk's screens on their own in egui_kittest: the data they are drawn from, built by hand.

use std::sync::Arc;
use std::time::Instant;

use egui_kittest::Harness;
use frontdesk::config::Config;
use frontdesk::gallery::{Person, PersonId};
use frontdesk::ui::{
    EnrollForm, FaceInView, Greeting, GreetingTracker, PublicCommand, PublicView, Scene, Texts,
    Theme,
};
use frontdesk::vision::quality::{FaceQuality, Guidance};
use frontdesk::vision::{BoundingBox, Detection, Embedding};

/// 2026-11-24 12:00 on this machine's clock, so that the visit's day is the 24th in every zone
/// (noon UTC is already the 25th in New Zealand).
pub fn last_visit_ms() -> i64 {
    jiff::civil::date(2026, 11, 24)
        .at(12, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::system())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

/// Sam Carter, on his fourth visit, greeted on track 1.
pub fn sam_greeting() -> Greeting {
    Greeting {
        track: 1,
        person: Person {
            id: 7,
            uid: format!("{:032x}", 7),
            name: "Sam Carter".into(),
            details: [("coffee".to_owned(), "Prefers oat milk".to_owned())].into(),
            consent_at: Some(0),
            consent_withdrawn_at: None,
            created_at: 0,
            updated_at: 0,
            face_count: 2,
            visit_count: 4,
            last_visit_at: Some(last_visit_ms()),
        },
        similarity: 0.71,
        confident: true,
        check_ins: Vec::new(),
    }
}

/// The public view's inputs and what it sent out, as the app holds them.
pub struct PublicState {
    pub config: Config,
    pub tracker: GreetingTracker,
    pub scene: Scene,
    pub logo: Option<egui::TextureHandle>,
    pub commands: Vec<PublicCommand>,
}

impl PublicState {
    pub fn new(config: Config, tracker: GreetingTracker) -> Self {
        Self {
            config,
            tracker,
            scene: Scene::Attract,
            logo: None,
            commands: Vec::new(),
        }
    }

    /// The faces in view at `now` decide the scene, as `App::logic` does.
    pub fn show(&mut self, faces: Vec<FaceInView>, now: Instant) {
        self.scene = self.tracker.scene(&faces, now);
    }
}

/// The public view drawn as the kiosk draws it: the attract screen over the whole window, or the
/// panel beside where the camera picture goes.
pub fn public_ui(ui: &mut egui::Ui, state: &mut PublicState) {
    let display = &state.config.display;
    let texts = Texts::new(display.language);
    let theme = Theme::from_config(display);
    theme.apply(ui.ctx());
    let view = PublicView {
        scene: &state.scene,
        texts: &texts,
        theme: &theme,
        details: &state.config.kiosk.greeting_details,
        diagnostic: display.diagnostic_overlay,
        shop_name: &display.shop_name,
        welcome_text: &display.welcome_text,
        logo: state.logo.as_ref(),
    };
    if state.scene == Scene::Attract {
        egui::CentralPanel::default().show(ui, |ui| view.attract_ui(ui));
        return;
    }
    let mut command = None;
    egui::Panel::right("public_view")
        .exact_size(540.0)
        .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(24.0))
        .show(ui, |ui| command = view.panel_ui(ui));
    egui::CentralPanel::default().show(ui, |ui| {
        let rect = ui.available_rect_before_wrap();
        ui.painter().rect_filled(rect, 0.0, theme.palette.backdrop);
    });
    state.commands.extend(command);
}

pub fn public_harness(state: PublicState) -> Harness<'static, PublicState> {
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(public_ui, state)
}

/// An open enrolment form on a face photo from the fixtures.
pub fn enroll_form(
    guidance: Option<Guidance>,
    existing: Option<(PersonId, String, f32)>,
) -> EnrollForm {
    let photo = image::open(super::fixture("faces/single/mpl_grace_hopper.jpg"))
        .unwrap()
        .into_rgb8();
    let aligned = image::imageops::resize(&photo, 112, 112, image::imageops::FilterType::Triangle);
    let detection = Detection {
        bbox: BoundingBox {
            x: 0.0,
            y: 0.0,
            width: 112.0,
            height: 112.0,
        },
        score: 0.9,
        landmarks: [[0.0; 2]; 5],
    };
    let mut raw = [0f32; 128];
    raw[0] = 1.0;
    let quality = FaceQuality::measure(&detection, &aligned);
    let sample = frontdesk::engine::AnalyzedFace {
        detection,
        aligned,
        embedding: Embedding::from_raw(&raw).unwrap(),
        quality,
    };
    EnrollForm::new(Arc::new(sample), guidance, existing)
}
