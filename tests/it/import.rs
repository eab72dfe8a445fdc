//! `frontdesk import` on a folder of real photos with a people.csv, as a shop moving its regulars
//! to Frontdesk would run it.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{fixture, frontdesk_cli, person_folder};
use serde_json::Value;

/// Six people as another system exported them: two good, one with some bad photos, one whose
/// consent is not recorded, one who said no, one whose only photo shows no face, and a CSV row
/// without photos.
fn export_folder(dir: &Path) -> PathBuf {
    let import = dir.join("regulars");
    person_folder(&import, "John Salley", "John_Salley", 3);
    let savage = person_folder(&import, "John Savage", "John_Savage", 2);
    std::fs::copy(
        fixture("negatives/cvd_LinuxLogo.jpg"),
        savage.join("logo.jpg"),
    )
    .unwrap();
    std::fs::write(savage.join("broken.jpg"), b"this is not a JPEG").unwrap();
    std::fs::write(savage.join("notes.txt"), b"likes the window seat").unwrap();
    person_folder(&import, "John Simm", "John_Simm", 2);
    person_folder(&import, "John Shimkus", "John_Shimkus", 2);
    let nobody = import.join("Flora Flower");
    std::fs::create_dir(&nobody).unwrap();
    std::fs::copy(fixture("negatives/skl_flower.jpg"), nobody.join("1.jpg")).unwrap();
    std::fs::write(
        import.join("people.csv"),
        "name,loyalty,coffee,consent\n\
         John Salley,L-1001,oat flat white,yes\n\
         john savage,L-1002,,yes\n\
         John Simm,L-1003,espresso,\n\
         John Shimkus,L-1006,,no\n\
         Flora Flower,L-1004,,yes\n\
         Carol Absent,L-1005,tea,yes\n",
    )
    .unwrap();
    import
}

struct Kiosk {
    dir: tempfile::TempDir,
}

impl Kiosk {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), "").unwrap();
        Self { dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        frontdesk_cli(
            &self.dir.path().join("gallery.db"),
            &self.dir.path().join("config.toml"),
        )
        .args(args)
        .output()
        .unwrap()
    }

    fn people(&self) -> Vec<Value> {
        let output = self.run(&["people", "list", "--json"]);
        assert!(output.status.success());
        json_lines(&output)
    }
}

fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn by_name<'a>(lines: &'a [Value], name: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["name"] == name)
        .unwrap_or_else(|| panic!("no line for {name}: {lines:?}"))
}

fn reasons(line: &Value) -> Vec<(String, String)> {
    line["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let image = r["image"].as_str().unwrap();
            let file = Path::new(image).file_name().unwrap().to_string_lossy();
            (file.into_owned(), r["reason"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn a_folder_of_people_imports_with_details_and_consent_and_again_changes_nothing() {
    let kiosk = Kiosk::new();
    let import = export_folder(kiosk.dir.path());
    let folder = import.to_str().unwrap();

    // A dry run checks every photo and saves nothing.
    let dry = kiosk.run(&["import", folder, "--dry-run", "--json"]);
    let dry_lines = json_lines(&dry);
    assert_eq!(by_name(&dry_lines, "John Salley")["status"], "would_import");
    assert_eq!(dry_lines.last().unwrap()["summary"]["would_import"], 2);
    assert!(kiosk.people().is_empty(), "a dry run saved people");

    let first = kiosk.run(&["import", folder, "--json"]);
    assert!(
        !first.status.success(),
        "refusals make the exit status fail"
    );
    let lines = json_lines(&first);
    let salley = by_name(&lines, "John Salley");
    assert_eq!(salley["status"], "imported", "{salley}");
    let savage = by_name(&lines, "John Savage");
    assert_eq!(savage["status"], "imported", "{savage}");
    let mut savage_reasons = reasons(savage);
    savage_reasons.sort();
    assert_eq!(
        savage_reasons,
        vec![
            ("broken.jpg".into(), "unreadable".into()),
            ("logo.jpg".into(), "no_face".into())
        ]
    );
    assert_eq!(savage["faces_added"], 2);
    let simm = by_name(&lines, "John Simm");
    assert_eq!(
        (&simm["status"], &simm["reason"]),
        (&"refused".into(), &"consent_required".into())
    );
    let flora = by_name(&lines, "Flora Flower");
    assert_eq!(
        (&flora["status"], &flora["reason"]),
        (&"refused".into(), &"no_usable_photo".into())
    );
    assert_eq!(reasons(flora), vec![("1.jpg".into(), "no_face".into())]);
    let summary = &lines.last().unwrap()["summary"];
    assert_eq!(summary["imported"], 2);
    assert_eq!(summary["refused"], 3);
    let shimkus = by_name(&lines, "John Shimkus");
    assert_eq!(shimkus["reason"], "consent_required");
    assert_eq!(
        summary["in_csv_without_photos"],
        serde_json::json!(["Carol Absent"])
    );

    // Details and consent from the CSV are kept; the refused were not half-created.
    let people = kiosk.people();
    let names: Vec<&str> = people.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["John Salley", "John Savage"]);
    let salley = by_name(&people, "John Salley");
    assert_eq!(salley["details"]["loyalty"], "L-1001");
    assert_eq!(salley["details"]["coffee"], "oat flat white");
    assert!(salley["consent_at"].is_string(), "{salley}");
    assert!(
        by_name(&people, "John Savage")["details"]
            .get("coffee")
            .is_none()
    );

    // The imported are recognised from a photo the import did not use.
    let probe = fixture("johns/John_Salley/000200_02159354.jpg");
    let identified = json_lines(&kiosk.run(&["identify", "--json", probe.to_str().unwrap()]));
    assert_eq!(identified[0]["faces"][0]["person"]["name"], "John Salley");

    // The same import again: nobody new, nobody changed.
    let again = json_lines(&kiosk.run(&["import", folder, "--json"]));
    assert_eq!(by_name(&again, "John Salley")["status"], "already_there");
    assert_eq!(by_name(&again, "John Savage")["status"], "already_there");
    assert_eq!(again.last().unwrap()["summary"]["imported"], 0);
    assert_eq!(kiosk.people(), people);

    // --consent records it for the one whose consent the CSV did not say; the one who said no
    // stays out.
    let with_consent = json_lines(&kiosk.run(&["import", folder, "--consent", "--json"]));
    assert_eq!(by_name(&with_consent, "John Simm")["status"], "imported");
    let shimkus = by_name(&with_consent, "John Shimkus");
    assert_eq!(
        (&shimkus["status"], &shimkus["reason"]),
        (&"refused".into(), &"consent_required".into())
    );
}

#[test]
fn a_broken_csv_or_missing_folder_stops_before_anything_is_saved() {
    let kiosk = Kiosk::new();
    let import = kiosk.dir.path().join("import");
    person_folder(&import, "John Salley", "John_Salley", 1);
    std::fs::write(
        import.join("people.csv"),
        "name,consent\nJohn Salley,perhaps\n",
    )
    .unwrap();
    let output = kiosk.run(&["import", import.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("people.csv") && stderr.contains("line 2"),
        "{stderr}"
    );
    assert!(kiosk.people().is_empty());

    let missing = kiosk.run(&["import", "/no/such/folder"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read the import folder"));
}
