# Frontdesk's window in Spanish. Every file in this folder has the same message ids (a test checks).

## The public view
attract-welcome = ¡Bienvenido! Acérquese al mostrador.
attract-logo = El logotipo de la tienda
public-waiting = Esperando visitantes…
public-look-at-camera = Por favor, mire a la cámara un momento.
public-new-visitor = Nuevo visitante
public-capture-hint = Pulse Capturar (Espacio) para registrar la cara que se ve.
public-also-here = También aquí: { $name }
greeting-welcome = ¡Bienvenido, { $name }!
greeting-welcome-back = ¡Bienvenido de nuevo, { $name }!
greeting-visit-number = Visita número { $count }
greeting-last-visit = Última visita: { $when }
greeting-first-visit = Primera visita
greeting-on-time = Llega a tiempo para { $group }.
greeting-checked-in = Registrado para { $group }.
greeting-not-them = No es { $name }
greeting-not-them-hint = Es otra persona: dejar de saludar a esta cara con este nombre
diagnostic-similarity = similitud { $similarity }
date-unknown = desconocida

## The live picture
camera-starting = Iniciando la cámara…
face-unknown = Desconocido
face-pending = …
face-choose-hint = Haga clic para elegir esta cara para Capturar
status-camera = Cámara { $fps } fps
status-detection = detección { $ms } ms
status-embedding = rasgos { $ms } ms/cara
status-dropped = { $dropped } de { $frames } imágenes descartadas
capture-button = Capturar (Espacio)
capture-button-hint = Registrar la cara elegida (o la más grande)

## Messages at the top of the window
notice-saved = { $name } guardado. ¡Bienvenido!
notice-photo-added = Foto añadida a { $name }.
notice-not-them = Anotado: esa cara no se saludará más como esa persona.
notice-no-picture = Aún no hay imagen: espere a la cámara.
notice-no-face = No hay ninguna cara a la vista: pida al visitante que mire a la cámara.
notice-analysing = Un momento: la cara aún se está analizando.
banner-camera-unavailable = Cámara no disponible: { $message }. Se reintenta en segundo plano; revise el cable o elija otra cámara en la configuración.
banner-camera-stopped = Reconocimiento detenido: { $message }.
banner-source-failed = No se puede reproducir la fuente: { $message }
banner-recording-ended = La grabación ha terminado.
banner-demo-camera = No se encontró ninguna webcam: se muestra la cámara de demostración. Conecte una webcam y reinicie para usarla.
banner-worker-died = Reconocimiento detenido: el hilo de reconocimiento terminó de forma inesperada. Reinicie el quiosco.

## The enrolment form
enroll-title = Registrar un nuevo visitante
enroll-captured-face = Cara capturada
enroll-good-picture = Buena imagen.
enroll-save-anyway = Puede guardar igualmente, o cancelar y capturar de nuevo.
enroll-duplicate = Esta cara ya se parece a { $name } (similitud { $similarity }).
enroll-duplicate-advice = Añada la foto a esa persona en lugar de registrarla dos veces.
enroll-add-to = Añadir foto a { $name }
enroll-name = Nombre
enroll-phone = Teléfono
enroll-email = Correo
enroll-notes = Notas
enroll-required = obligatorio
enroll-optional = opcional
enroll-notes-hint = preferencias, alergias, …
enroll-consent = El visitante acepta ser reconocido por este quiosco
enroll-name-missing = El nombre es obligatorio.
enroll-consent-missing = Se necesita el consentimiento del visitante.
enroll-save = Guardar
enroll-saving = Guardando…
enroll-keys-hint = Intro guarda, Esc cancela.
cancel = Cancelar
guidance-move-closer = Acérquese a la cámara
guidance-too-dark = Demasiado oscuro: ponga luz delante de la cara
guidance-too-bright = Demasiado claro: evite la luz directa en la cara
guidance-look-at-camera = Mire de frente a la cámara
guidance-hold-still = No se mueva: la imagen está borrosa

## Staff mode
nav-staff = Personal
nav-staff-hint = Personas, visitas y ajustes (PIN)
nav-live = En vivo
nav-people = Personas
nav-visits = Visitas
nav-roll-call = Asistencia
nav-settings = Ajustes
nav-audit = Registro
nav-import = Importar
nav-fullscreen = Pantalla completa sí/no
nav-lock = Bloquear
pin-title = PIN del personal
pin-choose-title = Elija un PIN del personal
pin-label = PIN
pin-repeat = Repita el PIN
pin-unlock = Desbloquear
pin-differ = Los dos PIN no coinciden.
pin-wrong = PIN incorrecto. { $tries ->
    [one] Queda 1 intento
   *[other] Quedan { $tries } intentos
} antes de que el PIN se bloquee.
pin-locked = Demasiados PIN incorrectos: bloqueado hasta { $when }.
pin-not-set = Aún no hay PIN del personal: elija uno (de 4 a 12 cifras).

