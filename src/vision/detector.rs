//! YuNet face detector: any image size in, boxes, five landmarks and scores in image coordinates out.

use std::path::Path;

use image::RgbImage;
use ort::environment::Environment;
use ort::session::Session;
use ort::value::TensorRef;

use super::align::{Affine, warp_affine};
use super::{BoundingBox, VisionError};
use crate::models::{self, ModelSpec};

const ROLE: &str = models::DETECTOR.role;
const STRIDES: [usize; 3] = [8, 16, 32];
/// YuNet's input sides must be multiples of this.
const ALIGN: u32 = 32;
/// Long side of the extra coarse pass that finds faces filling the whole frame (YuNet's anchors stop
/// at about 300 px, so a visitor leaning into the camera is missed at full resolution).
const COARSE_SIDE: u32 = 320;
/// Faces at least this big (in fine-pass pixels) are taken from the coarse pass.
const BIG_FACE_SIDE: f32 = 200.0;
/// Long side of a quick look for such big faces, a quarter of the coarse pass's cost (at 640x480 a
/// big face is still 50 px in it, where YuNet finds faces surely). Only when it sees one is the
/// coarse pass run, for the landmarks its finer grid places better; most frames hold no big face.
pub const PROBE_SIDE: u32 = 160;
/// A face in the quick look counts as big from this share of `BIG_FACE_SIDE`: its coarser boxes
/// may come out a little smaller.
const PROBE_SLACK: f32 = 0.75;
/// NMS overlap, as in OpenCV's FaceDetectorYN.
const NMS_IOU: f32 = 0.3;
/// Candidates scoring below this must also have face-like landmarks to be kept.
const CONFIDENT_SCORE: f32 = 0.85;
/// Largest nose offset from the eyes' midpoint, in eye distances, for a weak candidate. Real faces
/// turned far enough to exceed it score high anyway; animals and patterns that fool YuNet do not.
const MAX_WEAK_YAW: f32 = 0.5;
/// Eye-line tilt (as YuNet reads it) from which a face's landmarks are taken from a copy turned
/// upright whatever it scores. YuNet's landmarks drift on heads tilted 20-45 degrees, and the
/// alignment built on them spoils the embedding (tests/it/accuracy.rs: a fifth of such faces went
/// unnamed). Below this, a face keeps the reference pipeline's landmarks (a head in a group photo
/// read at 19 degrees would change its embedding to cosine 0.88 of OpenCV's).
const UPRIGHT_ROLL_DEGREES: f32 = 22.0;
/// Side of the upright copy, and how much of the image around the face it shows (in face sizes):
/// the face comes out about 100 px wide, where YuNet's landmarks are at their best.
const UPRIGHT_SIDE: u32 = 256;
const UPRIGHT_CONTEXT: f32 = 2.5;
/// How much further than the tilt YuNet reads the extra view is turned, in degrees: a head tilted
/// 20-45 degrees, read as 5-25, comes within about 15 of upright in it.
const TRY_TURN: f32 = 30.0;
/// How much better the extra view must score than the original detection to replace its
/// landmarks. Upright faces score lower in a view turned by `TRY_TURN`, tilted ones higher
/// (0.93 upright against 0.88 at 40 degrees, typically).
const CLEARLY_BETTER: f32 = 0.02;
/// Faces scoring at least this get no extra view: it would have to score
/// `CLEARLY_BETTER` more, above what YuNet gives almost any face, so the extra pass is saved.
const UPRIGHT_SCORE: f32 = 0.93;

/// One face found in an image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    pub bbox: BoundingBox,
    pub score: f32,
    /// Right eye, left eye (as seen: left-most first), nose tip, right and left mouth corner.
    pub landmarks: [[f32; 2]; 5],
}

impl Detection {
    /// Nose offset from the eyes' midpoint in eye distances: 0 when facing the camera.
    pub fn yaw(&self) -> f32 {
        let [right_eye, left_eye, nose, _, _] = self.landmarks;
        let eye_distance = (left_eye[0] - right_eye[0])
            .hypot(left_eye[1] - right_eye[1])
            .max(1e-3);
        (nose[0] - (left_eye[0] + right_eye[0]) / 2.0) / eye_distance
    }

