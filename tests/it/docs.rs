//! The documentation cites only what exists: README.md, ARCHITECTURE.md and docs/*.md are read and every
//! `cargo test --test NAME [AREA::[TEST]]`, `cargo bench --bench NAME`, `frontdesk COMMAND`,
//! config key (`section.key`, `[section] key` and keys of ```toml blocks), repository path
//! (`src/...`, `tests/...`, ...) and relative link they cite is checked against the repository:
//! the test targets and areas on disk, the `[[bench]]` entries of Cargo.toml, the commands the
//! built `frontdesk --help` lists, and config/default.toml. The configuration reference in
//! docs/operating.md must also name every key of config/default.toml. No models, no threads; a
//! failure names the file, the line and the citation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A documentation file: its path relative to the repository and its text.
struct Doc {
    name: String,
    text: String,
}

/// README.md, ARCHITECTURE.md and every docs/*.md.
fn docs() -> Vec<Doc> {
    let mut paths = vec![root().join("README.md"), root().join("ARCHITECTURE.md")];
    let mut in_docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    in_docs.sort();
    paths.extend(in_docs);
    paths
        .into_iter()
        .map(|path| Doc {
            name: path
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            text: std::fs::read_to_string(&path).unwrap(),
        })
        .collect()
}

/// Where a snippet was found: inside a fenced code block (with the fence's language) or in an
/// inline code span.
#[derive(Debug, Clone, PartialEq)]
enum Place {
    Fenced(String),
    Inline,
}

/// A line of a fenced code block, or an inline code span (its inner whitespace made single spaces),
/// with the line it starts on.
#[derive(Debug)]
struct Snippet {
    line: usize,
    text: String,
    place: Place,
}

fn snippets(text: &str) -> Vec<Snippet> {
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    let mut paragraph: Vec<(usize, &str)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if let Some(info) = line.trim_start().strip_prefix("```") {
            spans(&paragraph, &mut out);
            paragraph.clear();
            fence = match fence {
                Some(_) => None,
                None => Some(info.trim().to_owned()),
            };
        } else if let Some(language) = &fence {
            out.push(Snippet {
                line: number,
                text: line.to_owned(),
                place: Place::Fenced(language.clone()),
            });
        } else if line.trim().is_empty() {
            spans(&paragraph, &mut out);
            paragraph.clear();
        } else {
            paragraph.push((number, line));
        }
    }
    spans(&paragraph, &mut out);
    out
}

/// The inline code spans of one paragraph (a span may run over a line break, never a paragraph).
fn spans(paragraph: &[(usize, &str)], out: &mut Vec<Snippet>) {
    let Some(&(first, _)) = paragraph.first() else {
        return;
    };
    let joined = paragraph
        .iter()
        .map(|(_, line)| *line)
        .collect::<Vec<_>>()
        .join("\n");
    let mut from = 0;
    while let Some(open) = joined[from..].find('`').map(|i| i + from) {
        let Some(close) = joined[open + 1..].find('`').map(|i| i + open + 1) else {
            break;
        };
        out.push(Snippet {
            line: first + joined[..open].matches('\n').count(),
            text: joined[open + 1..close]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            place: Place::Inline,
        });
        from = close + 1;
    }
}

/// Every failure of `check` over every snippet of every document, as `file:line: message`.
fn failures(check: impl Fn(&Snippet) -> Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for doc in docs() {
        for snippet in snippets(&doc.text) {
            for message in check(&snippet) {
                out.push(format!("{}:{}: {message}", doc.name, snippet.line));
            }
        }
    }
    out
}

fn assert_none(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "the docs cite {what} that do not exist:\n{}",
        failures.join("\n")
    );
}

/// A token without the punctuation prose puts around it.
fn bare(token: &str) -> &str {
    token.trim_matches(|c: char| matches!(c, ',' | ';' | ')' | '(' | '"' | '\'' | '.' | ':'))
}

