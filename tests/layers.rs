//! The core's modules import only downward: helpers, storage, domain, cross-cutting, then
//! import/export and the demo (ARCHITECTURE.md, "Layers"). A module may use its own layer and the
//! ones below; this test reads `src/` and fails on any `crate::` path that reaches a layer above
//! (a knot a newcomer cannot read in order) or on a module no layer names.

use std::collections::BTreeMap;
use std::path::Path;

const LAYERS: &[(&str, &[&str])] = &[
    (
        "helpers",
        &[
            "error",
            "fold",
            "format",
            "validate",
            "clock",
            "messages",
            "placeholders",
            "release_notes",
            "schedule",
            "calendar",
        ],
    ),
    ("storage", &["db", "writers", "integrity", "changelog", "backup", "files"]),
    ("domain", &["settings", "staff", "customers", "interactions", "deals", "segments", "search", "care", "tickets"]),
    ("cross-cutting", &["history", "duplicates", "undo", "remote", "sync", "reports"]),
    ("import/export", &["import", "export", "archive", "demo"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&module))
}

/// The modules a source text names through `crate::` (`crate::a::b`, `crate::{a, b::c}`).
fn imports(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                out.push(name);
            }
        } else {
            out.push(rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect());
        }
    }
    out
}

fn visit(dir: &Path, root: &Path, found: &mut BTreeMap<String, Vec<(String, String)>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if !path.ends_with("bin") {
                visit(&path, root, found);
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") || path.parent() == Some(root) && path.ends_with("lib.rs") {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        let module = rel.split(['/', '.']).next().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        // a module's own tests may reach anywhere
        let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        for name in imports(text) {
            found.entry(module.clone()).or_default().push((rel.clone(), name));
        }
    }
}

#[test]
fn modules_import_only_from_their_layer_and_the_layers_below() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    visit(&root, &root, &mut found);
    let mut upward = Vec::new();
    for (module, uses) in &found {
        let own = layer_of(module)
            .unwrap_or_else(|| panic!("module {module} is in no layer: add it to LAYERS and ARCHITECTURE.md"));
        for (file, name) in uses {
            // the crate root's items (Workspace, Error, blocking...) are the house itself
            let Some(theirs) = layer_of(name) else { continue };
            if theirs > own {
                upward.push(format!("{file} ({}) uses {name} ({})", LAYERS[own].0, LAYERS[theirs].0));
            }
        }
    }
    assert!(upward.is_empty(), "imports that reach a layer above:\n{}", upward.join("\n"));
    assert_eq!(
        imports("use crate::{db::WriteTx, error::Result};\nlet x = crate::fold::fold(s);"),
        ["db", "error", "fold"]
    );
}
