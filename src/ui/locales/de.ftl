# Frontdesk's window in German. Every file in this folder has the same message ids (a test checks).

## The public view
attract-welcome = Willkommen! Treten Sie gern an die Theke.
attract-logo = Das Logo des Geschäfts
public-waiting = Wir warten auf Besucher …
public-look-at-camera = Bitte schauen Sie kurz in die Kamera.
public-new-visitor = Neuer Besucher
public-capture-hint = Erfassen (Leertaste) drücken, um das Gesicht im Bild aufzunehmen.
public-also-here = Ebenfalls hier: { $name }
greeting-welcome = Willkommen, { $name }!
greeting-welcome-back = Willkommen zurück, { $name }!
greeting-visit-number = Besuch Nr. { $count }
greeting-last-visit = Letzter Besuch: { $when }
greeting-first-visit = Erster Besuch
greeting-on-time = Sie sind pünktlich für { $group }.
greeting-checked-in = Angemeldet für { $group }.
greeting-not-them = Nicht { $name }
greeting-not-them-hint = Das ist jemand anderes: dieses Gesicht nicht mehr mit diesem Namen begrüßen
diagnostic-similarity = Ähnlichkeit { $similarity }
date-unknown = unbekannt

## The live picture
camera-starting = Kamera wird gestartet …
face-unknown = Unbekannt
face-pending = …
face-choose-hint = Klicken, um dieses Gesicht zum Erfassen zu wählen
status-camera = Kamera { $fps } fps
status-detection = Erkennung { $ms } ms
status-embedding = Merkmale { $ms } ms/Gesicht
status-dropped = { $dropped } von { $frames } Bildern verworfen
capture-button = Erfassen (Leertaste)
capture-button-hint = Das gewählte (oder größte) Gesicht aufnehmen

## Messages at the top of the window
notice-saved = { $name } gespeichert. Willkommen!
notice-photo-added = Foto zu { $name } hinzugefügt.
notice-not-them = Notiert: Dieses Gesicht wird nicht mehr als diese Person begrüßt.
notice-no-picture = Noch kein Bild: Bitte auf die Kamera warten.
notice-no-face = Kein Gesicht im Bild: Bitten Sie den Besucher, in die Kamera zu schauen.
notice-analysing = Einen Moment: Das Gesicht wird noch ausgewertet.
banner-camera-unavailable = Kamera nicht verfügbar: { $message }. Neuer Versuch läuft im Hintergrund; Kabel prüfen oder in der Konfiguration eine andere Kamera wählen.
banner-camera-stopped = Erkennung angehalten: { $message }.
banner-source-failed = Die Quelle kann nicht abgespielt werden: { $message }
banner-recording-ended = Die Aufnahme ist zu Ende.
banner-demo-camera = Keine Webcam gefunden: Die eingebaute Demo-Kamera wird gezeigt. Webcam anschließen und neu starten.
banner-worker-died = Erkennung angehalten: Der Erkennungs-Thread wurde unerwartet beendet. Bitte den Kiosk neu starten.

## The enrolment form
enroll-title = Neuen Besucher aufnehmen
enroll-captured-face = Aufgenommenes Gesicht
enroll-good-picture = Gutes Bild.
enroll-save-anyway = Sie können trotzdem speichern oder abbrechen und neu erfassen.
enroll-duplicate = Dieses Gesicht ähnelt bereits { $name } (Ähnlichkeit { $similarity }).
enroll-duplicate-advice = Fügen Sie das Foto dieser Person hinzu, statt sie doppelt aufzunehmen.
enroll-add-to = Foto zu { $name } hinzufügen
enroll-name = Name
enroll-phone = Telefon
enroll-email = E-Mail
enroll-notes = Notizen
enroll-required = Pflichtfeld
enroll-optional = optional
enroll-notes-hint = Vorlieben, Allergien, …
enroll-consent = Der Besucher ist einverstanden, von diesem Kiosk erkannt zu werden
enroll-name-missing = Ein Name ist erforderlich.
enroll-consent-missing = Die Einwilligung des Besuchers ist erforderlich.
enroll-save = Speichern
enroll-saving = Wird gespeichert …
enroll-keys-hint = Eingabe speichert, Esc bricht ab.
cancel = Abbrechen
guidance-move-closer = Näher an die Kamera kommen
guidance-too-dark = Zu dunkel: mehr Licht von vorn auf das Gesicht
guidance-too-bright = Zu hell: kein direktes Licht auf das Gesicht
guidance-look-at-camera = Gerade in die Kamera schauen
guidance-hold-still = Bitte stillhalten: Das Bild ist unscharf