fn tokens(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// `cargo test --test NAME`: a test target (tests/NAME.rs or tests/NAME/main.rs); a filter
/// `AREA::` after it: a module tests/NAME/AREA.rs; `AREA::TEST`: a `fn TEST` in it.
fn test_citations(snippet: &Snippet) -> Vec<String> {
    let words = tokens(&snippet.text);
    let mut out = Vec::new();
    for (i, _) in words.iter().enumerate().filter(|(_, w)| **w == "--test") {
        let Some(name) = words.get(i + 1).map(|w| bare(w)) else {
            continue;
        };
        let tests = root().join("tests");
        if !tests.join(format!("{name}.rs")).is_file()
            && !tests.join(name).join("main.rs").is_file()
        {
            out.push(format!(
                "`--test {name}`: no test target {name} (tests/{name}.rs or tests/{name}/main.rs)"
            ));
            continue;
        }
        let Some(filter) = words.get(i + 2).filter(|w| w.contains("::")) else {
            continue;
        };
        let mut parts = filter.split("::");
        let area = parts.next().unwrap_or_default();
        if area.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            // A placeholder: `cargo test --test it AREA::`.
            continue;
        }
        let module = [
            tests.join(name).join(format!("{area}.rs")),
            tests.join(name).join(area).join("mod.rs"),
        ]
        .into_iter()
        .find(|path| path.is_file());
        let Some(module) = module else {
            out.push(format!(
                "`--test {name} {filter}`: no area {area} (tests/{name}/{area}.rs)"
            ));
            continue;
        };
        let test = parts.next().unwrap_or_default();
        if !test.is_empty() {
            let source = std::fs::read_to_string(&module).unwrap();
            if !source.contains(&format!("fn {test}(")) {
                out.push(format!(
                    "`--test {name} {filter}`: no fn {test} in {}",
                    module.strip_prefix(root()).unwrap().display()
                ));
            }
        }
    }
    out
}

