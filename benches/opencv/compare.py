"""Frontdesk's engine against OpenCV's own YuNet + SFace pipeline, on the same frames.

Two frame sets are made from the test fixtures: "webcam" (100 real 640x360 frames with one face
each, from the fixture clips) and "photos" (every fixture photo of 150-720 px). Each round runs
`frontdesk embed --json` and `pipeline.py` on a set as whole processes (decode, detect, align,
embed, print), in turn, and reports per-frame wall and CPU time (user + system) and their ratio;
medians over the rounds. It also checks that both found the same faces, with the embeddings' cosine.

    python3 -m venv target/opencv-venv
    target/opencv-venv/bin/pip install -r benches/opencv/requirements.txt
    cargo build --release
    target/opencv-venv/bin/python benches/opencv/compare.py [--rounds 5] [--frontdesk target/release/frontdesk]
"""

import argparse
import glob
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
WEBCAM_FRAMES = 100
WEBCAM_SIZE = (640, 360)


def webcam_set(models: str, folder: str) -> list[str]:
    """Frames of the fixture clips at 640x360 in which OpenCV finds exactly one face."""
    detector = cv2.FaceDetectorYN.create(
        f"{models}/face_detection_yunet_2023mar.dynamic-hw.onnx", "", WEBCAM_SIZE, 0.6, 0.3)
    paths = []
    for clip in ("feat_single_face.mp4", "feat_noface_face.mov", "feat_face_noface.mov"):
        capture = cv2.VideoCapture(os.path.join(FIXTURES, "video", clip))
        while len(paths) < WEBCAM_FRAMES:
            ok, frame = capture.read()
            if not ok:
                break
            if (frame.shape[1], frame.shape[0]) != WEBCAM_SIZE:
                frame = cv2.resize(frame, WEBCAM_SIZE, interpolation=cv2.INTER_AREA)
            _, faces = detector.detect(frame)
            if faces is None or len(faces) != 1:
                continue
            path = os.path.join(folder, f"frame{len(paths):03}.jpg")
            cv2.imwrite(path, frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
            paths.append(path)
    return paths


def photos_set() -> list[str]:
    """Every fixture photo whose long side is 150-720 px (the size of an uploaded snapshot)."""
    paths = []
    for folder in ("faces", "johns", "group"):
        for path in sorted(glob.glob(os.path.join(FIXTURES, folder, "**", "*.*"), recursive=True)):
            image = cv2.imread(path)
            if image is not None and 150 <= max(image.shape[:2]) <= 720:
                paths.append(path)
    return paths


def timed(command: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of one whole process, and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def faces_by_image(output: str) -> dict[str, list[dict]]:
    lines = (json.loads(line) for line in output.splitlines() if line.startswith("{"))
    return {line["image"]: line.get("faces", []) for line in lines}


def agreement(ours: dict, theirs: dict) -> tuple[int, int, list[float]]:
    """Images where both found as many faces, of all images; cosines of faces paired by box."""
    same, cosines = 0, []
    for image, reference in theirs.items():
        found = ours.get(image, [])
        same += len(found) == len(reference)
        for face in reference:
            box = np.array(face["box"])
            centre = box[:2] + box[2:] / 2
            nearest = min(found, default=None, key=lambda f: np.linalg.norm(
                np.array(f["box"][:2]) + np.array(f["box"][2:]) / 2 - centre))
            if nearest is not None:
                cosines.append(float(np.dot(nearest["embedding"], face["embedding"])))
    return same, len(theirs), cosines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frontdesk", default=os.path.join(ROOT, "target", "release", "frontdesk"))
    parser.add_argument("--models", default=os.path.join(ROOT, "models"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sets", default="webcam,photos")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        sets = {"webcam": lambda: webcam_set(args.models, folder), "photos": photos_set}
        print(f"| frames | n | Frontdesk wall ms | OpenCV wall ms | wall ratio "
              f"| Frontdesk CPU ms | OpenCV CPU ms | CPU ratio | same faces | cosine min/median |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name in args.sets.split(","):
            images = sets[name]()
            ours_cmd = [args.frontdesk, "embed", "--json", *images]
            theirs_cmd = [sys.executable, os.path.join(os.path.dirname(__file__), "pipeline.py"),
                          "--threads", str(args.threads), "--models", args.models, *images]
            timed(ours_cmd), timed(theirs_cmd)  # warm-up: page cache, lazy loading
            rows = []
            for _ in range(args.rounds):
                ours, theirs = timed(ours_cmd), timed(theirs_cmd)
                rows.append((ours, theirs))
            per_frame = lambda seconds: 1000 * seconds / len(images)
            wall_ratio = statistics.median(o[0] / t[0] for o, t in rows)
            cpu_ratio = statistics.median(o[1] / t[1] for o, t in rows)
            ours_wall = statistics.median(per_frame(o[0]) for o, _ in rows)
            theirs_wall = statistics.median(per_frame(t[0]) for _, t in rows)
            ours_cpu = statistics.median(per_frame(o[1]) for o, _ in rows)
            theirs_cpu = statistics.median(per_frame(t[1]) for _, t in rows)
            same, total, cosines = agreement(faces_by_image(rows[-1][0][2]),
                                             faces_by_image(rows[-1][1][2]))
            cosine = (f"{min(cosines):.4f} / {statistics.median(cosines):.5f}"
                      if cosines else "-")
            print(f"| {name} | {len(images)} | {ours_wall:.1f} | {theirs_wall:.1f} "
                  f"| {wall_ratio:.2f} | {ours_cpu:.1f} | {theirs_cpu:.1f} | {cpu_ratio:.2f} "
                  f"| {same}/{total} | {cosine} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
