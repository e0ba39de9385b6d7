//! Logging: `tracing` to stderr and to a daily-rotated file in the XDG state directory.
//!
//! Both sinks go through [`RedactingWriter`], so a token, password or 2FA code never reaches a
//! terminal or a file, whoever logged it. `RUST_LOG` overrides the default filter.

use std::io::Write;
use std::path::PathBuf;

use plexichat_core::redact::RedactingWriter;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// Default filter when `RUST_LOG` is unset: our crates at debug, everything else at warn.
pub const DEFAULT_FILTER: &str =
    "warn,plexichat_desktop_lib=info,plexichat_core=info,plexichat_devserver=warn";

/// How many daily log files are kept.
const KEPT_LOG_FILES: usize = 7;

/// The directory log files go to: `$XDG_STATE_HOME/plexichat-desktop/logs`, falling back to
/// `~/.local/state/plexichat-desktop/logs`.
#[must_use]
pub fn log_dir() -> PathBuf {
    let state_home = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir);
    state_home.join("plexichat-desktop").join("logs")
}

/// Makes a [`RedactingWriter`] around whatever `M` makes, for `tracing_subscriber::fmt`.
#[derive(Debug, Clone)]
pub struct Redacted<M>(pub M);

impl<'a, M> MakeWriter<'a> for Redacted<M>
where
    M: MakeWriter<'a>,
{
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter::new(self.0.make_writer())
    }
}

/// Keeps the file writer's background thread alive; logs are flushed when it drops.
pub struct LogGuard {
    _file: Option<WorkerGuard>,
}

/// Installs the global subscriber. A log file that cannot be opened is reported on stderr and
/// skipped: logging must never stop the app from starting.
pub fn init() -> LogGuard {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let stderr_layer = tracing_subscriber::fmt::layer()
        .with_writer(Redacted(std::io::stderr))
        .with_target(true);

    let dir = log_dir();
    let file = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            RollingFileAppender::builder()
                .rotation(Rotation::DAILY)
                .filename_prefix("plexichat")
                .filename_suffix("log")
                .max_log_files(KEPT_LOG_FILES)
                .build(&dir)
                .map_err(|e| e.to_string())
        });
    let (file_layer, guard) = match file {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(Redacted(writer));
            (Some(layer), Some(guard))
        }
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "plexichat: logging to a file is off ({}): {e}",
                dir.display()
            );
            (None, None)
        }
    };
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stderr_layer)
        .with(file_layer)
        .try_init();
    LogGuard { _file: guard }
}