## Staff mode
nav-staff = Personal
nav-staff-hint = Personen, Besuche und Einstellungen (PIN)
nav-live = Live
nav-people = Personen
nav-visits = Besuche
nav-roll-call = Anwesenheit
nav-settings = Einstellungen
nav-audit = Protokoll
nav-import = Import
nav-fullscreen = Vollbild an/aus
nav-lock = Sperren
pin-title = Personal-PIN
pin-choose-title = Personal-PIN festlegen
pin-label = PIN
pin-repeat = PIN wiederholen
pin-unlock = Entsperren
pin-differ = Die beiden PINs sind verschieden.
pin-wrong = Falsche PIN. Noch { $tries ->
    [one] 1 Versuch
   *[other] { $tries } Versuche
}, bevor die PIN gesperrt wird.
pin-locked = Zu viele falsche PINs: gesperrt bis { $when }.
pin-not-set = Noch keine Personal-PIN: Bitte eine wählen (4 bis 12 Ziffern).

## Settings
settings-section-camera = Kamera
settings-section-recognition = Erkennung
settings-section-visits = Besuche und Datenschutz
settings-section-display = Öffentliche Ansicht und Darstellung
settings-camera = Kamera
settings-camera-hint = auto, demo, webcam:0, video:DATEI, images:ORDNER
settings-resolution = Auflösung
settings-px-wide = { " " }px breit
settings-px-high = { " " }px hoch
settings-pixel-format = Pixelformat
settings-threshold = Erkennungsschwelle
settings-face-in-view = Gesicht im Bild: { $similarity } zu { $name }, { $verdict }
settings-would-recognise = würde erkannt
settings-would-stay-unknown = bliebe unbekannt
settings-closest-person = der ähnlichsten aufgenommenen Person
settings-stand-in-front = Stellen Sie sich vor die Kamera, um hier die Ähnlichkeit zu sehen.
settings-margin = Abstand zur nächsten Person
settings-max-strangers = Höchstens namentlich begrüßte Fremde
settings-max-strangers-off = keine Grenze: nur die Schwelle
settings-one-in = 1 von { $count }
settings-outlook = { $people } Personen: Ein Gesicht braucht { $bar }, um erkannt zu werden; etwa 1 von { $count } Blicken Fremder erreicht das.
settings-outlook-too-few = { $people } Personen: Ein Gesicht braucht { $bar }, um erkannt zu werden (zu wenige Personen, um zu schätzen, wie oft Fremde das erreichen).
settings-outlook-regulars = In der Flotte: Die { $people } Personen, die in den letzten { $days } Tagen hier waren, brauchen { $bar }; alle anderen die Schwelle oben.
settings-cooldown = Besuchspause
settings-minutes = { " " }Minuten
settings-keep-visits = Besuche aufbewahren
settings-days = { " " }Tage (0 = für immer)
settings-consent = Einwilligung
settings-consent-box = Die Aufnahme erfordert die Einwilligung des Besuchers
settings-greeting = Begrüßung
settings-greeting-details = Details des Besuchers zeigen (ausschalten, wenn der Bildschirm öffentlich sichtbar ist)
settings-greeting-only = Nur: { $names } (kiosk.greeting_details in der Konfigurationsdatei)
settings-capture = Erfassen
settings-capture-pin = Erfassen erfordert die Personal-PIN (Besucher können sich nicht selbst aufnehmen)
settings-start = Start
settings-fullscreen = Vollbild (Kiosk-Modus)
settings-language = Sprache
settings-theme = Farbschema
theme-dark = Dunkel
theme-light = Hell
settings-high-contrast = Hoher Kontrast
settings-font-scale = Schriftgröße
settings-shop-name = Name des Geschäfts
settings-welcome-text = Begrüßungstext
settings-welcome-hint = leer: die Begrüßung der gewählten Sprache
settings-logo = Logo-Datei
settings-logo-hint = /pfad/zum/logo.png (optional)
settings-diagnostic = Diagnose
settings-diagnostic-box = Ähnlichkeitswerte in der Live-Ansicht zeigen (zum Einstellen; nicht für die Öffentlichkeit)
settings-save = Einstellungen speichern
settings-undo = Änderungen verwerfen
settings-saved-to = Gespeichert in { $path }
banner-threads-failed = Kamera und Erkennung können nicht starten: { $message }
notice-api-failed = Die HTTP-Schnittstelle kann nicht starten: { $message }

