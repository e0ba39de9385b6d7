//! The typed bridge between Rust and the web UI.
//!
//! Every command is listed once, in [`crate::commands`], through [`ipc_commands!`]: that one
//! list produces the Tauri invoke handler and the TypeScript `Commands` map, so a command's
//! name, argument type and result type can never drift apart between the two sides. Every
//! type that crosses the bridge derives `ts_rs::TS`; `tests/bindings.rs` regenerates
//! `ui/src/lib/bindings/` and fails when the committed files differ.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use plexichat_core::UiState;
use serde::Serialize;
use ts_rs::{Config, ExportError, TypeVisitor, TS};

/// Event carrying the app-wide [`UiState`] to the window.
pub const UI_STATE_EVENT: &str = "ui-state";
/// Event carrying chat changes (`plexichat_core::event::Event`) to the window.
pub const CHAT_EVENT: &str = "chat-event";
/// Event carrying pending-send changes (`plexichat_core::outbox::OutboxUpdate`) to the window.
pub const OUTBOX_EVENT: &str = "outbox-update";
/// Event carrying the whole unread list (`Vec<ChannelUnread>`) after every change.
pub const UNREAD_EVENT: &str = "unread-update";

/// What a failed command tells the UI. `state` is the classified state of that one action
/// (for example `rate_limited` for a send), which the UI shows next to the control that
/// triggered it; the UI never parses `message`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IpcError {
    /// What kind of failure, for the UI to branch on.
    pub code: IpcErrorCode,
    /// A sentence for people; shown in details views only.
    pub message: String,
    /// The classified state of this action, when the core produced one (boxed: it is large
    /// and errors travel through every command's `Result`).
    pub state: Option<Box<UiState>>,
}

/// The closed set of command failure kinds. Add one only when the UI must branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum IpcErrorCode {
    /// The action needs a signed-in session and there is none.
    NotSignedIn,
    /// The server or network refused the action; `state` says how.
    Failed,
    /// The UI sent arguments the shell rejects before any request (a bug in the UI).
    InvalidArgument,
    /// Something inside the app failed (a bug); details are in the log.
    Internal,
}

impl IpcError {
    /// A failure the core classified into `state`.
    #[must_use]
    pub fn failed(state: UiState, message: impl Into<String>) -> Self {
        Self {
            code: IpcErrorCode::Failed,
            message: message.into(),
            state: Some(Box::new(state)),
        }
    }

    /// The action needs a session.
    #[must_use]
    pub fn not_signed_in() -> Self {
        Self {
            code: IpcErrorCode::NotSignedIn,
            message: "Not signed in".into(),
            state: None,
        }
    }

    /// The UI sent something invalid.
    #[must_use]
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self {
            code: IpcErrorCode::InvalidArgument,
            message: message.into(),
            state: None,
        }
    }

    /// An internal failure; the message is logged and kept short.
    #[must_use]
    pub fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        tracing::error!(%message, "internal error in a command");
        Self {
            code: IpcErrorCode::Internal,
            message,
            state: None,
        }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for IpcError {}

/// Result type of every command.
pub type IpcResult<T> = Result<T, IpcError>;

/// One command's entry in the generated TypeScript map.
#[derive(Debug, Clone)]
pub struct CommandSignature {
    /// Command name, as invoked from TypeScript.
    pub name: &'static str,
    /// TypeScript type of the `args` object (`null` for none).
    pub args: String,
    /// TypeScript type of the resolved value.
    pub result: String,
}

/// Exports `T` and every exportable type it mentions into `cfg`'s output directory, and
/// records the exported type names in `imports`.
///
/// `ts-rs` only exports named types; a command returning `Vec<Server>` must still export
/// `Server`, so wrappers (`Vec`, `Option`, tuples) are walked through their generics.
///
/// # Errors
/// Fails when a file cannot be written.
pub fn export_type<T: TS + 'static + ?Sized>(
    cfg: &Config,
    imports: &mut BTreeSet<String>,
) -> Result<(), ExportError> {
    struct Walk<'a> {
        cfg: &'a Config,
        imports: &'a mut BTreeSet<String>,
        result: Result<(), ExportError>,
    }
    impl TypeVisitor for Walk<'_> {
        fn visit<U: TS + 'static + ?Sized>(&mut self) {
            if self.result.is_err() {
                return;
            }
            self.result = export_type::<U>(self.cfg, self.imports);
        }
    }
    if T::output_path().is_some() {
        imports.insert(T::ident(cfg));
        return T::export_all(cfg);
    }
    let mut walk = Walk {
        cfg,
        imports,
        result: Ok(()),
    };
    T::visit_generics(&mut walk);
    T::visit_dependencies(&mut walk);
    walk.result
}