## Settings
settings-section-camera = Cámara
settings-section-recognition = Reconocimiento
settings-section-visits = Visitas y privacidad
settings-section-display = Vista pública y pantalla
settings-camera = Cámara
settings-camera-hint = auto, demo, webcam:0, video:ARCHIVO, images:CARPETA
settings-resolution = Resolución
settings-px-wide = { " " }px de ancho
settings-px-high = { " " }px de alto
settings-pixel-format = Formato de píxel
settings-threshold = Umbral de reconocimiento
settings-face-in-view = Cara a la vista: { $similarity } con { $name }, { $verdict }
settings-would-recognise = sería reconocida
settings-would-stay-unknown = seguiría desconocida
settings-closest-person = la persona registrada más parecida
settings-stand-in-front = Póngase delante de la cámara para ver aquí su similitud.
settings-margin = Margen sobre la siguiente persona
settings-max-strangers = Desconocidos nombrados, como mucho
settings-max-strangers-off = sin límite: solo el umbral
settings-one-in = 1 de cada { $count }
settings-outlook = { $people } personas: una cara necesita { $bar } para ser nombrada; lo alcanza 1 de cada { $count } miradas de desconocidos.
settings-outlook-too-few = { $people } personas: una cara necesita { $bar } para ser nombrada (muy pocas personas para estimar cuántos desconocidos lo alcanzan).
settings-outlook-regulars = En la flota: las { $people } personas vistas aquí en los últimos { $days } días necesitan { $bar }; las demás, el umbral de arriba.
settings-cooldown = Pausa entre visitas
settings-minutes = { " " }minutos
settings-keep-visits = Conservar visitas
settings-days = { " " }días (0 = siempre)
settings-consent = Consentimiento
settings-consent-box = El registro requiere el consentimiento del visitante
settings-greeting = Saludo
settings-greeting-details = Mostrar los datos del visitante (desactivar si la pantalla mira al público)
settings-greeting-only = Solo: { $names } (kiosk.greeting_details en el archivo de configuración)
settings-capture = Capturar
settings-capture-pin = Capturar requiere el PIN del personal (los visitantes no pueden registrarse solos)
settings-start = Inicio
settings-fullscreen = Pantalla completa (modo quiosco)
settings-language = Idioma
settings-theme = Tema
theme-dark = Oscuro
theme-light = Claro
settings-high-contrast = Alto contraste
settings-font-scale = Tamaño del texto
settings-shop-name = Nombre de la tienda
settings-welcome-text = Texto de bienvenida
settings-welcome-hint = vacío: la bienvenida del idioma elegido
settings-logo = Archivo del logotipo
settings-logo-hint = /ruta/al/logo.png (opcional)
settings-diagnostic = Diagnóstico
settings-diagnostic-box = Mostrar las similitudes en la vista en vivo (para ajustar; no para el público)
settings-save = Guardar ajustes
settings-undo = Deshacer cambios
settings-saved-to = Guardado en { $path }
banner-threads-failed = No se pueden iniciar la cámara ni el reconocimiento: { $message }
notice-api-failed = La API HTTP no puede iniciarse: { $message }

## Shared by the staff screens
field-name = Nombre
keep = Conservar
choose = elegir…
show = Mostrar
date-from = Desde
date-to = hasta
date-hint = AAAA-MM-DD
date-today = hoy
bad-date = «{ $text }» no es una fecha como 2026-11-28
csv-file = Archivo CSV
export-csv = Exportar CSV