/// The `[[bench]]` names of Cargo.toml.
fn bench_names() -> BTreeSet<String> {
    let manifest: toml::Table = std::fs::read_to_string(root().join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    manifest["bench"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bench| bench["name"].as_str().unwrap().to_owned())
        .collect()
}

fn bench_citations(snippet: &Snippet, benches: &BTreeSet<String>) -> Vec<String> {
    let words = tokens(&snippet.text);
    words
        .iter()
        .enumerate()
        .filter(|(_, w)| **w == "--bench")
        .filter_map(|(i, _)| words.get(i + 1).map(|w| bare(w)))
        .filter(|name| !benches.contains(*name))
        .map(|name| format!("`--bench {name}`: no [[bench]] named {name} in Cargo.toml"))
        .collect()
}

/// config/default.toml's sections and their keys.
fn config_keys() -> BTreeMap<String, BTreeSet<String>> {
    let defaults: toml::Table = std::fs::read_to_string(root().join("config/default.toml"))
        .unwrap()
        .parse()
        .unwrap();
    defaults
        .iter()
        .filter_map(|(section, value)| {
            Some((section.clone(), value.as_table()?.keys().cloned().collect()))
        })
        .collect()
}

/// File names that look like `section.key` when the section shares a module's name (`mqtt.rs`).
const FILE_EXTENSIONS: &[&str] = &["rs", "md", "toml", "png", "py", "sh", "db", "json", "csv"];

fn key_problem(
    keys: &BTreeMap<String, BTreeSet<String>>,
    section: &str,
    key: Option<&str>,
) -> Option<String> {
    let known = keys.get(section)?;
    let key = key?;
    if known.contains(key) {
        None
    } else {
        Some(format!(
            "config key {section}.{key} is not in config/default.toml (its [{section}] has: {})",
            known.iter().cloned().collect::<Vec<_>>().join(", ")
        ))
    }
}

/// `section.key` and `[section] key` in inline code, where `section` is a section of
/// config/default.toml; every key of a ```toml block.
fn config_citations(
    snippet: &Snippet,
    keys: &BTreeMap<String, BTreeSet<String>>,
    toml_blocks: &mut BTreeMap<usize, String>,
) -> Vec<String> {
    let text = snippet.text.trim();
    match &snippet.place {
        Place::Fenced(language) if language == "toml" => {
            // Gathered per block by the caller; nothing to say line by line.
            toml_blocks.insert(snippet.line, snippet.text.clone());
            Vec::new()
        }
        Place::Fenced(_) => Vec::new(),
        Place::Inline => {
            if let Some(rest) = text.strip_prefix('[').filter(|r| !r.starts_with('[')) {
                let Some((section, after)) = rest.split_once(']') else {
                    return Vec::new();
                };
                // Only the sections of config/default.toml: `[lints]` is Cargo.toml's.
                let key = after.split_whitespace().next().map(bare);
                return key_problem(keys, section, key).into_iter().collect();
            }
            let word: String = text
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            let Some((section, key)) = word.split_once('.') else {
                return Vec::new();
            };
            if key.is_empty() || FILE_EXTENSIONS.contains(&key) {
                return Vec::new();
            }
            key_problem(keys, section, Some(key)).into_iter().collect()
        }
    }
}

/// The keys of a ```toml block that config/default.toml does not have.
fn toml_block_problems(block: &str, keys: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let table: toml::Table = match block.parse() {
        Ok(table) => table,
        Err(e) => return vec![format!("a toml block that does not parse: {}", e.message())],
    };
    let mut out = Vec::new();
    for (section, value) in &table {
        match value.as_table() {
            Some(inner) if keys.contains_key(section) => out.extend(
                inner
                    .keys()
                    .filter_map(|key| key_problem(keys, section, Some(key))),
            ),
            // Another file's section, or `[[webhook]]` and the like: arrays of tables,
            // documented in comments only.
            _ => {}
        }
    }
    out
}

/// The commands and subcommands `frontdesk --help` lists, from the built program.
fn subcommands(path: &[&str]) -> BTreeSet<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(path)
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success(), "frontdesk {path:?} --help failed");
    let help = String::from_utf8(output.stdout).unwrap();
    help.lines()
        .skip_while(|line| line.trim() != "Commands:")
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// Tokens that stand where `frontdesk`'s first word would: the start of a command line, after a
/// shell operator or an environment assignment.
fn at_command_position(previous: Option<&str>) -> bool {
    previous.is_none_or(|word| {
        matches!(word, "&&" | "||" | "|" | ";" | "$" | "sudo" | "exec" | "#")
            || (word.contains('=') && !word.starts_with('-'))
    })
}

/// `frontdesk WORD [WORD]` where `frontdesk` is run (the start of a command, or a path to the
/// program): WORD is one of its commands, and the next word one of that command's subcommands
/// when it has them. Global options (`--db PATH`, `--config PATH`) and `[...]`, `<...>` are skipped;
/// an upper-case word is a placeholder.
fn command_citations(
    snippet: &Snippet,
    help: &mut BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let mut lists = |path: &[&str]| {
        help.entry(path.join(" "))
            .or_insert_with(|| subcommands(path))
            .clone()
    };
    let words = tokens(&snippet.text);
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let program = (*word == "frontdesk"
            && at_command_position(i.checked_sub(1).map(|p| words[p])))
            || (word.ends_with("/frontdesk")
                && (word.starts_with("target/") || word.starts_with("/usr/bin/")));
        if !program {
            continue;
        }
        let mut rest = words[i + 1..].iter().map(|w| bare(w)).peekable();
        let mut path: Vec<&str> = Vec::new();
        while let Some(next) = rest.next() {
            if next == "--db" || next == "--config" {
                rest.next();
                continue;
            }
            if next.starts_with('[') {
                // `[--db PATH]`: skip to the closing bracket.
                let mut token = next;
                while !token.ends_with(']') {
                    match rest.next() {
                        Some(t) => token = t,
                        None => break,
                    }
                }
                continue;
            }
            if next.is_empty()
                || next.starts_with('-')
                || next.starts_with('<')
                || !next.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            {
                break;
            }
            let known = lists(&path);
            if known.is_empty() {
                break;
            }
            if !known.contains(next) {
                let cited = path
                    .iter()
                    .chain([&next])
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                out.push(format!(
                    "`frontdesk {cited}`: not a command (frontdesk {}--help lists: {})",
                    path.iter().map(|p| format!("{p} ")).collect::<String>(),
                    known.into_iter().collect::<Vec<_>>().join(", ")
                ));
                break;
            }
            path.push(next);
            if path.len() == 2 {
                break;
            }
        }
    }
    out
}

