//! The kiosk window under hostile conditions, through its real widgets (egui_kittest): frames too
//! big for the GPU.
// A failed unwrap is a failed test: the no-panic rule (Cargo.toml `[lints]`) is for the program.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod common;

use std::path::{Path, PathBuf};

use common::fixture;
use common::kiosk::{shows, wait_for};
use egui_kittest::Harness;
use frontdesk::camera::SourceSpec;
use frontdesk::config::Config;
use frontdesk::ui::{KioskApp, KioskOptions};

/// A frame folder that shows one photo on a `width`×`height` canvas, `frames` times.
fn still_frames(dir: &Path, photo: &str, width: u32, height: u32, frames: usize) -> PathBuf {
    let folder = dir.join("frames");
    std::fs::create_dir_all(&folder).unwrap();
    let photo = image::open(fixture(photo)).unwrap().into_rgb8();
    let mut canvas = image::RgbImage::from_pixel(width, height, image::Rgb([90, 90, 96]));
    let scaled = image::imageops::resize(&photo, 340, 400, image::imageops::FilterType::Triangle);
    image::imageops::overlay(&mut canvas, &scaled, 150, 40);
    let first = folder.join("frame_0000.png");
    canvas.save(&first).unwrap();
    for index in 1..frames {
        std::fs::hard_link(&first, folder.join(format!("frame_{index:04}.png"))).unwrap();
    }
    folder
}

#[test]
fn a_frame_wider_than_the_gpu_allows_is_shown_scaled_down() {
    let dir = tempfile::tempdir().unwrap();
    // 10 000 px wide: beyond wgpu's 8192 px texture limit.
    let frames = still_frames(
        dir.path(),
        "faces/single/mpl_grace_hopper.jpg",
        10_000,
        480,
        50,
    );
    let options = KioskOptions {
        config: Config::defaults().unwrap(),
        config_path: dir.path().join("config.toml"),
        db_path: dir.path().join("gallery.db"),
        source: SourceSpec::Images(frames),
    };
    // A real GPU device (not the default lazy renderer), so that the texture is really uploaded.
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .wgpu()
        .build_eframe(move |cc| KioskApp::new(&cc.egui_ctx, options));
    wait_for(&mut harness, "the visitor in the huge frame", |h| {
        shows(h, "New visitor")
    });
    harness.run_steps(5);
    harness.render().unwrap();
    assert!(shows(&harness, "New visitor"));
}
