# Frontdesk's window in English. Every file in this folder has the same message ids (a test checks).
# Variables: $name a person, $count a number, $when a date and time, $group a group's name.

## The public view
attract-welcome = Welcome! Step up to the counter.
attract-logo = The shop's logo
public-waiting = Waiting for visitors…
public-look-at-camera = Please look at the camera for a moment.
public-new-visitor = New visitor
public-capture-hint = Press Capture (Space) to enrol the face in view.
public-also-here = Also here: { $name }
greeting-welcome = Welcome, { $name }!
greeting-welcome-back = Welcome back, { $name }!
greeting-visit-number = Visit number { $count }
greeting-last-visit = Last visit: { $when }
greeting-first-visit = First visit
greeting-on-time = You're on time for { $group }.
greeting-checked-in = Checked in for { $group }.
greeting-not-them = Not { $name }
greeting-not-them-hint = This is someone else: stop greeting this face with this name
diagnostic-similarity = similarity { $similarity }
date-unknown = unknown

## The live picture
camera-starting = Starting the camera…
face-unknown = Unknown
face-pending = …
face-choose-hint = Click to choose this face for Capture
status-camera = Camera { $fps } fps
status-detection = detection { $ms } ms
status-embedding = embedding { $ms } ms/face
status-dropped = dropped { $dropped } of { $frames } frames
capture-button = Capture (Space)
capture-button-hint = Enrol the selected face (or the largest one)

## Messages at the top of the window
notice-saved = Saved { $name }. Welcome!
notice-photo-added = Added the photo to { $name }.
notice-not-them = Noted: that face will not be greeted as that person again.
notice-no-picture = No picture yet: wait for the camera.
notice-no-face = No face in view: ask the visitor to look at the camera.
notice-analysing = Hold on: the face is still being analysed.
banner-camera-unavailable = Camera unavailable: { $message }. Retrying in the background; check the cable or pick another camera in the config.
banner-camera-stopped = Recognition stopped: { $message }.
banner-source-failed = Cannot play the source: { $message }
banner-recording-ended = The recording has ended.
banner-demo-camera = No webcam found: showing the built-in demo camera. Plug in a webcam and restart to use it.
banner-worker-died = Recognition stopped: the recognition thread ended unexpectedly. Restart the kiosk.

## The enrolment form
enroll-title = Enrol a new visitor
enroll-captured-face = Captured face
enroll-good-picture = Good picture.
enroll-save-anyway = You can save anyway, or cancel and capture again.
enroll-duplicate = This face already looks like { $name } (similarity { $similarity }).
enroll-duplicate-advice = Add the photo to them instead of enrolling the same person twice.
enroll-add-to = Add photo to { $name }
enroll-name = Name
enroll-phone = Phone
enroll-email = Email
enroll-notes = Notes
enroll-required = required
enroll-optional = optional
enroll-notes-hint = preferences, allergies, …
enroll-consent = The visitor agrees to be recognised by this kiosk
enroll-name-missing = A name is required.
enroll-consent-missing = The visitor's consent is required.
enroll-save = Save
enroll-saving = Saving…
enroll-keys-hint = Enter saves, Esc cancels.
cancel = Cancel
guidance-move-closer = Move closer to the camera
guidance-too-dark = Too dark: add light in front of the face
guidance-too-bright = Too bright: avoid direct light on the face
guidance-look-at-camera = Look straight at the camera
guidance-hold-still = Hold still: the picture is blurry

## Staff mode
nav-staff = Staff
nav-staff-hint = People, visits and settings (PIN)
nav-live = Live
nav-people = People
nav-visits = Visits
nav-roll-call = Roll call
nav-settings = Settings
nav-audit = Audit log
nav-import = Import
nav-fullscreen = Full screen on/off
nav-lock = Lock
pin-title = Staff PIN
pin-choose-title = Choose a staff PIN
pin-label = PIN
pin-repeat = Repeat PIN
pin-unlock = Unlock
pin-differ = The two PINs differ.
pin-wrong = Wrong PIN. { $tries ->
    [one] 1 try left
   *[other] { $tries } tries left
} before the PIN locks.
pin-locked = Too many wrong PINs: locked until { $when }.
pin-not-set = No staff PIN yet: choose one (4 to 12 digits).

## Settings
settings-section-camera = Camera
settings-section-recognition = Recognition
settings-section-visits = Visits and privacy
settings-section-display = Public view and display
settings-camera = Camera
settings-camera-hint = auto, demo, webcam:0, video:FILE, images:DIR
settings-resolution = Resolution
settings-px-wide = { " " }px wide
settings-px-high = { " " }px high
settings-pixel-format = Pixel format
settings-threshold = Recognition threshold
settings-face-in-view = Face in view: { $similarity } to { $name }, { $verdict }
settings-would-recognise = would be recognised
settings-would-stay-unknown = would stay unknown
settings-closest-person = the closest enrolled person
settings-stand-in-front = Stand in front of the camera to see its similarity here.
settings-margin = Margin over the next person
settings-cooldown = Visit cool-down
settings-minutes = { " " }minutes
settings-keep-visits = Keep visits for
settings-days = { " " }days (0 = forever)
settings-consent = Consent
settings-consent-box = Enrolment requires the visitor's consent
settings-greeting = Greeting
settings-greeting-details = Show the visitor's details (turn off when the screen faces the public)
settings-capture = Capture
settings-capture-pin = Capture needs the staff PIN (visitors cannot enrol unattended)
settings-start = Start
settings-fullscreen = Full screen (kiosk mode)
settings-language = Language
settings-theme = Theme
theme-dark = Dark
theme-light = Light
settings-high-contrast = High contrast
settings-font-scale = Text size
settings-shop-name = Shop name
settings-welcome-text = Welcome text
settings-welcome-hint = empty: the language's own welcome
settings-logo = Logo file
settings-logo-hint = /path/to/logo.png (optional)
settings-diagnostic = Diagnostics
settings-diagnostic-box = Show similarity scores on the live view (for tuning; not for the public)
settings-save = Save settings
settings-undo = Undo changes
settings-saved-to = Saved to { $path }
