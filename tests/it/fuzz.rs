//! Property tests: hostile or random input to the image loader, the frame-source parser and the
//! config loader gives an error, never a panic. (The command line's parser is checked the same
//! way in the binary's own tests, `src/cli/mod.rs`.)

use std::io::Write as _;

use frontdesk::camera::SourceSpec;
use frontdesk::config::Config;
use frontdesk::vision::image_io::load_rgb;
use proptest::prelude::*;

/// The first bytes of every format the loader recognises, so that random tails reach the decoders
/// instead of stopping at "unknown format".
const MAGIC: [&[u8]; 7] = [
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"\xff\xd8\xff\xe1",
    b"BM",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"P6\n",
    b"P5\n",
];

fn with_file<T>(bytes: &[u8], check: impl FnOnce(&std::path::Path) -> T) -> T {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file.flush().unwrap();
    check(file.path())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = with_file(&bytes, load_rgb);
    }

    #[test]
    fn decoding_a_known_header_with_a_random_body_never_panics(
        format in 0..MAGIC.len(),
        body in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = MAGIC[format].to_vec();
        bytes.extend(body);
        let _ = with_file(&bytes, load_rgb);
    }

    #[test]
    fn a_damaged_real_photo_never_panics(
        offset in 0usize..20_000,
        garbage in proptest::collection::vec(any::<u8>(), 1..64),
        cut in 0usize..40_000,
    ) {
        let original = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/faces/single/mpl_grace_hopper.jpg"),
        )
        .unwrap();
        let mut bytes = original[..cut.min(original.len())].to_vec();
        for (i, byte) in garbage.iter().enumerate() {
            if let Some(slot) = bytes.get_mut(offset + i) {
                *slot = *byte;
            }
        }
        let _ = with_file(&bytes, load_rgb);
    }

    #[test]
    fn frame_source_names_never_panic(text in "\\PC{0,40}") {
        let _ = text.parse::<SourceSpec>();
    }

    #[test]
    fn arbitrary_config_text_never_panics(text in "\\PC{0,400}") {
        let _ = with_file(text.as_bytes(), |path| Config::load(Some(path)));
    }

    #[test]
    fn config_shaped_text_never_panics(
        lines in proptest::collection::vec(
            "(\\[(recognition|models|runtime|database|kiosk)\\]|[a-z_]{1,24} = (-?[0-9]{1,20}(\\.[0-9]{0,8})?(e-?[0-9]{1,3})?|\"[^\"\\\\]{0,24}\"|true|false|nan|inf|-inf|\\[\\]|\\{\\}))",
            0..12,
        ),
    ) {
        let text = lines.join("\n");
        if let Ok(config) = with_file(text.as_bytes(), |path| Config::load(Some(path))) {
            // Whatever is accepted is valid and survives a save and reload.
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("config.toml");
            config.save(&path).unwrap();
            prop_assert_eq!(Config::load(Some(&path)).unwrap(), config);
        }
    }
}
