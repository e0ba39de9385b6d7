fn main() {
    // tauri-build's default capability glob is relative to the repo root; ours live in
    // src-tauri/capabilities, and a custom pattern gets no automatic rerun.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*"),
    )
    .expect("tauri-build failed");
}
