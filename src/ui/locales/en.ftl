# Frontdesk's window in English. Every file in this folder has the same message ids (a test checks).
# Variables: $name a person, $count a number, $when a date and time, $group a group's name.
# Numbers that a translation may pluralise are passed as numbers ($count, $photos, $visits, $days, …).

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
settings-max-strangers = Strangers named, at most
settings-max-strangers-off = no limit: the threshold alone
settings-one-in = 1 in { $count }
settings-outlook = { $people } people: a face must reach { $bar } to be named; about 1 stranger's look in { $count } does.
settings-outlook-too-few = { $people } people: a face must reach { $bar } to be named (too few people to estimate how often a stranger does).
settings-outlook-regulars = In the fleet: the { $people } people seen here in the last { $days } days need { $bar }; everyone else needs the bar above.
settings-cooldown = Visit cool-down
settings-minutes = { " " }minutes
settings-keep-visits = Keep visits for
settings-days = { " " }days (0 = forever)
settings-consent = Consent
settings-consent-box = Enrolment requires the visitor's consent
settings-greeting = Greeting
settings-greeting-details = Show the visitor's details (turn off when the screen faces the public)
settings-greeting-only = Only: { $names } (kiosk.greeting_details in the config file)
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
banner-threads-failed = cannot start the camera and recognition threads: { $message }
notice-api-failed = the HTTP API cannot start: { $message }

## Shared by the staff screens
field-name = Name
keep = Keep
choose = choose…
show = Show
date-from = From
date-to = to
date-hint = YYYY-MM-DD
date-today = today
bad-date = `{ $text }` is not a date like 2026-11-28
csv-file = CSV file
export-csv = Export CSV

## The people screen
people-search = Search
people-search-hint = name
people-list-entry = { $name }  ({ $photos } photos, { $visits } visits)
people-none = Nobody is enrolled yet.
people-choose = Choose a person on the left.
people-summary = Enrolled { $when } · { $visits } visits · consent { $consent }
people-consent-not-recorded = not recorded
people-photo-alt = Photo { $id }
people-detail-hint = detail
people-value-hint = value
people-remove = Remove
people-add-detail = Add detail
people-consent = Consent to be recognised
people-save = Save changes
people-photo-file = Photo file
people-add-photo = Add photo
people-export-folder = Export folder
people-export = Export data
people-same-as = Same person as
people-merge = Merge into them
people-delete = Delete person
people-delete-confirm = Delete { $name } with every photo, detail and visit? This cannot be undone.
people-delete-yes = Yes, delete
people-groups = Groups
people-recent-visits = Recent visits
people-visit = { $when }  (similarity { $similarity }, { $source })

## The visits screen
visits-person = Person
visits-everyone = Everyone
visits-summary = { $count } visits: { $first } first-time, { $returning } returning
visits-first-time = First-time
visits-returning = Returning

## The roll call screen and its group settings
roll-call-group = Group
roll-call-start = Start roll call now
roll-call-new-group = New group
roll-call-new-group-hint = Class 5B
roll-call-create = Create group
roll-call-no-group = No group yet: create one above, then add people to it on the People screen.
roll-call-choose = Choose a group and press Show.
roll-call-no-session = { $group } had no session from { $from } to { $to }.
roll-call-session = { $when } ({ $how }): { $present } present, { $late } late, { $absent } absent
roll-call-scheduled = scheduled
roll-call-by-hand = started by hand
roll-call-past-retention = { $days } day(s) of the period have no roll call: their visits were deleted (retention setting).
roll-call-first-seen = first seen { $time }
roll-call-attendance = Attendance from { $from } to { $to }
roll-call-rate = { $attended } of { $sessions } sessions ({ $percent }%)
roll-call-late = { $count } late
roll-call-nothing-to-count = no session to count
roll-call-week-of = week of { $date }
roll-call-chart = Attendance %
status-present = Present
status-late = Late
status-absent = Absent
status-expected = Not here yet
status-not-tracked = No consent to recognise
group-settings = Group settings
group-rename = Rename
group-meets-on = Meets on
group-meets-on-hint = mon-fri (empty: no schedule)
group-starts-at = Starts at
group-late-after = Late after (minutes)
group-save-schedule = Save schedule
group-delete = Delete group
group-delete-confirm = Delete { $group } with its schedule and roll calls? Its members stay enrolled.
group-delete-yes = Yes, delete the group
schedule-no-days = no days given; write for example mon-fri
schedule-bad-days = `{ $text }` is not days of the week; write mon, tue, … sun, a range such as mon-fri, or daily
schedule-bad-time = `{ $text }` is not a time of day like 09:00

