//! The public view, the enrolment form and the keyboard shortcuts drawn on their own with
//! egui_kittest: plain data in, commands out, no models and no threads.

use std::time::{Duration, Instant};

use crate::common::screens::{PublicState, enroll_form, public_harness, sam_greeting};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use frontdesk::config::Config;
use frontdesk::ui::{
    FADE, FaceInView, FaceKind, FormAction, FormContext, GreetingTracker, Language, PublicCommand,
    Scene, Texts, Theme, capture_pressed, enroll_form_ui,
};

fn shows<S>(harness: &Harness<'_, S>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

fn sam_in_view() -> Vec<FaceInView> {
    vec![FaceInView {
        track: 1,
        area: 40_000.0,
        kind: FaceKind::Known {
            name: "Sam Carter".into(),
        },
    }]
}

/// The public view following `faces` at `now`, with Sam greeted on track 1.
fn public_following_sam() -> Harness<'static, PublicState> {
    let mut tracker = GreetingTracker::default();
    tracker.greet(sam_greeting());
    let mut config = Config::defaults().unwrap();
    config.kiosk.greeting_details = frontdesk::config::GreetingDetails::All(true);
    public_harness(PublicState::new(config, tracker))
}

#[test]
fn the_greeting_is_large_then_fades_when_the_visitor_leaves_and_the_attract_screen_follows() {
    let mut harness = public_following_sam();
    let start = Instant::now();
    harness.state_mut().show(sam_in_view(), start);
    harness.run_steps(2);
    assert!(shows(&harness, "Welcome back, Sam!"));
    assert!(shows(&harness, "Visit number 4"));
    assert!(shows(&harness, "Prefers oat milk"));

    harness
        .state_mut()
        .show(Vec::new(), start + Duration::from_secs(1));
    harness.run_steps(1);
    harness
        .state_mut()
        .show(Vec::new(), start + Duration::from_secs(1) + FADE / 2);
    harness.run_steps(1);
    let opacity = match &harness.state().scene {
        Scene::Greeting { opacity, .. } => *opacity,
        other => panic!("the greeting went at once: {other:?}"),
    };
    assert!(opacity > 0.3 && opacity < 0.7, "half faded: {opacity}");

    harness
        .state_mut()
        .show(Vec::new(), start + Duration::from_secs(1) + FADE);
    harness.run_steps(2);
    assert!(!shows(&harness, "Sam"));
    assert!(shows(&harness, "Frontdesk"));
    assert!(shows(&harness, "Welcome! Step up to the counter."));
}

#[test]
fn no_greeting_stays_beside_a_stranger() {
    let mut harness = public_following_sam();
    let now = Instant::now();
    harness.state_mut().show(sam_in_view(), now);
    harness.run_steps(2);
    assert!(shows(&harness, "Welcome back, Sam!"));

    // Sam steps away and a stranger steps up in the same moment.
    let stranger = vec![FaceInView {
        track: 2,
        area: 40_000.0,
        kind: FaceKind::Unknown,
    }];
    harness.state_mut().show(stranger, now);
    harness.run_steps(2);
    assert!(!shows(&harness, "Sam"));
    assert!(shows(&harness, "New visitor"));
}

#[test]
fn several_people_the_nearest_is_greeted_and_the_others_listed_small() {
    let mut harness = public_following_sam();
    let known = |name: &str| FaceKind::Known { name: name.into() };
    let stranger_in_front = vec![
        FaceInView {
            track: 1,
            area: 2_000.0,
            kind: known("Sam Carter"),
        },
        FaceInView {
            track: 9,
            area: 9_000.0,
            kind: FaceKind::Unknown,
        },
    ];
    harness.state_mut().show(stranger_in_front, Instant::now());
    harness.run_steps(2);
    assert!(
        !shows(&harness, "Welcome back, Sam!"),
        "Sam is further back"
    );
    assert!(shows(&harness, "New visitor"));

    let sam_in_front = vec![
        FaceInView {
            track: 9,
            area: 9_000.0,
            kind: known("Ann Lee"),
        },
        FaceInView {
            track: 1,
            area: 50_000.0,
            kind: known("Sam Carter"),
        },
    ];
    harness.state_mut().show(sam_in_front, Instant::now());
    harness.run_steps(2);
    assert!(shows(&harness, "Welcome back, Sam!"));
    assert!(shows(&harness, "Also here: Ann Lee"));
}

