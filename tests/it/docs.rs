//! The documentation holds: every relative link and anchor in README.md, ARCHITECTURE.md and
//! `docs/` leads somewhere, and every option of `edgetop --help`, every default key, every
//! action a key can be bound to and every `:` command is documented.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use edgetop::app::bindings::{COMMANDS, KeyMode};
use edgetop::app::keymap::Keymap;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The pages read: the README, ARCHITECTURE.md and every page of `docs/`, by path from the root.
fn pages() -> BTreeMap<String, String> {
    let mut names = vec!["README.md".to_string(), "ARCHITECTURE.md".to_string()];
    let docs = std::fs::read_dir(Path::new(ROOT).join("docs")).expect("docs/ is there");
    for entry in docs {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".md") {
            names.push(format!("docs/{name}"));
        }
    }
    names
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(Path::new(ROOT).join(&n))
                .unwrap_or_else(|e| panic!("{n}: {e}"));
            (n, text)
        })
        .collect()
}

/// A page's prose, its fenced code blocks left out (a `](x)` in a code sample is no link).
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The anchors GitHub makes of a page's headings: the heading's text as it reads (no `` ` ``,
/// a link's text only), lower case, every character but letters, digits, `_`, `-` and spaces
/// dropped, spaces made `-`; a repeated one gets `-1`, `-2`…
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for line in prose(text).lines() {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let heading = heading.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        let read = link_texts(heading.trim());
        let slug: String = read
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let n = seen.entry(slug.clone()).or_default();
        out.insert(if *n == 0 {
            slug.clone()
        } else {
            format!("{slug}-{n}")
        });
        *n += 1;
    }
    out
}

/// `[text](target)` read as `text`.
fn link_texts(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match (after.find("]("), after.find(')')) {
            (Some(close), Some(end)) if close < end => {
                out.push_str(&after[..close]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace('`', "")
}

/// Every `](target)` of a page's prose.
fn links(text: &str) -> Vec<String> {
    let prose = prose(text);
    let mut out = Vec::new();
    let mut rest = prose.as_str();
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let end = after.find(')').unwrap_or(after.len());
        out.push(after[..end].to_string());
        rest = &after[end..];
    }
    out
}

#[test]
fn every_relative_link_and_anchor_leads_somewhere() {
    let pages = pages();
    let mut broken = Vec::new();
    for (name, text) in &pages {
        for link in links(text) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target: PathBuf = if file.is_empty() {
                PathBuf::from(name)
            } else {
                Path::new(name).parent().unwrap().join(file)
            };
            let on_disk = Path::new(ROOT).join(&target);
            if !on_disk.exists() {
                broken.push(format!("{name}: ({link}): no {}", target.display()));
                continue;
            }
            if anchor.is_empty() {
                continue;
            }
            let there = std::fs::read_to_string(&on_disk).unwrap_or_default();
            if !anchors(&there).contains(anchor) {
                broken.push(format!(
                    "{name}: ({link}): no heading #{anchor} in {}",
                    target.display()
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links that lead nowhere:\n{}",
        broken.join("\n")
    );
}

/// Every page's text, as one.
fn all_text() -> String {
    pages().into_values().collect::<Vec<_>>().join("\n")
}

#[test]
fn every_option_of_help_is_documented() {
    let out = Command::new(env!("CARGO_BIN_EXE_edgetop"))
        .arg("--help")
        .output()
        .expect("edgetop runs");
    let help = String::from_utf8(out.stdout).unwrap();
    let options: BTreeSet<String> = help
        .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == '=')
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .filter(|w| w[2..].chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .map(str::to_string)
        .collect();
    assert!(
        options.len() > 30,
        "the options were read from --help: {options:?}"
    );
    let docs = all_text();
    let missing: Vec<&String> = options
        .iter()
        .filter(|o| !docs.contains(&format!("`{o}")) && !docs.contains(&format!(" {o} ")))
        .collect();
    assert!(
        missing.is_empty(),
        "options of edgetop --help that no page names: {missing:?}"
    );
}

#[test]
fn every_default_key_action_and_command_is_documented() {
    let docs = all_text();
    let keymap = Keymap::default();
    let mut missing = BTreeSet::new();
    for mode in KeyMode::ALL {
        for bound in keymap.bound(mode) {
            for key in &bound.keys {
                let label = key.label();
                if !docs.contains(&format!("`{label}`")) {
                    missing.insert(format!("key `{label}` ({}, {})", bound.help, mode.title()));
                }
            }
            let name = bound.action.name();
            if !mode.fixed() && !docs.contains(&format!("`{name}`")) {
                missing.insert(format!("action `{name}` (for [keys])"));
            }
        }
    }
    for (command, _) in COMMANDS {
        let word = command.split(' ').next().unwrap_or(command);
        if !docs.contains(&format!("`{word}")) {
            missing.insert(format!("command `{command}`"));
        }
    }
    assert!(
        missing.is_empty(),
        "not in README.md, ARCHITECTURE.md or docs/:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_anchors_are_githubs() {
    let page = "# edgetop\n## `edgetop snapshot --json`\n## The mouse\n## The mouse\n```\n# not a heading\n```\n## What paged: alarms\n## [Keys](x.md) and more\n";
    let got: Vec<String> = anchors(page).into_iter().collect();
    assert_eq!(
        got,
        [
            "edgetop",
            "edgetop-snapshot---json",
            "keys-and-more",
            "the-mouse",
            "the-mouse-1",
            "what-paged-alarms"
        ]
    );
}
