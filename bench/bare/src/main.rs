//! A bare Tauri 2 window: the baseline bench/run compares the app against.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("bare tauri window failed to run");
}