## The people screen
people-search = Buscar
people-search-hint = nombre
people-list-entry = { $name }  ({ $photos ->
    [one] 1 foto
   *[other] { $photos } fotos
}, { $visits ->
    [one] 1 visita
   *[other] { $visits } visitas
})
people-none = Todavía no hay nadie registrado.
people-choose = Elija una persona a la izquierda.
people-summary = Registrado el { $when } · { $visits ->
    [one] 1 visita
   *[other] { $visits } visitas
} · consentimiento { $consent }
people-consent-not-recorded = no registrado
people-photo-alt = Foto { $id }
people-detail-hint = dato
people-value-hint = valor
people-remove = Quitar
people-add-detail = Añadir dato
people-consent = Consiente ser reconocido
people-save = Guardar cambios
people-photo-file = Archivo de foto
people-add-photo = Añadir foto
people-export-folder = Carpeta de exportación
people-export = Exportar datos
people-same-as = La misma persona que
people-merge = Fusionar con ella
people-delete = Eliminar persona
people-delete-confirm = ¿Eliminar a { $name } con todas sus fotos, datos y visitas? No se puede deshacer.
people-delete-yes = Sí, eliminar
people-groups = Grupos
people-recent-visits = Visitas recientes
people-visit = { $when }  (similitud { $similarity }, { $source })

## The visits screen
visits-person = Persona
visits-everyone = Todos
visits-summary = { $count ->
    [one] 1 visita
   *[other] { $count } visitas
}: { $first } por primera vez, { $returning } recurrentes
visits-first-time = Primera vez
visits-returning = Recurrentes

## The roll call screen and its group settings
roll-call-group = Grupo
roll-call-start = Pasar lista ahora
roll-call-new-group = Nuevo grupo
roll-call-new-group-hint = Clase 5B
roll-call-create = Crear grupo
roll-call-no-group = Todavía no hay grupos: cree uno arriba y añádale personas en la pantalla Personas.
roll-call-choose = Elija un grupo y pulse Mostrar.
roll-call-no-session = { $group } no tuvo ninguna sesión del { $from } al { $to }.
roll-call-session = { $when } ({ $how }): { $present } presentes, { $late } con retraso, { $absent } ausentes
roll-call-scheduled = programada
roll-call-by-hand = iniciada a mano
roll-call-past-retention = { $days ->
    [one] 1 día
   *[other] { $days } días
} del periodo sin lista: sus visitas se eliminaron (ajuste de conservación).
roll-call-first-seen = visto por primera vez a las { $time }
roll-call-attendance = Asistencia del { $from } al { $to }
roll-call-rate = { $attended } de { $sessions ->
    [one] 1 sesión
   *[other] { $sessions } sesiones
} ({ $percent } %)
roll-call-late = { $count } con retraso
roll-call-nothing-to-count = ninguna sesión que contar
roll-call-week-of = semana del { $date }
roll-call-chart = Asistencia en %
status-present = Presente
status-late = Con retraso
status-absent = Ausente
status-expected = Aún no ha llegado
status-not-tracked = Sin consentimiento para reconocer
group-settings = Ajustes del grupo
group-rename = Renombrar
group-meets-on = Se reúne
group-meets-on-hint = mon-fri (vacío: sin horario)
group-starts-at = Empieza a las
group-late-after = Retraso a partir de (minutos)
group-save-schedule = Guardar horario
group-delete = Eliminar grupo
group-delete-confirm = ¿Eliminar { $group } con su horario y sus listas? Sus miembros siguen registrados.
group-delete-yes = Sí, eliminar el grupo
schedule-no-days = No se indicaron días; escriba por ejemplo mon-fri
schedule-bad-days = «{ $text }» no son días de la semana; escriba mon, tue, … sun (abreviaturas en inglés), un rango como mon-fri o daily
schedule-bad-time = «{ $text }» no es una hora como 09:00

## The import screen
import-title = Importar personas
import-help = Una carpeta con una carpeta de fotos por persona, con su nombre, y opcionalmente un people.csv con las columnas nombre, consentimiento (yes/no) y otros datos. Las personas que ya están aquí no se modifican.
import-consent = Todas las personas de esta importación aceptaron ser reconocidas (un «no» en people.csv sigue siendo un no)
import-folder = Carpeta
import-start = Iniciar importación
import-progress = { $done } de { $total } fotos  { $name }
import-meanwhile = Mientras tanto, el quiosco sigue saludando a los visitantes.
import-imported = importado con { $count ->
    [one] 1 foto
   *[other] { $count } fotos
}
import-would-import = se importaría con { $count ->
    [one] 1 foto
   *[other] { $count } fotos
}
import-already-there = ya estaba aquí, sin cambios
import-refused = no importado: { $message }
import-summary = Importación terminada: { $imported } importados, { $already } ya estaban, { $refused } no importados.
import-without-photos = En people.csv sin carpeta de fotos: { $names }.
import-not-started = No se puede iniciar la importación: { $message }
import-no-engine = No se puede iniciar el reconocimiento: { $message }
import-stopped-at = La importación se detuvo en { $name }: { $message }
import-vanished = La importación se detuvo de forma inesperada