## The import screen
import-title = Import people
import-help = A folder with one folder of photos per person, named after them, and optionally a people.csv with name, consent (yes/no) and detail columns. People already here are left as they are.
import-consent = Everyone in this import agreed to be recognised (a "no" in people.csv stays a no)
import-folder = Folder
import-start = Start import
import-progress = { $done } of { $total } photos  { $name }
import-meanwhile = The kiosk goes on greeting visitors meanwhile.
import-imported = imported with { $count } photo(s)
import-would-import = would be imported with { $count } photo(s)
import-already-there = already here, left as is
import-refused = not imported: { $message }
import-summary = Import finished: { $imported } imported, { $already } already here, { $refused } not imported.
import-without-photos = In people.csv without a folder of photos: { $names }.
import-not-started = cannot start the import: { $message }
import-no-engine = cannot start the recognition engine: { $message }
import-stopped-at = the import stopped at { $name }: { $message }
import-vanished = the import stopped unexpectedly

## The audit log
audit-export = Export audit log
audit-none = No staff actions yet.

## Backups and the fleet
backups-line = Backups: { $health }
backups-off = automatic backups are off ([backup] dir is empty)
backups-never = no automatic backup yet
backups-recent = last backup { $age } ago
backups-too-old = last backup { $age } ago: too old, check the backup folder and the log
backups-failed = the last backup FAILED: { $message }
age-minutes = { $count } min
age-hours = { $count } h
age-days = { $count } days
fleet-up-to-date = Fleet: connected, up to date
fleet-connecting = Fleet: connecting…
fleet-behind = Fleet: connected, { $waiting } to send, { $behind } to fetch
fleet-offline = Fleet: offline, working on this kiosk's gallery; { $waiting } change(s) wait to be sent
problem-old-visits = Cannot delete old visits: { $detail }
problem-gallery-not-followed = Cannot take in changes to the gallery made elsewhere: { $detail }
problem-detection = Face detection failed: { $detail }
problem-embedding = Face analysis failed: { $detail }
problem-visit-not-logged = Cannot log the visit: { $detail }
problem-consent-setting = Cannot apply the consent setting: { $detail }
problem-not-saved = Could not save { $name }: { $detail }
problem-photo-not-added = Could not add the photo: { $detail }
problem-sample-rejected-save = Could not save { $name }: { $reason }
problem-sample-rejected-add = Could not add the photo: { $reason }
staff-error-already-deleted = That person was already deleted.
staff-error-group-gone = That group was deleted; choose another.
staff-error-first-pin = This kiosk has people enrolled but no staff PIN yet. Set one on this computer with `frontdesk set-pin`.
staff-error-pin-already-set = A staff PIN is already set.
staff-error-folder-exists = { $path } already exists; choose a new folder.
staff-error-photo-rejected = Could not add { $path }: { $reason }
staff-error-photo-unreadable = Cannot read the photo { $path }: { $detail }
staff-error-engine = The recognition engine cannot start: { $detail }
staff-error-gallery-unavailable = The gallery cannot be opened: { $detail }
staff-error-gallery = That was not done: { $detail }
staff-error-export = Could not write the file: { $detail }
staff-error-attendance = Cannot make the roll call: { $detail }
staff-error-settings = Could not save the settings: { $detail }
rejection-no-face = no face found
rejection-several-faces = { $count } faces of similar size: use a photo with one person in front
rejection-too-small = face too small ({ $size } px, needs { $min } px): ask them to come closer
rejection-too-blurry = face too blurry: ask them to hold still for a moment
rejection-already-enrolled = already enrolled as { $name }: add the photo to that person instead
rejection-not-the-same-person = this face does not match the other photos of this person
done-pin-set = Staff PIN set.
done-person-saved = Saved { $name }.
done-person-deleted = Deleted, with every photo, detail and visit.
done-people-merged = Merged.
done-person-exported = Exported { $count } files to { $path }.
done-visits-written = Wrote { $count } visits to { $path }.
done-audit-written = Wrote the audit log to { $path }.
done-group-created = Created the group { $name }.
done-group-renamed = Renamed the group { $name }.
done-schedule-saved = Saved the schedule.
done-group-deleted = Deleted the group; its members stay enrolled.
done-member-added = Added to the group.
done-member-removed = Removed from the group.
done-roll-call-started = Roll call started.
done-roll-calls-written = Wrote the roll calls to { $path }.
done-settings-saved = Settings saved to { $path }.
done-photo-added = Added the photo { $path }.