## Shared by the staff screens
field-name = Name
keep = Behalten
choose = auswählen…
show = Anzeigen
date-from = Von
date-to = bis
date-hint = JJJJ-MM-TT
date-today = heute
bad-date = „{ $text }“ ist kein Datum wie 2026-11-28
csv-file = CSV-Datei
export-csv = Als CSV exportieren

## The people screen
people-search = Suche
people-search-hint = Name
people-list-entry = { $name }  ({ $photos ->
    [one] 1 Foto
   *[other] { $photos } Fotos
}, { $visits ->
    [one] 1 Besuch
   *[other] { $visits } Besuche
})
people-none = Noch niemand ist aufgenommen.
people-choose = Wählen Sie links eine Person.
people-summary = Aufgenommen { $when } · { $visits ->
    [one] 1 Besuch
   *[other] { $visits } Besuche
} · Einwilligung { $consent }
people-consent-not-recorded = nicht erfasst
people-photo-alt = Foto { $id }
people-detail-hint = Angabe
people-value-hint = Wert
people-remove = Entfernen
people-add-detail = Angabe hinzufügen
people-consent = Einwilligung zur Erkennung
people-save = Änderungen speichern
people-photo-file = Fotodatei
people-add-photo = Foto hinzufügen
people-export-folder = Exportordner
people-export = Daten exportieren
people-same-as = Dieselbe Person wie
people-merge = Mit ihr zusammenführen
people-delete = Person löschen
people-delete-confirm = { $name } mit allen Fotos, Angaben und Besuchen löschen? Das lässt sich nicht rückgängig machen.
people-delete-yes = Ja, löschen
people-groups = Gruppen
people-recent-visits = Letzte Besuche
people-visit = { $when }  (Ähnlichkeit { $similarity }, { $source })

## The visits screen
visits-person = Person
visits-everyone = Alle
visits-summary = { $count ->
    [one] 1 Besuch
   *[other] { $count } Besuche
}: { $first } zum ersten Mal, { $returning } wiederkehrend
visits-first-time = Zum ersten Mal
visits-returning = Wiederkehrend