## The audit log
audit-export = Exportar registro
audit-none = Todavía no hay acciones del personal.

## Backups and the fleet
backups-line = Copias de seguridad: { $health }
backups-off = las copias automáticas están desactivadas ([backup] dir está vacío)
backups-never = todavía no hay ninguna copia automática
backups-recent = última copia hace { $age }
backups-too-old = última copia hace { $age }: demasiado antigua, revise la carpeta de copias y el registro
backups-failed = la última copia FALLÓ: { $message }
age-minutes = { $count } min
age-hours = { $count } h
age-days = { $count ->
    [one] 1 día
   *[other] { $count } días
}
fleet-up-to-date = Flota: conectada, al día
fleet-connecting = Flota: conectando…
fleet-behind = Flota: conectada, { $waiting } por enviar, { $behind } por recibir
fleet-offline = Flota: sin conexión, trabajando con la galería de este quiosco; { $waiting ->
    [one] 1 cambio espera
   *[other] { $waiting } cambios esperan
} para enviarse
problem-old-visits = No se pueden borrar las visitas antiguas: { $detail }
problem-gallery-not-followed = No se pueden incorporar los cambios hechos en la galería desde otro lugar: { $detail }
problem-detection = Falló la detección de caras: { $detail }
problem-embedding = Falló el análisis de la cara: { $detail }
problem-visit-not-logged = No se puede registrar la visita: { $detail }
problem-consent-setting = No se puede aplicar el ajuste de consentimiento: { $detail }
problem-not-saved = No se pudo guardar a { $name }: { $detail }
problem-photo-not-added = No se pudo añadir la foto: { $detail }
problem-sample-rejected-save = No se pudo guardar a { $name }: { $reason }
problem-sample-rejected-add = No se pudo añadir la foto: { $reason }
staff-error-already-deleted = Esa persona ya se había borrado.
staff-error-group-gone = Ese grupo se borró; elige otro.
staff-error-first-pin = Este quiosco ya tiene personas registradas pero aún no tiene PIN del personal. Ponlo en este ordenador con `frontdesk set-pin`.
staff-error-pin-already-set = Ya hay un PIN del personal.
staff-error-folder-exists = { $path } ya existe; elige una carpeta nueva.
staff-error-photo-rejected = No se pudo añadir { $path }: { $reason }
staff-error-photo-unreadable = No se puede leer la foto { $path }: { $detail }
staff-error-engine = El reconocimiento no puede arrancar: { $detail }
staff-error-gallery-unavailable = No se puede abrir la galería: { $detail }
staff-error-gallery = No se hizo: { $detail }
staff-error-export = No se pudo escribir el archivo: { $detail }
staff-error-attendance = No se puede hacer el pase de lista: { $detail }
staff-error-settings = No se pudieron guardar los ajustes: { $detail }
rejection-no-face = no se encontró ninguna cara
rejection-several-faces = { $count } caras de tamaño parecido: use una foto con una sola persona delante
rejection-too-small = cara demasiado pequeña ({ $size } px, se necesitan { $min } px): pida que se acerque
rejection-too-blurry = cara demasiado borrosa: pida que se quede quieto un momento
rejection-already-enrolled = ya registrado como { $name }: añada la foto a esa persona
rejection-not-the-same-person = esta cara no coincide con las otras fotos de esta persona
done-pin-set = PIN del personal establecido.
done-person-saved = { $name } guardado.
done-person-deleted = Eliminado, con todas sus fotos, datos y visitas.
done-people-merged = Fusionados.
done-person-exported = { $count ->
    [one] 1 archivo exportado
   *[other] { $count } archivos exportados
} a { $path }.
done-visits-written = { $count ->
    [one] 1 visita escrita
   *[other] { $count } visitas escritas
} en { $path }.
done-audit-written = Registro de auditoría escrito en { $path }.
done-group-created = Grupo { $name } creado.
done-group-renamed = Grupo renombrado a { $name }.
done-schedule-saved = Horario guardado.
done-group-deleted = Grupo eliminado; sus miembros siguen registrados.
done-member-added = Añadido al grupo.
done-member-removed = Quitado del grupo.
done-roll-call-started = Pase de lista iniciado.
done-roll-calls-written = Pases de lista escritos en { $path }.
done-settings-saved = Ajustes guardados en { $path }.
done-photo-added = Foto { $path } añadida.