#[test]
fn a_face_being_recognised_gets_a_calm_cue_and_nobody_gets_the_attract_screen() {
    let mut config = Config::defaults().unwrap();
    config.display.shop_name = "Bäckerei Sonnenschein".into();
    config.display.welcome_text = "Frisch gebacken seit 1921".into();
    let state = PublicState::new(config, GreetingTracker::default());
    let mut harness = public_harness(state);
    harness.run_steps(2);
    assert!(shows(&harness, "Bäckerei Sonnenschein"));
    assert!(shows(&harness, "Frisch gebacken seit 1921"));

    let pending = vec![FaceInView {
        track: 3,
        area: 30_000.0,
        kind: FaceKind::Pending,
    }];
    harness.state_mut().show(pending, Instant::now());
    harness.run_steps(2);
    assert!(shows(&harness, "Please look at the camera"));
    assert!(!shows(&harness, "Bäckerei"));
}

#[test]
fn a_borderline_match_is_greeted_by_first_name_without_details_or_history() {
    let mut tracker = GreetingTracker::default();
    tracker.greet(frontdesk::ui::Greeting {
        confident: false,
        ..sam_greeting()
    });
    let mut harness = public_harness(PublicState::new(Config::defaults().unwrap(), tracker));
    harness.state_mut().show(sam_in_view(), Instant::now());
    harness.run_steps(2);
    assert!(shows(&harness, "Welcome back, Sam!"));
    assert!(!shows(&harness, "Sam Carter"), "no full name");
    assert!(!shows(&harness, "Visit number"), "no visit history");
    assert!(!shows(&harness, "Last visit"), "no last visit");
    assert!(!shows(&harness, "Prefers oat milk"), "no details");
    assert!(shows(&harness, "Not Sam"), "staff can still correct it");
}

#[test]
fn scores_show_only_with_the_diagnostic_overlay() {
    let mut harness = public_following_sam();
    harness.state_mut().show(sam_in_view(), Instant::now());
    harness.run_steps(2);
    assert!(shows(&harness, "Welcome back, Sam!"));
    assert!(!shows(&harness, "similarity"));
    assert!(!shows(&harness, "0.71"));

    harness.state_mut().config.display.diagnostic_overlay = true;
    harness.run_steps(2);
    assert!(shows(&harness, "similarity 0.71"));
}

#[test]
fn not_them_is_a_command_out_of_the_public_view() {
    let mut harness = public_following_sam();
    harness.state_mut().show(sam_in_view(), Instant::now());
    harness.run_steps(2);
    harness.get_by_label("Not Sam").click();
    harness.run_steps(1);
    assert_eq!(
        harness.state().commands,
        [PublicCommand::NotThem { track: 1 }]
    );
}

#[test]
fn the_greeting_speaks_german_and_spanish_with_dates_in_their_format() {
    for (language, headline, last_visit) in [
        (
            Language::German,
            "Willkommen zurück, Sam!",
            "Letzter Besuch: 24.11.2026",
        ),
        (
            Language::Spanish,
            "¡Bienvenido de nuevo, Sam!",
            "Última visita: 24/11/2026",
        ),
    ] {
        let mut harness = public_following_sam();
        harness.state_mut().config.display.language = language;
        harness.state_mut().show(sam_in_view(), Instant::now());
        harness.run_steps(2);
        assert!(shows(&harness, headline), "{language:?}");
        assert!(shows(&harness, last_visit), "{language:?}");
        assert!(!shows(&harness, "Welcome"), "{language:?}");
    }
}

/// The enrolment form on its own, with what it sent out.
struct FormState {
    form: frontdesk::ui::EnrollForm,
    texts: Texts,
    theme: Theme,
    require_consent: bool,
    actions: Vec<FormAction>,
}

fn form_harness(require_consent: bool) -> Harness<'static, FormState> {
    let config = Config::defaults().unwrap();
    let state = FormState {
        form: enroll_form(None, None),
        texts: Texts::new(Language::English),
        theme: Theme::from_config(&config.display),
        require_consent,
        actions: Vec::new(),
    };
    Harness::builder().with_size([900.0, 700.0]).build_ui_state(
        |ui, state: &mut FormState| {
            let with = FormContext {
                texts: &state.texts,
                theme: &state.theme,
                require_consent: state.require_consent,
            };
            let action = enroll_form_ui(ui.ctx(), &mut state.form, &with);
            if !matches!(action, FormAction::None) {
                state.actions.push(action);
            }
        },
        state,
    )
}

