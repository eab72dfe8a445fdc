#!/usr/bin/env python3
"""Takes the README's screenshots from a real run of the kiosk under Xvfb.

Usage: docs/screenshots/take.py [path/to/frontdesk]   (needs Xvfb, xdotool and Python's Pillow)

1. attract.png: the kiosk on empty frames (nobody in view), with a shop name and a logo.
2. greeting.png: the demo camera's man, enrolled from the command line with a photo of him taken
   from the kiosk's own demo picture, greeted.
3. enrolment.png: Space (Capture) on him: the form opens with the duplicate warning, and "Sam" is
   typed straight away (the name field has the keyboard).
4. staff-people.png: Staff, the PIN, and the people screen with him selected.
"""

import os
import subprocess
import sys
import tempfile
import time

from PIL import Image, ImageDraw, ImageGrab

DISPLAY = ":99"
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
UNKNOWN_AMBER = (255, 176, 60)
KNOWN_GREEN = (80, 200, 120)
PENDING_GREY = (190, 190, 190)
WARNING_FILL = (110, 60, 0)
# The camera picture's place in the 1280x800 window while someone is in view.
CAMERA_AREA = (8, 188, 734, 597)


def grab():
    return ImageGrab.grab(xdisplay=DISPLAY)


def count_colour(image, colour, box=None):
    region = image.crop(box) if box else image
    return sum(1 for pixel in region.getdata() if pixel == colour)


def wait_until(what, test, timeout=120):
    """The first picture of the screen that passes `test`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        image = grab()
        if test(image):
            return image
        time.sleep(0.2)
    sys.exit(f"timed out waiting for {what}")


def focus_window():
    """Gives the kiosk's window the keyboard (Xvfb has no window manager to do it), once it is
    mapped."""
    for _ in range(30):
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Frontdesk", "windowfocus"])
        if found.returncode == 0:
            return
        time.sleep(1)
    sys.exit("the kiosk's window never appeared")


def key(*keys):
    subprocess.run(["xdotool", "key", "--delay", "80", *keys], check=True)


def type_text(text):
    subprocess.run(["xdotool", "type", "--delay", "60", text], check=True)


def click(x, y):
    # Hover first, then press and release in later frames, as a hand would.
    subprocess.run(["xdotool", "mousemove", str(x), str(y)], check=True)
    time.sleep(1)
    subprocess.run(["xdotool", "mousedown", "1"], check=True)
    time.sleep(0.3)
    subprocess.run(["xdotool", "mouseup", "1"], check=True)


def save(name, image=None):
    path = os.path.join(HERE, name)
    (image if image is not None else grab()).quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"{path}: {os.path.getsize(path) // 1024} KB")


def kiosk(binary, work, source):
    env = dict(os.environ, DISPLAY=DISPLAY, XDG_CONFIG_HOME=work, XDG_DATA_HOME=work)
    config = os.path.join(work, "config.toml")
    return subprocess.Popen(
        [binary, "--db", os.path.join(work, "gallery.db"), "--config", config, "run", "--source", source],
        env=env,
        cwd=REPO,
    )


def write_config(work):
    logo = os.path.join(work, "logo.png")
    badge = Image.new("RGBA", (220, 220), (0, 0, 0, 0))
    draw = ImageDraw.Draw(badge)
    draw.ellipse((4, 4, 216, 216), fill=(200, 120, 40, 255))
    draw.ellipse((40, 40, 180, 180), fill=(250, 230, 190, 255))
    draw.rectangle((70, 100, 150, 120), fill=(200, 120, 40, 255))
    badge.save(logo)
    with open(os.path.join(work, "config.toml"), "w") as f:
        f.write(
            "[display]\n"
            'shop_name = "Corner Bakery"\n'
            'welcome_text = "Fresh bread since 1921. Step up to the counter!"\n'
            f'logo = "{logo}"\n'
        )


def main():
    os.environ["DISPLAY"] = DISPLAY
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "target/release/frontdesk"))
    work = tempfile.mkdtemp(prefix="frontdesk-screenshots-")
    write_config(work)
    empty = os.path.join(work, "empty")
    os.mkdir(empty)
    first = os.path.join(empty, "frame_000.png")
    Image.new("RGB", (640, 480), (90, 90, 96)).save(first)
    for index in range(1, 600):
        os.link(first, os.path.join(empty, f"frame_{index:03}.png"))
    pin = subprocess.run(
        [binary, "--db", os.path.join(work, "gallery.db"), "--config", os.path.join(work, "config.toml"), "set-pin"],
        input=b"2468\n",
        env=dict(os.environ, XDG_CONFIG_HOME=work, XDG_DATA_HOME=work),
    )
    if pin.returncode != 0:
        sys.exit("set-pin failed")

    # -noreset: the server must outlive each kiosk run (a reset as the last client leaves refuses
    # the next one for a moment).
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", "1280x800x24", "-noreset"])
    time.sleep(2)
    run = None
    try:
        attract = kiosk(binary, work, f"images:{empty}")
        time.sleep(8)
        save("attract.png")
        attract.terminate()
        attract.wait()

        # His photo, from the demo camera itself, enrolled from the command line.
        run = kiosk(binary, work, "demo")
        for _ in range(20):
            face_in_view = lambda im: count_colour(im, PENDING_GREY) + count_colour(im, UNKNOWN_AMBER) > 400
            wait_until("the man's face", face_in_view)
            grab().crop(CAMERA_AREA).save(os.path.join(work, "sam.png"))
            enrolled = subprocess.run(
                [binary, "--db", os.path.join(work, "gallery.db"), "--config", os.path.join(work, "config.toml"),
                 "enroll", "--consent", "--name", "Sam Carter", "--detail", "coffee=Flat white, oat milk",
                 os.path.join(work, "sam.png")],
                env=dict(os.environ, XDG_CONFIG_HOME=work, XDG_DATA_HOME=work),
            )
            if enrolled.returncode == 0:
                break
        else:
            sys.exit("enrolling Sam failed")
        run.terminate()
        run.wait()

        run = kiosk(binary, work, "demo")
        greeted = lambda im: count_colour(im, KNOWN_GREEN, (740, 40, 1280, 200)) > 300
        save("greeting.png", wait_until("the greeting", greeted))
        focus_window()
        # Capture on him: the form opens with the duplicate warning and the name field ready.
        form = None
        while form is None:
            key("space")
            deadline = time.time() + 6
            while form is None and time.time() < deadline:
                shown = grab()
                if count_colour(shown, WARNING_FILL) > 1000:
                    type_text("Sam")
                    time.sleep(0.5)
                    form = grab()
                time.sleep(0.2)
            if form is None:
                wait_until("the greeting", greeted, timeout=300)
        save("enrolment.png", form)
        key("Escape")
        time.sleep(1)

        run.terminate()
        run.wait()
        run = kiosk(binary, work, f"images:{empty}")
        focus_window()
        time.sleep(5)
        click(131, 12)
        time.sleep(4)
        type_text("2468")
        time.sleep(1)
        click(507, 433)  # Unlock
        time.sleep(6)
        click(90, 104)
        time.sleep(5)
        save("staff-people.png")
    finally:
        if run:
            run.terminate()
            run.wait()
        xvfb.terminate()
        xvfb.wait()


if __name__ == "__main__":
    main()
