"""OpenCV's own YuNet + SFace pipeline over image files: the reference Frontdesk is timed against.

Does per image what `frontdesk embed` does: decode, detect at the image's own size, align and embed
every face, print one JSON line with the boxes, scores and L2-normalised embeddings.

    python pipeline.py [--threads N] --models DIR IMAGE...
"""

import argparse
import json
import sys

import cv2
import numpy as np


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", required=True)
    parser.add_argument("--score", type=float, default=0.6)
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()

    cv2.setNumThreads(args.threads)
    detector = cv2.FaceDetectorYN.create(
        f"{args.models}/face_detection_yunet_2023mar.dynamic-hw.onnx", "", (320, 320),
        score_threshold=args.score, nms_threshold=0.3, top_k=5000)
    recognizer = cv2.FaceRecognizerSF.create(
        f"{args.models}/face_recognition_sface_2021dec_fp32.onnx", "")

    failures = 0
    out = sys.stdout
    for path in args.images:
        image = cv2.imread(path)
        if image is None:
            out.write(json.dumps({"image": path, "error": "unreadable"}) + "\n")
            failures += 1
            continue
        height, width = image.shape[:2]
        detector.setInputSize((width, height))
        _, found = detector.detect(image)
        faces = []
        for face in found if found is not None else []:
            aligned = recognizer.alignCrop(image, face)
            feature = recognizer.feature(aligned).flatten()
            feature /= max(float(np.linalg.norm(feature)), 1e-12)
            faces.append({
                "box": [round(float(v), 2) for v in face[:4]],
                "score": round(float(face[14]), 4),
                "embedding": [round(float(v), 6) for v in feature],
            })
        out.write(json.dumps({"image": path, "width": width, "height": height,
                              "faces": faces}) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