/// Folders of the repository whose files the docs cite by path.
const CITED_FOLDERS: &[&str] = &[
    "src/",
    "tests/",
    "benches/",
    "config/",
    "docs/",
    "packaging/",
    "models/",
    "assets/",
    ".ci/",
];

/// `src/...`, `tests/...` and the like, in code: the file or folder exists (globs and
/// placeholders are left alone).
fn path_citations(snippet: &Snippet) -> Vec<String> {
    tokens(&snippet.text)
        .into_iter()
        .map(|word| {
            word.trim_matches(|c: char| matches!(c, ',' | ';' | ')' | '(' | '"' | '\'' | ':'))
        })
        .map(|word| word.trim_end_matches('.'))
        .filter(|word| CITED_FOLDERS.iter().any(|folder| word.starts_with(folder)))
        .filter(|word| !word.contains(['*', '<', '{', '$', '…']) && !word.ends_with("..."))
        .filter(|word| !root().join(word).exists())
        .map(|word| format!("`{word}`: no such file or folder in the repository"))
        .collect()
}

/// Markdown links and images to relative targets: `[text](target)`, outside code blocks.
fn link_failures() -> Vec<String> {
    let mut out = Vec::new();
    for doc in docs() {
        let folder = root().join(&doc.name).parent().unwrap().to_path_buf();
        let mut fenced = false;
        for (index, line) in doc.text.lines().enumerate() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
            }
            if fenced {
                continue;
            }
            let mut from = 0;
            while let Some(start) = line[from..].find("](").map(|i| i + from + 2) {
                let Some(end) = line[start..].find(')').map(|i| i + start) else {
                    break;
                };
                from = end;
                let target = line[start..end]
                    .split_whitespace()
                    .next()
                    .unwrap_or_default();
                let file = target.split('#').next().unwrap_or_default();
                if file.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                if !folder.join(file).exists() {
                    out.push(format!(
                        "{}:{}: link to {target}: no such file",
                        doc.name,
                        index + 1
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn cited_test_targets_areas_and_tests_exist() {
    assert_none("tests", &failures(test_citations));
}

#[test]
fn cited_benches_are_in_cargo_toml() {
    let benches = bench_names();
    assert_none("benches", &failures(|s| bench_citations(s, &benches)));
}

#[test]
fn cited_config_keys_are_in_default_toml() {
    let keys = config_keys();
    let mut problems = Vec::new();
    for doc in docs() {
        let mut blocks: BTreeMap<usize, String> = BTreeMap::new();
        for snippet in snippets(&doc.text) {
            for message in config_citations(&snippet, &keys, &mut blocks) {
                problems.push(format!("{}:{}: {message}", doc.name, snippet.line));
            }
        }
        // Consecutive lines of one ```toml block make one document.
        let mut block = String::new();
        let mut start = 0;
        let mut last = 0;
        for (line, text) in blocks {
            if line != last + 1 && !block.is_empty() {
                problems.extend(
                    toml_block_problems(&block, &keys)
                        .into_iter()
                        .map(|m| format!("{}:{start}: {m}", doc.name)),
                );
                block.clear();
            }
            if block.is_empty() {
                start = line;
            }
            block.push_str(&text);
            block.push('\n');
            last = line;
        }
        if !block.is_empty() {
            problems.extend(
                toml_block_problems(&block, &keys)
                    .into_iter()
                    .map(|m| format!("{}:{start}: {m}", doc.name)),
            );
        }
    }
    assert_none("config keys", &problems);
}

/// The configuration reference in docs/operating.md names every key of config/default.toml.
#[test]
fn every_config_key_is_in_the_configuration_reference() {
    let reference = std::fs::read_to_string(root().join("docs/operating.md")).unwrap();
    let missing: Vec<String> = config_keys()
        .into_iter()
        .flat_map(|(section, keys)| keys.into_iter().map(move |key| format!("{section}.{key}")))
        .filter(|key| !reference.contains(&format!("`{key}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/operating.md's configuration reference lacks these keys of config/default.toml: {}",
        missing.join(", ")
    );
}

#[test]
fn cited_commands_exist() {
    let help = std::cell::RefCell::new(BTreeMap::new());
    assert_none(
        "commands",
        &failures(|s| command_citations(s, &mut help.borrow_mut())),
    );
}

#[test]
fn cited_paths_exist() {
    assert_none("files", &failures(path_citations));
}

#[test]
fn relative_links_lead_to_files() {
    assert_none("links", &link_failures());
}

/// The checks themselves: each finds a citation that is wrong, and passes one that is right.
#[test]
fn each_check_catches_a_wrong_citation() {
    let snippet = |text: &str, place: Place| Snippet {
        line: 1,
        text: text.to_owned(),
        place,
    };
    let inline = |text: &str| snippet(text, Place::Inline);
    assert!(test_citations(&inline("cargo test --test it screens::")).is_empty());
    assert_eq!(
        test_citations(&inline("cargo test --test screens")).len(),
        1
    );
    assert_eq!(
        test_citations(&inline("cargo test --test it nowhere::")).len(),
        1
    );
    assert_eq!(
        test_citations(&inline("cargo test --test it screens::no_such_test")).len(),
        1
    );
    let benches = bench_names();
    assert!(bench_citations(&inline("cargo bench --bench engine -- x"), &benches).is_empty());
    assert_eq!(
        bench_citations(&inline("cargo bench --bench nowhere"), &benches).len(),
        1
    );
    let keys = config_keys();
    let mut blocks = BTreeMap::new();
    let mut config = |text: &str| config_citations(&inline(text), &keys, &mut blocks).len();
    assert_eq!(config("recognition.threshold = 0.45"), 0);
    assert_eq!(config("[backup] dir"), 0);
    assert_eq!(config("recognition.no_such_key"), 1);
    assert_eq!(config("[backup] no_such_key"), 1);
    assert_eq!(config("mqtt.rs"), 0);
    assert_eq!(config("report.rs"), 0);
    assert_eq!(
        toml_block_problems("[fleet]\nurl = \"x\"\n", &keys).len(),
        0
    );
    assert_eq!(
        toml_block_problems("[fleet]\nuri = \"x\"\n", &keys).len(),
        1
    );
    let mut help = BTreeMap::new();
    let fenced = |text: &str| snippet(text, Place::Fenced("sh".into()));
    let mut commands = |s: &Snippet| command_citations(s, &mut help).len();
    assert_eq!(commands(&fenced("frontdesk --db G people merge 1 2")), 0);
    assert_eq!(commands(&inline("WGPU_BACKEND=opengl frontdesk run")), 0);
    assert_eq!(
        commands(&fenced("target/release/frontdesk watch --source demo")),
        0
    );
    assert_eq!(
        commands(&fenced(
            "sudo -u postgres createdb --owner frontdesk frontdesk"
        )),
        0
    );
    assert_eq!(commands(&inline("frontdesk enrol --name X")), 1);
    assert_eq!(commands(&inline("frontdesk people erase 3")), 1);
    assert!(path_citations(&inline("tests/it/docs.rs")).is_empty());
    assert_eq!(path_citations(&inline("tests/hardening.rs")).len(), 1);
}
