//! The TypeScript bindings in ui/src/lib/bindings must be exactly what the Rust types generate.
//!
//! Run with `UPDATE_BINDINGS=1` to rewrite them after changing a type that crosses the bridge.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn read_dir_files(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "ts") {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                files.insert(name, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let committed_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings");
    let fresh_dir = tempfile::tempdir().unwrap();
    plexichat_desktop_lib::ipc::write_bindings(fresh_dir.path()).unwrap();
    let fresh = read_dir_files(fresh_dir.path());
    assert!(
        fresh.contains_key("UiState.ts") && fresh.contains_key("commands.ts"),
        "{:?}",
        fresh.keys()
    );

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed_dir);
        std::fs::create_dir_all(&committed_dir).unwrap();
        for (name, text) in &fresh {
            std::fs::write(committed_dir.join(name), text).unwrap();
        }
        return;
    }

    let committed = read_dir_files(&committed_dir);
    let mut problems = Vec::new();
    for (name, text) in &fresh {
        match committed.get(name) {
            None => problems.push(format!("missing: {name}")),
            Some(old) if old != text => problems.push(format!("stale: {name}")),
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|n| !fresh.contains_key(*n)) {
        problems.push(format!("no longer generated: {name}"));
    }
    assert!(
        problems.is_empty(),
        "ui/src/lib/bindings is out of date ({}); run `UPDATE_BINDINGS=1 cargo test --test bindings` and commit the result",
        problems.join(", ")
    );
}

#[test]
fn every_command_appears_in_the_typescript_map() {
    let dir = tempfile::tempdir().unwrap();
    plexichat_desktop_lib::ipc::write_bindings(dir.path()).unwrap();
    let map = std::fs::read_to_string(dir.path().join("commands.ts")).unwrap();
    for name in plexichat_desktop_lib::commands::COMMAND_NAMES {
        assert!(
            map.contains(&format!("  {name}: {{ args: ")),
            "{name} missing from commands.ts"
        );
    }
}