## The roll call screen and its group settings
roll-call-group = Gruppe
roll-call-start = Anwesenheit jetzt starten
roll-call-new-group = Neue Gruppe
roll-call-new-group-hint = Klasse 5B
roll-call-create = Gruppe anlegen
roll-call-no-group = Noch keine Gruppe: Legen Sie oben eine an und fügen Sie ihr auf der Seite „Personen“ Mitglieder hinzu.
roll-call-choose = Wählen Sie eine Gruppe und drücken Sie „Anzeigen“.
roll-call-no-session = { $group } hatte vom { $from } bis zum { $to } keinen Termin.
roll-call-session = { $when } ({ $how }): { $present } anwesend, { $late } verspätet, { $absent } abwesend
roll-call-scheduled = geplant
roll-call-by-hand = von Hand gestartet
roll-call-past-retention = { $days ->
    [one] 1 Tag
   *[other] { $days } Tage
} des Zeitraums ohne Anwesenheitsliste: Die Besuche wurden gelöscht (Aufbewahrungsdauer).
roll-call-first-seen = zuerst gesehen um { $time }
roll-call-attendance = Anwesenheit vom { $from } bis zum { $to }
roll-call-rate = { $attended } von { $sessions ->
    [one] 1 Termin
   *[other] { $sessions } Terminen
} ({ $percent } %)
roll-call-late = { $count } verspätet
roll-call-nothing-to-count = kein Termin zu zählen
roll-call-week-of = Woche vom { $date }
roll-call-chart = Anwesenheit in %
status-present = Anwesend
status-late = Verspätet
status-absent = Abwesend
status-expected = Noch nicht da
status-not-tracked = Keine Einwilligung zur Erkennung
group-settings = Gruppeneinstellungen
group-rename = Umbenennen
group-meets-on = Trifft sich
group-meets-on-hint = mon-fri (leer: kein Zeitplan)
group-starts-at = Beginnt um
group-late-after = Verspätet nach (Minuten)
group-save-schedule = Zeitplan speichern
group-delete = Gruppe löschen
group-delete-confirm = { $group } mit Zeitplan und Anwesenheitslisten löschen? Die Mitglieder bleiben aufgenommen.
group-delete-yes = Ja, die Gruppe löschen
schedule-no-days = Keine Tage angegeben; schreiben Sie zum Beispiel mon-fri
schedule-bad-days = „{ $text }“ sind keine Wochentage; schreiben Sie mon, tue, … sun (englische Kürzel), einen Bereich wie mon-fri oder daily
schedule-bad-time = „{ $text }“ ist keine Uhrzeit wie 09:00

## The import screen
import-title = Personen importieren
import-help = Ein Ordner mit einem Fotoordner pro Person, benannt nach ihr, und optional einer people.csv mit den Spalten Name, Einwilligung (yes/no) und weiteren Angaben. Bereits vorhandene Personen bleiben unverändert.
import-consent = Alle in diesem Import haben der Erkennung zugestimmt (ein „no“ in people.csv bleibt ein Nein)
import-folder = Ordner
import-start = Import starten
import-progress = { $done } von { $total } Fotos  { $name }
import-meanwhile = Der Kiosk begrüßt währenddessen weiter Besucher.
import-imported = importiert mit { $count ->
    [one] 1 Foto
   *[other] { $count } Fotos
}
import-would-import = würde mit { $count ->
    [one] 1 Foto
   *[other] { $count } Fotos
} importiert
import-already-there = schon vorhanden, unverändert
import-refused = nicht importiert: { $message }
import-summary = Import beendet: { $imported } importiert, { $already } schon vorhanden, { $refused } nicht importiert.
import-without-photos = In people.csv ohne Fotoordner: { $names }.
import-not-started = Der Import kann nicht starten: { $message }
import-no-engine = Die Erkennung kann nicht starten: { $message }
import-stopped-at = Der Import brach bei { $name } ab: { $message }
import-vanished = Der Import brach unerwartet ab

## The audit log
audit-export = Protokoll exportieren
audit-none = Noch keine Aktionen des Personals.