    /// Eye-line tilt in degrees, positive when the face leans towards the image's right (as seen).
    pub fn roll_degrees(&self) -> f32 {
        let [right_eye, left_eye, _, _, _] = self.landmarks;
        (left_eye[1] - right_eye[1])
            .atan2(left_eye[0] - right_eye[0])
            .to_degrees()
    }

    /// Confident detections, and weaker ones whose landmarks are laid out like a face's.
    pub fn is_plausible(&self) -> bool {
        self.score >= CONFIDENT_SCORE || self.yaw().abs() <= MAX_WEAK_YAW
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorOptions {
    pub score_threshold: f32,
    /// Images with a longer side are scaled down to it before detection.
    pub max_side: u32,
}

pub struct FaceDetector {
    session: Session,
    options: DetectorOptions,
    /// Input tensors of the fine and the coarse pass, reused between frames: a camera's frames
    /// keep their size, so the memory is neither faulted in nor zeroed again. The third is for
    /// upright copies of tilted faces.
    inputs: [Vec<f32>; 3],
}

impl FaceDetector {
    /// Checks the model file against its checksum, then loads it.
    pub fn load(
        environment: &Environment,
        path: &Path,
        threads: usize,
        options: DetectorOptions,
    ) -> Result<Self, VisionError> {
        let session = load_session(environment, path, &models::DETECTOR, threads)?;
        let expected = ["cls_8", "obj_8", "bbox_8", "kps_8", "cls_32"];
        let has_outputs = expected
            .iter()
            .all(|name| session.outputs().iter().any(|o| o.name() == *name));
        if !has_outputs {
            return Err(VisionError::Session {
                role: ROLE,
                path: path.to_path_buf(),
                message: "the file has not the outputs of YuNet (cls_8, obj_8, bbox_8, kps_8, ...)"
                    .into(),
            });
        }
        Ok(Self {
            session,
            options,
            inputs: [Vec::new(), Vec::new(), Vec::new()],
        })
    }

    pub fn options(&self) -> DetectorOptions {
        self.options
    }

    /// Finds faces. Runs at (up to) full resolution, plus a coarse pass for faces that fill the frame.
    pub fn detect(&mut self, image: &RgbImage) -> Result<Vec<Detection>, VisionError> {
        let (width, height) = image.dimensions();
        let long_side = width.max(height);
        if long_side == 0 {
            return Ok(Vec::new());
        }
        let fine_side = long_side.min(self.options.max_side);
        // Implausible candidates are dropped after NMS, so that the weaker boxes they suppressed
        // (usually the same non-face) do not resurface.
        let mut found = non_maximum_suppression(self.detect_at(image, fine_side, 0)?, NMS_IOU);
        found.retain(Detection::is_plausible);
        if long_side > COARSE_SIDE * 5 / 4 {
            // The fine pass places landmarks more precisely, so the coarse pass only adds faces too
            // big for it, where it found nothing.
            let min_big_side = BIG_FACE_SIDE * long_side as f32 / fine_side as f32;
            let probe = self.detect_at(image, PROBE_SIDE, 1)?;
            if !new_big_faces(probe, &found, PROBE_SLACK * min_big_side).is_empty() {
                let coarse = self.detect_at(image, COARSE_SIDE, 1)?;
                found.extend(new_big_faces(coarse, &found, min_big_side));
            }
        }
        Ok(found)
    }

    /// `detection` with its landmarks found again on an upright copy of the face when the head is
    /// tilted; unchanged when it is upright or no copy shows the face better.
    ///
    /// The landmarks' own tilt is not enough to tell: YuNet reads a head tilted 40 degrees as 5 to
    /// 15. But it scores a face highest when upright, so a copy turned `TRY_TURN` degrees further
    /// the way it reads the tilt is looked at too, and wins if it clearly beats the original.
    pub fn upright(
        &mut self,
        image: &RgbImage,
        detection: &Detection,
    ) -> Result<Detection, VisionError> {
        let measured = detection.roll_degrees();
        let mut turns = Vec::with_capacity(2);
        if measured.abs() >= UPRIGHT_ROLL_DEGREES {
            // A large tilt as read is evidence enough.
            turns.push((measured, true));
        }
        if detection.score < UPRIGHT_SCORE {
            // YuNet under-reads a tilt but gets its direction right: look further that way.
            turns.push((measured + TRY_TURN.copysign(measured), false));
        }
        let mut best: Option<Detection> = None;
        for (turn, trusted) in turns {
            let Some(view) = self.view_turned(image, detection, turn)? else {
                continue;
            };
            let good = trusted || view.score >= detection.score + CLEARLY_BETTER;
            if good && best.is_none_or(|b| view.score > b.score) {
                best = Some(view);
            }
        }
        Ok(best.map_or(*detection, |view| Detection {
            landmarks: view.landmarks,
            ..*detection
        }))
    }

    /// The face of `detection` found again on a copy of the image turned by `-roll` degrees about
    /// it, with the copy's score and its landmarks mapped back onto `image`.
    fn view_turned(
        &mut self,
        image: &RgbImage,
        detection: &Detection,
        roll: f32,
    ) -> Result<Option<Detection>, VisionError> {
        let [cx, cy] = detection.bbox.center();
        let face_side = detection.bbox.width.max(detection.bbox.height).max(1.0);
        let scale = UPRIGHT_SIDE as f32 / (UPRIGHT_CONTEXT * face_side);
        let (sin, cos) = (-roll).to_radians().sin_cos();
        let (a, b, c, d) = (scale * cos, -scale * sin, scale * sin, scale * cos);
        let half = UPRIGHT_SIDE as f32 / 2.0;
        let to_view = Affine([
            [a, b, half - (a * cx + b * cy)],
            [c, d, half - (c * cx + d * cy)],
        ]);
        let (Some(back), Some(view)) =
            (to_view.invert(), warp_affine(image, &to_view, UPRIGHT_SIDE))
        else {
            return Ok(None);
        };
        let candidates = self.detect_at(&view, UPRIGHT_SIDE, 2)?;
        let nearest = non_maximum_suppression(candidates, NMS_IOU)
            .into_iter()
            .filter(Detection::is_plausible)
            .map(|found| {
                let [x, y] = found.bbox.center();
                ((x - half).hypot(y - half), found)
            })
            // The same face is centred in the copy; another one is at least a face size away.
            .filter(|(distance, _)| *distance < half / UPRIGHT_CONTEXT)
            .min_by(|p, q| p.0.total_cmp(&q.0));
        Ok(nearest.map(|(_, found)| Detection {
            landmarks: found.landmarks.map(|point| back.apply(point)),
            ..found
        }))
    }

    /// One detector pass on `image` scaled so that its longer side is `target_long_side`, with
    /// input buffer `slot`.
    fn detect_at(
        &mut self,
        image: &RgbImage,
        target_long_side: u32,
        slot: usize,
    ) -> Result<Vec<Detection>, VisionError> {
        let (width, height) = image.dimensions();
        let mut tensor = self
            .inputs
            .get_mut(slot)
            .map(std::mem::take)
            .unwrap_or_default();
        let (shape, (scaled_w, scaled_h)) =
            fill_network_input(image, target_long_side, &mut tensor);
        let decoded = self.run_and_decode(&tensor, shape);
        if let Some(buffer) = self.inputs.get_mut(slot) {
            *buffer = tensor;
        }
        let mut detections = decoded?;
        let (sx, sy) = (
            scaled_w as f32 / width as f32,
            scaled_h as f32 / height as f32,
        );
        for detection in &mut detections {
            detection.bbox.x /= sx;
            detection.bbox.width /= sx;
            detection.bbox.y /= sy;
            detection.bbox.height /= sy;
            for point in &mut detection.landmarks {
                point[0] /= sx;
                point[1] /= sy;
            }
        }
        Ok(detections)
    }

    /// Runs YuNet on a prepared input and decodes every stride's candidates above the threshold.
    fn run_and_decode(
        &mut self,
        tensor: &[f32],
        shape: [usize; 4],
    ) -> Result<Vec<Detection>, VisionError> {
        let [_, _, padded_h, padded_w] = shape;
        let inference = |e: ort::Error| VisionError::Inference {
            role: ROLE,
            message: e.to_string(),
        };
        let input = TensorRef::from_array_view((shape, tensor)).map_err(inference)?;
        let outputs = self
            .session
            .run(ort::inputs!["input" => input])
            .map_err(inference)?;

        let mut detections = Vec::new();
        for stride in STRIDES {
            let grid = Grid {
                stride,
                cols: padded_w / stride,
                rows: padded_h / stride,
            };
            let tensor_of = |prefix: &str| -> Result<&[f32], VisionError> {
                let name = format!("{prefix}_{stride}");
                let value = outputs.get(&name).ok_or_else(|| VisionError::Inference {
                    role: ROLE,
                    message: format!("model produced no `{name}` output"),
                })?;
                let (_, data) = value.try_extract_tensor::<f32>().map_err(inference)?;
                Ok(data)
            };
            let heads = Heads {
                cls: tensor_of("cls")?,
                obj: tensor_of("obj")?,
                bbox: tensor_of("bbox")?,
                kps: tensor_of("kps")?,
            };
            decode_stride(&grid, &heads, self.options.score_threshold, &mut detections);
        }
        Ok(detections)
    }
}

/// Plausible faces of `candidates` at least `min_side` big that none of `found` covers.
fn new_big_faces(candidates: Vec<Detection>, found: &[Detection], min_side: f32) -> Vec<Detection> {
    non_maximum_suppression(candidates, NMS_IOU)
        .into_iter()
        .filter(|d| d.is_plausible() && d.bbox.min_side() >= min_side)
        .filter(|d| found.iter().all(|f| f.bbox.iou(&d.bbox) <= NMS_IOU))
        .collect()
}

/// YuNet's input for one pass: the image scaled so its longer side is `target_long_side`, as a
/// BGR NCHW tensor padded to multiples of 32.
pub struct NetworkInput {
    pub tensor: Vec<f32>,
    pub shape: [usize; 4],
    /// Size of the scaled image inside the padding.
    pub scaled: (u32, u32),
}

pub fn network_input(image: &RgbImage, target_long_side: u32) -> NetworkInput {
    let mut tensor = Vec::new();
    let (shape, scaled) = fill_network_input(image, target_long_side, &mut tensor);
    NetworkInput {
        tensor,
        shape,
        scaled,
    }
}

/// Writes YuNet's input into `tensor` (reusing its memory); returns the shape and the scaled size.
fn fill_network_input(
    image: &RgbImage,
    target_long_side: u32,
    tensor: &mut Vec<f32>,
) -> ([usize; 4], (u32, u32)) {
    let (width, height) = image.dimensions();
    let scale = target_long_side as f32 / width.max(height).max(1) as f32;
    let scaled_w = ((width as f32 * scale).round() as u32).max(1);
    let scaled_h = ((height as f32 * scale).round() as u32).max(1);
    let padded_w = (scaled_w.div_ceil(ALIGN) * ALIGN) as usize;
    let padded_h = (scaled_h.div_ceil(ALIGN) * ALIGN) as usize;
    let long_side = width.max(height);
    let factor = long_side / target_long_side.max(1);
    if (scaled_w, scaled_h) == (width, height) {
        bgr_planar(image, padded_w, padded_h, tensor);
    } else if factor >= 2
        && long_side % target_long_side == 0
        && width % factor == 0
        && height % factor == 0
    {
        // Common webcam sizes shrink to the coarse pass by a whole factor: average the blocks
        // straight into the tensor (area interpolation) instead of resizing first.
        bgr_planar_binned(image, factor as usize, padded_w, padded_h, tensor);
    } else {
        bgr_planar(
            &super::resize_rgb(image, scaled_w, scaled_h),
            padded_w,
            padded_h,
            tensor,
        );
    }
    ([1, 3, padded_h, padded_w], (scaled_w, scaled_h))
}

/// Session options shared by both models: a fixed intra-op pool that does not spin. Spinning
/// threads of one session would steal the CPU from the other, which runs right after it.
pub fn session_builder(
    environment: &Environment,
    threads: usize,
) -> ort::Result<ort::session::builder::SessionBuilder> {
    Session::builder(environment)
        .and_then(|b| b.with_intra_threads(threads.max(1)).map_err(Into::into))
        .and_then(|b| b.with_inter_threads(1).map_err(Into::into))
        .and_then(|b| b.with_intra_op_spinning(false).map_err(Into::into))
}

/// Builds an ONNX Runtime session from a model file that passed its checksum.
pub(crate) fn load_session(
    environment: &Environment,
    path: &Path,
    spec: &ModelSpec,
    threads: usize,
) -> Result<Session, VisionError> {
    models::verify(path, spec)?;
    let session_error = |message: String| VisionError::Session {
        role: spec.role,
        path: path.to_path_buf(),
        message,
    };
    session_builder(environment, threads)
        .and_then(|mut b| b.commit_from_file(path))
        .map_err(|e| session_error(e.to_string()))
}

/// Sizes `tensor` as a BGR NCHW tensor of `padded_w`x`padded_h` and writes every value of it, so a
/// reused buffer needs no clearing: `fill_row(b, g, r)` writes the next image row's first
/// `content_w` values of each plane and returns false once the image has no more rows; everything
/// else is zero padding.
fn write_bgr_planes(
    tensor: &mut Vec<f32>,
    padded_w: usize,
    padded_h: usize,
    content_w: usize,
    mut fill_row: impl FnMut(&mut [f32], &mut [f32], &mut [f32]) -> bool,
) {
    let plane = padded_w * padded_h;
    tensor.resize(3 * plane, 0.0);
    let (blue, rest) = tensor.split_at_mut(plane);
    let (green, red) = rest.split_at_mut(plane);
    let content_w = content_w.min(padded_w);
    for ((b, g), r) in blue
        .chunks_exact_mut(padded_w)
        .zip(green.chunks_exact_mut(padded_w))
        .zip(red.chunks_exact_mut(padded_w))
    {
        let (b_image, b_pad) = b.split_at_mut(content_w);
        let (g_image, g_pad) = g.split_at_mut(content_w);
        let (r_image, r_pad) = r.split_at_mut(content_w);
        if !fill_row(b_image, g_image, r_image) {
            b_image.fill(0.0);
            g_image.fill(0.0);
            r_image.fill(0.0);
        }
        b_pad.fill(0.0);
        g_pad.fill(0.0);
        r_pad.fill(0.0);
    }
}

/// NCHW float tensor, BGR channel order, raw 0..255 values, zero padding right and bottom.
fn bgr_planar(image: &RgbImage, padded_w: usize, padded_h: usize, tensor: &mut Vec<f32>) {
    let mut rows = image.as_raw().chunks_exact(image.width() as usize * 3);
    write_bgr_planes(
        tensor,
        padded_w,
        padded_h,
        image.width() as usize,
        |b, g, r| {
            let Some(row) = rows.next() else { return false };
            for (((pixel, b), g), r) in row.chunks_exact(3).zip(b).zip(g).zip(r) {
                if let [pr, pg, pb] = *pixel {
                    *b = f32::from(pb);
                    *g = f32::from(pg);
                    *r = f32::from(pr);
                }
            }
            true
        },
    );
}

/// Like [`bgr_planar`] for the image shrunk by a whole `factor`, each output pixel the mean of a
/// `factor`x`factor` block.
fn bgr_planar_binned(
    image: &RgbImage,
    factor: usize,
    padded_w: usize,
    padded_h: usize,
    tensor: &mut Vec<f32>,
) {
    let out_w = (image.width() as usize / factor).min(padded_w);
    let source_rows: Vec<&[u8]> = image
        .as_raw()
        .chunks_exact(image.width() as usize * 3)
        .collect();
    let mut bands = source_rows.chunks_exact(factor);
    let norm = 1.0 / (factor * factor) as f32;
    let mut sums = vec![[0u32; 3]; out_w];
    write_bgr_planes(tensor, padded_w, padded_h, out_w, |b, g, r| {
        let Some(band) = bands.next() else {
            return false;
        };
        sums.iter_mut().for_each(|s| *s = [0; 3]);
        for row in band {
            for (sum, block) in sums.iter_mut().zip(row.chunks_exact(3 * factor)) {
                for pixel in block.chunks_exact(3) {
                    if let [pr, pg, pb] = *pixel {
                        sum[0] += u32::from(pr);
                        sum[1] += u32::from(pg);
                        sum[2] += u32::from(pb);
                    }
                }
            }
        }
        for (((sum, b), g), r) in sums.iter().zip(b).zip(g).zip(r) {
            *r = sum[0] as f32 * norm;
            *g = sum[1] as f32 * norm;
            *b = sum[2] as f32 * norm;
        }
        true
    });
}

struct Grid {
    stride: usize,
    cols: usize,
    rows: usize,
}

struct Heads<'a> {
    cls: &'a [f32],
    obj: &'a [f32],
    bbox: &'a [f32],
    kps: &'a [f32],
}

/// Turns one stride's raw outputs into detections in the (scaled, padded) input's coordinates.
fn decode_stride(grid: &Grid, heads: &Heads<'_>, threshold: f32, out: &mut Vec<Detection>) {
    let s = grid.stride as f32;
    let cells = (grid.rows * grid.cols)
        .min(heads.cls.len())
        .min(heads.obj.len())
        .min(heads.bbox.len() / 4)
        .min(heads.kps.len() / 10);
    for index in 0..cells {
        let (cls, obj) = (
            heads.cls[index].clamp(0.0, 1.0),
            heads.obj[index].clamp(0.0, 1.0),
        );
        let score = (cls * obj).sqrt();
        if score < threshold {
            continue;
        }
        let col = (index % grid.cols) as f32;
        let row = (index / grid.cols) as f32;
        let b = &heads.bbox[index * 4..index * 4 + 4];
        let k = &heads.kps[index * 10..index * 10 + 10];
        let (cx, cy) = ((col + b[0]) * s, (row + b[1]) * s);
        let (w, h) = (b[2].exp() * s, b[3].exp() * s);
        let mut landmarks = [[0f32; 2]; 5];
        for (i, point) in landmarks.iter_mut().enumerate() {
            *point = [(k[2 * i] + col) * s, (k[2 * i + 1] + row) * s];
        }
        out.push(Detection {
            bbox: BoundingBox {
                x: cx - w / 2.0,
                y: cy - h / 2.0,
                width: w,
                height: h,
            },
            score,
            landmarks,
        });
    }
}

/// Greedy NMS: keeps the best-scoring box of every group overlapping by more than `iou`.
pub fn non_maximum_suppression(mut detections: Vec<Detection>, iou: f32) -> Vec<Detection> {
    detections.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::with_capacity(detections.len());
    for candidate in detections {
        if kept.iter().all(|k| k.bbox.iou(&candidate.bbox) <= iou) {
            kept.push(candidate);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detection(x: f32, score: f32) -> Detection {
        Detection {
            bbox: BoundingBox {
                x,
                y: 0.0,
                width: 10.0,
                height: 10.0,
            },
            score,
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn nms_keeps_best_of_overlapping_and_all_disjoint() {
        let kept = non_maximum_suppression(
            vec![
                detection(0.0, 0.7),
                detection(1.0, 0.9),
                detection(50.0, 0.8),
            ],
            0.3,
        );
        let scores: Vec<f32> = kept.iter().map(|d| d.score).collect();
        assert_eq!(scores, vec![0.9, 0.8]);
    }

    #[test]
    fn decode_places_box_and_landmarks_in_the_right_cell() {
        // A 2x2 grid at stride 8; only cell (row 1, col 0) fires.
        let grid = Grid {
            stride: 8,
            cols: 2,
            rows: 2,
        };
        let cls = [0.0, 0.0, 0.81, 0.0];
        let obj = [0.0, 0.0, 1.0, 0.0];
        let mut bbox = [0f32; 16];
        bbox[8..12].copy_from_slice(&[0.5, 0.5, 0.0, (2.0f32).ln()]);
        let mut kps = [0f32; 40];
        kps[20..30].copy_from_slice(&[0.25, 0.5, 0.75, 0.5, 0.5, 0.75, 0.25, 1.0, 0.75, 1.0]);
        let heads = Heads {
            cls: &cls,
            obj: &obj,
            bbox: &bbox,
            kps: &kps,
        };
        let mut out = Vec::new();
        decode_stride(&grid, &heads, 0.5, &mut out);
        assert_eq!(out.len(), 1);
        let d = out[0];
        assert!((d.score - 0.9).abs() < 1e-6);
        // centre (4, 12), 8 wide, 16 high
        assert!((d.bbox.x - 0.0).abs() < 1e-5 && (d.bbox.y - 4.0).abs() < 1e-5);
        assert!((d.bbox.width - 8.0).abs() < 1e-5 && (d.bbox.height - 16.0).abs() < 1e-4);
        assert_eq!(d.landmarks[0], [2.0, 12.0]);
        assert_eq!(d.landmarks[4], [6.0, 16.0]);
    }

    #[test]
    fn scores_below_threshold_and_out_of_range_values_are_clamped_away() {
        let grid = Grid {
            stride: 32,
            cols: 1,
            rows: 1,
        };
        let heads = Heads {
            cls: &[1.5],
            obj: &[-0.2],
            bbox: &[0.0; 4],
            kps: &[0.0; 10],
        };
        let mut out = Vec::new();
        decode_stride(&grid, &heads, 0.1, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn planar_tensor_is_bgr_and_zero_padded() {
        let image = RgbImage::from_raw(1, 1, vec![10, 20, 30]).unwrap();
        let mut tensor = Vec::new();
        bgr_planar(&image, 2, 1, &mut tensor);
        assert_eq!(tensor, vec![30.0, 0.0, 20.0, 0.0, 10.0, 0.0]);
    }

    #[test]
    fn binned_tensor_averages_blocks_in_bgr_order() {
        // 4x2 image, factor 2 -> 2x1 output padded to 3 columns.
        let image = RgbImage::from_raw(
            4,
            2,
            vec![
                0, 10, 20, 2, 12, 22, 100, 0, 0, 100, 0, 0, //
                4, 14, 24, 6, 16, 26, 100, 0, 0, 100, 0, 0,
            ],
        )
        .unwrap();
        let mut tensor = vec![9.0; 3];
        bgr_planar_binned(&image, 2, 3, 1, &mut tensor);
        assert_eq!(
            tensor,
            vec![23.0, 0.0, 0.0, 13.0, 0.0, 0.0, 3.0, 100.0, 0.0]
        );
    }

    #[test]
    fn reused_buffer_gets_fresh_padding() {
        let big = RgbImage::from_pixel(2, 2, image::Rgb([9, 9, 9]));
        let small = RgbImage::from_raw(1, 1, vec![10, 20, 30]).unwrap();
        let mut tensor = Vec::new();
        bgr_planar(&big, 2, 2, &mut tensor);
        bgr_planar(&small, 2, 2, &mut tensor);
        assert_eq!(
            tensor,
            vec![
                30.0, 0.0, 0.0, 0.0, 20.0, 0.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0
            ]
        );
    }
}