/// Renders `commands.ts`: the map from command name to argument and result types.
#[must_use]
pub fn render_commands_ts(commands: &[CommandSignature], imports: &BTreeSet<String>) -> String {
    let mut out = String::from(
        "// This file was generated from src-tauri/src/commands by tests/bindings.rs. Do not edit it by hand.\n",
    );
    for name in imports {
        let _ = writeln!(out, "import type {{ {name} }} from \"./{name}\";");
    }
    out.push_str("\n/** Every Tauri command: its `args` object and what it resolves to. */\nexport interface Commands {\n");
    for c in commands {
        let _ = writeln!(
            out,
            "  {}: {{ args: {}; result: {} }};",
            c.name, c.args, c.result
        );
    }
    out.push_str("}\n\n/** Name of the event carrying the app-wide UiState. */\n");
    let _ = writeln!(out, "export const UI_STATE_EVENT = \"{UI_STATE_EVENT}\";");
    out.push_str("/** Name of the event carrying chat changes. */\n");
    let _ = writeln!(out, "export const CHAT_EVENT = \"{CHAT_EVENT}\";");
    out.push_str("/** Name of the event carrying pending-send changes. */\n");
    let _ = writeln!(out, "export const OUTBOX_EVENT = \"{OUTBOX_EVENT}\";");
    out.push_str("/** Name of the event carrying the unread list. */\n");
    let _ = writeln!(out, "export const UNREAD_EVENT = \"{UNREAD_EVENT}\";");
    out
}

/// Writes every binding (types and `commands.ts`) into `dir`.
///
/// # Errors
/// Fails when a file cannot be written.
pub fn write_bindings(dir: &Path) -> Result<(), ExportError> {
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    let mut imports = BTreeSet::new();
    let commands = crate::commands::export_command_types(&cfg, &mut imports)?;
    // Event payloads are not command results but cross the bridge too.
    export_type::<UiState>(&cfg, &mut imports)?;
    export_type::<IpcError>(&cfg, &mut imports)?;
    crate::commands::export_event_types(&cfg, &mut imports)?;
    std::fs::write(
        dir.join("commands.ts"),
        render_commands_ts(&commands, &imports),
    )?;
    Ok(())
}

/// Declares the command list once: the handler, and the TypeScript signatures.
///
/// Each entry is `name(ArgsType) -> ResultType;` where `name` is a `#[tauri::command]` in
/// `crate::commands` taking `args: ArgsType` (or no args for `()`) and returning
/// `IpcResult<ResultType>`.
#[macro_export]
macro_rules! ipc_commands {
    ($($module:ident :: $name:ident ( $args:ty ) -> $ret:ty;)*) => {
        /// The Tauri invoke handler for every command.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// Exports every command's argument and result types; returns their signatures.
        ///
        /// # Errors
        /// Fails when a binding file cannot be written.
        pub fn export_command_types(
            cfg: &ts_rs::Config,
            imports: &mut std::collections::BTreeSet<String>,
        ) -> Result<Vec<$crate::ipc::CommandSignature>, ts_rs::ExportError> {
            let mut out = Vec::new();
            $(
                $crate::ipc::export_type::<$args>(cfg, imports)?;
                $crate::ipc::export_type::<$ret>(cfg, imports)?;
                out.push($crate::ipc::CommandSignature {
                    name: stringify!($name),
                    args: <$args as ts_rs::TS>::name(cfg),
                    result: <$ret as ts_rs::TS>::name(cfg),
                });
            )*
            Ok(out)
        }

        /// Names of every command, for tests.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}

impl From<plexichat_core::outbox::Error> for IpcError {
    fn from(e: plexichat_core::outbox::Error) -> Self {
        use plexichat_core::outbox::Error as E;
        match e {
            // The UI named an entry that is gone or in the wrong state: a stale view.
            E::NotFound(_) | E::InFlight(_) | E::NotFailed(_) => {
                Self::invalid_argument(e.to_string())
            }
            // Refused input or a server refusal: shown like any failed call.
            E::Invalid(e) => e.into(),
            other => Self::internal(other.to_string()),
        }
    }
}

impl From<plexichat_core::ClientError> for IpcError {
    fn from(e: plexichat_core::ClientError) -> Self {
        let message = e.to_string();
        Self::failed(e.state, message)
    }
}