## Backups and the fleet
backups-line = Sicherungen: { $health }
backups-off = Automatische Sicherungen sind aus ([backup] dir ist leer)
backups-never = noch keine automatische Sicherung
backups-recent = letzte Sicherung vor { $age }
backups-too-old = letzte Sicherung vor { $age }: zu alt, prüfen Sie den Sicherungsordner und das Log
backups-failed = die letzte Sicherung ist FEHLGESCHLAGEN: { $message }
age-minutes = { $count } Min.
age-hours = { $count } Std.
age-days = { $count ->
    [one] 1 Tag
   *[other] { $count } Tagen
}
fleet-up-to-date = Flotte: verbunden, auf dem neuesten Stand
fleet-connecting = Flotte: verbinde…
fleet-behind = Flotte: verbunden, { $waiting } zu senden, { $behind } zu holen
fleet-offline = Flotte: offline, arbeite mit der Galerie dieses Kiosks; { $waiting ->
    [one] 1 Änderung wartet
   *[other] { $waiting } Änderungen warten
} auf das Senden
problem-old-visits = Alte Besuche können nicht gelöscht werden: { $detail }
problem-gallery-not-followed = Änderungen, die anderswo an der Galerie gemacht wurden, können nicht übernommen werden: { $detail }
problem-detection = Gesichtserkennung fehlgeschlagen: { $detail }
problem-embedding = Gesichtsanalyse fehlgeschlagen: { $detail }
problem-visit-not-logged = Der Besuch kann nicht gespeichert werden: { $detail }
problem-consent-setting = Die Einwilligungseinstellung kann nicht angewendet werden: { $detail }
problem-not-saved = { $name } konnte nicht gespeichert werden: { $detail }
problem-photo-not-added = Das Foto konnte nicht hinzugefügt werden: { $detail }
problem-sample-rejected-save = { $name } konnte nicht gespeichert werden: { $reason }
problem-sample-rejected-add = Das Foto konnte nicht hinzugefügt werden: { $reason }
staff-error-already-deleted = Diese Person wurde bereits gelöscht.
staff-error-group-gone = Diese Gruppe wurde gelöscht; bitte eine andere wählen.
staff-error-first-pin = Dieser Kiosk kennt schon Personen, hat aber noch keine Mitarbeiter-PIN. Bitte auf diesem Computer mit `frontdesk set-pin` eine setzen.
staff-error-pin-already-set = Eine Mitarbeiter-PIN ist bereits gesetzt.
staff-error-folder-exists = { $path } gibt es schon; bitte einen neuen Ordner wählen.
staff-error-photo-rejected = { $path } konnte nicht hinzugefügt werden: { $reason }
staff-error-photo-unreadable = Das Foto { $path } kann nicht gelesen werden: { $detail }
staff-error-engine = Die Gesichtserkennung kann nicht starten: { $detail }
staff-error-gallery-unavailable = Die Galerie kann nicht geöffnet werden: { $detail }
staff-error-gallery = Das wurde nicht ausgeführt: { $detail }
staff-error-export = Die Datei konnte nicht geschrieben werden: { $detail }
staff-error-attendance = Die Anwesenheitsliste kann nicht erstellt werden: { $detail }
staff-error-settings = Die Einstellungen konnten nicht gespeichert werden: { $detail }
rejection-no-face = kein Gesicht gefunden
rejection-several-faces = { $count } etwa gleich große Gesichter: bitte ein Foto mit nur einer Person im Vordergrund verwenden
rejection-too-small = Gesicht zu klein ({ $size } px, nötig sind { $min } px): bitte näher herantreten lassen
rejection-too-blurry = Gesicht zu unscharf: bitte einen Moment stillhalten lassen
rejection-already-enrolled = bereits als { $name } erfasst: das Foto stattdessen dieser Person hinzufügen
rejection-not-the-same-person = dieses Gesicht passt nicht zu den anderen Fotos dieser Person
done-pin-set = Personal-PIN gesetzt.
done-person-saved = { $name } gespeichert.
done-person-deleted = Gelöscht, mit allen Fotos, Angaben und Besuchen.
done-people-merged = Zusammengeführt.
done-person-exported = { $count ->
    [one] 1 Datei
   *[other] { $count } Dateien
} nach { $path } exportiert.
done-visits-written = { $count ->
    [one] 1 Besuch
   *[other] { $count } Besuche
} nach { $path } geschrieben.
done-audit-written = Protokoll nach { $path } geschrieben.
done-group-created = Gruppe { $name } angelegt.
done-group-renamed = Gruppe in { $name } umbenannt.
done-schedule-saved = Zeitplan gespeichert.
done-group-deleted = Gruppe gelöscht; ihre Mitglieder bleiben erfasst.
done-member-added = Zur Gruppe hinzugefügt.
done-member-removed = Aus der Gruppe entfernt.
done-roll-call-started = Anwesenheitskontrolle gestartet.
done-roll-calls-written = Anwesenheitslisten nach { $path } geschrieben.
done-settings-saved = Einstellungen in { $path } gespeichert.
done-photo-added = Foto { $path } hinzugefügt.