#[test]
fn the_name_field_has_the_keyboard_when_the_form_opens_and_enter_saves() {
    let mut harness = form_harness(false);
    harness.run_steps(2);
    assert!(harness.get_by_label("Name").is_focused());
    // Typed without clicking anywhere first: the receptionist's first keys land in the name.
    harness.get_by_label("Name").type_text("Ann Lee");
    harness.run_steps(1);
    harness.key_press(egui::Key::Enter);
    harness.run_steps(1);
    let saved: Vec<String> = harness
        .state()
        .actions
        .iter()
        .filter_map(|a| match a {
            FormAction::Save(person) => Some(person.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(saved, ["Ann Lee"]);
}

#[test]
fn enter_does_not_save_an_incomplete_form() {
    let mut harness = form_harness(true);
    harness.run_steps(2);
    harness.get_by_label("Name").type_text("Ann Lee");
    harness.run_steps(1);
    harness.key_press(egui::Key::Enter);
    harness.run_steps(1);
    assert!(harness.state().actions.is_empty());
    assert!(shows(&harness, "The visitor's consent is required."));
}

#[test]
fn the_quality_hint_and_the_duplicate_warning_are_boxed_warnings() {
    let state = FormState {
        form: enroll_form(
            Some(frontdesk::vision::quality::Guidance::TooDark),
            Some((4, "Sam Carter".into(), 0.62)),
        ),
        texts: Texts::new(Language::English),
        theme: Theme::from_config(&Config::defaults().unwrap().display),
        require_consent: true,
        actions: Vec::new(),
    };
    let mut harness = Harness::builder().with_size([900.0, 700.0]).build_ui_state(
        |ui, state: &mut FormState| {
            let with = FormContext {
                texts: &state.texts,
                theme: &state.theme,
                require_consent: state.require_consent,
            };
            if let FormAction::AddTo(id) = enroll_form_ui(ui.ctx(), &mut state.form, &with) {
                state.actions.push(FormAction::AddTo(id));
            }
        },
        state,
    );
    harness.run_steps(2);
    assert!(shows(&harness, "Too dark: add light"));
    assert!(shows(
        &harness,
        "This face already looks like Sam Carter (similarity 0.62)"
    ));
    harness.get_by_label("Add photo to Sam Carter").click();
    harness.run_steps(1);
    assert!(matches!(
        harness.state().actions[..],
        [FormAction::AddTo(4)]
    ));
}

#[test]
fn shortcuts_are_inert_while_a_text_field_has_the_keyboard() {
    let mut harness = Harness::builder().with_size([400.0, 200.0]).build_ui_state(
        |ui, (text, captures): &mut (String, usize)| {
            let label = ui.label("Search");
            ui.text_edit_singleline(text).labelled_by(label.id);
            if capture_pressed(ui.ctx()) {
                *captures += 1;
            }
        },
        (String::new(), 0),
    );
    harness.run_steps(1);
    harness.key_press(egui::Key::Space);
    harness.run_steps(1);
    assert_eq!(harness.state().1, 1, "Space captures on the live view");

    harness.get_by_label("Search").focus();
    harness.run_steps(1);
    harness.key_press(egui::Key::Space);
    harness.get_by_label("Search").type_text("Ann Lee");
    harness.run_steps(2);
    assert_eq!(harness.state().1, 1, "no capture while typing");
    assert_eq!(harness.state().0, "Ann Lee");
}

/// `kiosk.greeting_details` as a list: the greeting shows the details named there and nothing
/// else: not Sam's phone or email, and his groups' check-ins only when "groups" is named.
#[test]
fn the_greeting_shows_only_the_details_the_kiosk_names() {
    use frontdesk::config::GreetingDetails;
    let greeted = |names: &[&str]| {
        let mut greeting = sam_greeting();
        greeting
            .person
            .details
            .insert("phone".into(), "+1 555 0100".into());
        greeting
            .person
            .details
            .insert("Email".into(), "sam@example.org".into());
        greeting.check_ins = vec![frontdesk::attendance::CheckIn {
            group: "Class 5B".into(),
            on_time: true,
        }];
        let mut tracker = GreetingTracker::default();
        tracker.greet(greeting);
        let mut config = Config::defaults().unwrap();
        config.kiosk.greeting_details =
            GreetingDetails::Named(names.iter().map(ToString::to_string).collect());
        let mut harness = public_harness(PublicState::new(config, tracker));
        harness.state_mut().show(sam_in_view(), Instant::now());
        harness.run_steps(2);
        assert!(shows(&harness, "Welcome back, Sam!"));
        harness
    };
    let coffee_only = greeted(&["Coffee"]);
    assert!(shows(&coffee_only, "Prefers oat milk"));
    assert!(
        !shows(&coffee_only, "555"),
        "the phone number is not public"
    );
    assert!(!shows(&coffee_only, "sam@example.org"), "nor the email");
    assert!(!shows(&coffee_only, "Class 5B"), "nor his groups");

    let with_groups = greeted(&["groups"]);
    assert!(shows(&with_groups, "Class 5B"));
    assert!(!shows(&with_groups, "Prefers oat milk"));
}
