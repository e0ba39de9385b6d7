//! `plexi`: the Plexichat core from a terminal.
//!
//! Each run does one command through the same [`plexichat_core::Client`] the desktop app uses
//! and prints one JSON line per event on stdout:
//! - every `UiState` the client publishes, as is (`{"state":"rate_limited","retry_at":…}`);
//! - the command's result as `{"result": …}`;
//! - a final failure as `{"error": "<text>", "state": {…}}`, with exit code 1.
//!
//! The session lives in the OS keyring like the app's (`plexi login` then `plexi whoami`
//! works); `--no-keyring` keeps it in memory for this run only. Passwords are read from
//! stdin, never from arguments, and nothing secret is printed. Logs go to stderr
//! (`RUST_LOG=debug`).
//!
//! Example against a local devserver:
//! ```text
//! plexichat-devserver --addr 127.0.0.1:8080 --seed demo &
//! echo 'Plexichat-Demo-2024!' | plexi --server http://127.0.0.1:8080 login --username alice --password-stdin
//! plexi --server http://127.0.0.1:8080 servers
//! # no keyring (CI, containers): sign in within the same run
//! echo 'Plexichat-Demo-2024!' | plexi --server http://127.0.0.1:8080 --as alice history 123 --limit 5
//! ```

mod account;
mod communities;
mod media;
mod rich;
mod roles;
mod saved;
mod search;
mod tail;
mod unread;

use std::io::{BufRead, Write};
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use plexichat_core::api::types::{HistoryQuery, NewMessage};
use plexichat_core::{Client, ClientConfig, ClientError, MemoryStore, Secret, UiState};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

/// Drive the Plexichat core from a terminal; prints one JSON line per state or result.
#[derive(Debug, Parser)]
#[command(name = "plexi", version)]
struct Cli {
    /// Server root URL.
    #[arg(long, env = "PLEXI_SERVER", default_value = plexichat_core::api::DEFAULT_BASE_URL)]
    server: String,
    /// Keep the session in memory for this run only (scripts, machines without a keyring).
    #[arg(long)]
    no_keyring: bool,
    /// Sign in as this user (password from stdin) before the command, in this run only:
    /// scripts on machines without a keyring use it instead of a separate `login`.
    #[arg(long = "as", value_name = "USER")]
    as_user: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check that this client version is accepted by the server.
    Negotiate,
    /// Create an account (password read from stdin) and sign in.
    Register {
        /// User name.
        #[arg(long)]
        username: String,
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Sign in by user name or e-mail (password read from stdin).
    Login {
        /// User name or e-mail.
        #[arg(long)]
        username: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Finish a 2FA sign-in with `--code`, or manage 2FA: `status`, `enable`, `confirm`,
    /// `disable`.
    #[command(name = "2fa", args_conflicts_with_subcommands = true)]
    TwoFactor {
        /// The sign-in code (`123456`, or a backup code with or without its dash).
        #[arg(long)]
        code: Option<String>,
        #[command(subcommand)]
        action: Option<account::TwoFactorCommand>,
    },
    /// Show the signed-in user.
    Whoami,
    /// Sign out here and on the server.
    Logout,
    /// List servers.
    Servers,
    /// List a server's channels.
    Channels {
        /// Server id.
        server: String,
    },
    /// Show a channel's history, newest first.
    History {
        /// Channel id.
        channel: String,
        /// Page size (1–100).
        #[arg(long)]
        limit: Option<u32>,
        /// Only messages older than this id.
        #[arg(long)]
        before: Option<String>,
        /// Only messages newer than this id.
        #[arg(long)]
        after: Option<String>,
    },
    /// Send a message.
    Send {
        /// Channel id.
        channel: String,
        /// Message text.
        text: String,
    },
    /// Streams gateway events and connection states as JSON lines until Ctrl-C.
    Tail {
        /// Channels to catch up over REST after every reconnect (repeatable).
        #[arg(long = "channel")]
        channels: Vec<String>,
        /// Ask for zlib-stream compression.
        #[arg(long)]
        compress: bool,
    },
    /// Invites: show, join, create, list, revoke.
    #[command(subcommand)]
    Invite(communities::InviteCmd),
    /// Servers: create, edit, delete, leave, permissions.
    #[command(subcommand)]
    Server(communities::ServerCmd),
    /// Channels: create, edit (name, topic, slowmode), delete.
    #[command(subcommand)]
    Channel(communities::ChannelCmd),
    /// Members: kick, ban, unban, bans.
    #[command(subcommand)]
    Member(communities::MemberCmd),
    /// Roles: list, create, edit, delete, assign, unassign.
    #[command(subcommand)]
    Role(roles::RoleCmd),
    /// A server's audit log, newest first (needs `server.view_audit_log`).
    Audit {
        /// Server id.
        server: String,
        /// How many entries (1 to 100).
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Set a channel's slowmode (seconds between two messages of a member; 0 turns it off).
    Slowmode {
        /// Channel id.
        channel: String,
        /// Seconds.
        seconds: u32,
    },
    /// Search messages: every message this account's app has cached (offline too), merged
    /// with the server's search when it answers.
    Search(search::SearchArgs),
    /// Unread channels: the server's counts (keyed by conversation ids) reconciled with this
    /// account's app database, manual "unread" marks included.
    Unread,
    /// Mark a channel read up to MESSAGE (default: its newest), acked under its conversation id.
    Read {
        /// Channel id.
        channel: String,
        /// Message id (default: the newest).
        message: Option<String>,
    },
    /// Polls: create, vote, results, close.
    Poll {
        #[command(subcommand)]
        action: rich::PollCommand,
    },
    /// Send later: `schedule CHANNEL TEXT --at +10m`, or `schedule list`, `schedule cancel ID`.
    #[command(args_conflicts_with_subcommands = true)]
    Schedule {
        /// Channel id.
        channel: Option<String>,
        /// Message text.
        text: Option<String>,
        /// When: `+90s`, `+10m`, `+2h`, `+1d`, `2026-12-03T20:00Z` (UTC) or ms since the epoch.
        #[arg(long)]
        at: Option<String>,
        #[command(subcommand)]
        action: Option<rich::ScheduleCommand>,
    },
    /// Forward a message as a quoted copy with a link back: `forward CHANNEL/MESSAGE --to ID`.
    Forward {
        /// `CHANNEL/MESSAGE`, a `plexichat://message/…` link, or a message id with `--from`.
        message: String,
        /// The channel the message is in (when MESSAGE is a bare id).
        #[arg(long)]
        from: Option<String>,
        /// Target channel or DM channel id.
        #[arg(long)]
        to: String,
        /// Words above the quote.
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Saved messages (the server's bookmarks): list, add, remove.
    Saved {
        #[command(subcommand)]
        action: saved::SavedCommand,
    },
    /// Recent mentions of you and replies to you (newest first).
    Mentions,
    /// Upload a file to a channel as a message of its own (progress lines as it goes).
    Upload {
        /// The file.
        file: std::path::PathBuf,
        /// Channel id.
        #[arg(long)]
        channel: String,
        /// Text sent with the file.
        #[arg(long)]
        text: Option<String>,
    },
    /// Your avatar: set FILE, remove.
    Avatar {
        #[command(subcommand)]
        action: media::AvatarCommand,
    },
    #[command(flatten)]
    Account(account::AccountCommand),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            print_line(&json!({ "error": format!("{e:#}") }));
            std::process::ExitCode::FAILURE
        }
    }
}

/// Runs the command; `Ok(false)` means it failed with a classified error (already printed).
async fn run(cli: Cli) -> anyhow::Result<bool> {
    let mut config = ClientConfig::new(cli.server.clone());
    if cli.no_keyring {
        config = config.with_store(Arc::new(MemoryStore::new()));
    }
    let client = Client::new(config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (_, mut states) = client.subscribe();
    let work = async {
        if let Some(user) = &cli.as_user {
            let password = read_password(true)?;
            if let plexichat_core::LoginOutcome::TwoFactorRequired { .. } =
                client.login(user, &password).await?
            {
                return Err(CommandError::Other(anyhow::anyhow!(
                    "{user} needs a 2FA code: use `plexi login` then `plexi 2fa` with a keyring"
                )));
            }
        }
        execute(&client, cli.command, cli.as_user.is_some()).await
    };
    tokio::pin!(work);
    let outcome = loop {
        tokio::select! {
            biased;
            state = states.recv() => match state {
                Ok(s) => print_line(&to_value(&s)),
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break (&mut work).await,
            },
            out = &mut work => break out,
        }
    };
    // States published just before the command finished come first.
    while let Ok(s) = states.try_recv() {
        print_line(&to_value(&s));
    }
    match outcome {
        Ok(value) => {
            print_line(&json!({ "result": value }));
            Ok(true)
        }
        Err(CommandError::Client(e)) => {
            print_line(&json!({ "error": e.to_string(), "state": to_value(&e.state) }));
            Ok(false)
        }
        Err(CommandError::Other(e)) => Err(e),
    }
}

pub(crate) enum CommandError {
    Client(ClientError),
    Other(anyhow::Error),
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> Self {
        Self::Client(e)
    }
}

impl From<anyhow::Error> for CommandError {
    fn from(e: anyhow::Error) -> Self {
        Self::Other(e)
    }
}

async fn execute(
    client: &Client,
    command: Command,
    is_signed_in: bool,
) -> Result<Value, CommandError> {
    let signed_in = |client: &Client| {
        let client = client.clone();
        async move {
            if is_signed_in {
                Ok(())
            } else {
                signed_in(&client).await
            }
        }
    };
    Ok(match command {
        Command::Negotiate => {
            let r = client.negotiate().await?;
            json!({
                "compatible": r.compatible,
                "update_recommended": r.update_recommended,
                "server_version": r.server_version.map(|v| v.string),
                "message": r.message,
            })
        }
        Command::Register {
            username,
            email,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            to_value(&client.register(&username, &email, &password).await?)
        }
        Command::Login {
            username,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            to_value(&client.login(&username, &password).await?)
        }
        Command::TwoFactor {
            action: Some(action),
            ..
        } => {
            signed_in(client).await?;
            account::two_factor(client, action).await?
        }
        Command::TwoFactor { code, .. } => {
            let code = code.ok_or_else(|| {
                anyhow::anyhow!("pass --code, or one of: status, enable, confirm, disable")
            })?;
            to_value(&client.submit_two_factor(&Secret::new(code)).await?)
        }
        // Restoring already verifies the session with /users/@me.
        Command::Whoami if !is_signed_in => to_value(&restored_user(client).await?),
        Command::Whoami => to_value(&client.whoami().await?),
        Command::Logout => {
            // A missing or dead session still ends signed out.
            let _ = client.restore().await;
            client.logout().await?;
            json!({ "signed_out": true })
        }
        Command::Servers => {
            signed_in(client).await?;
            to_value(&client.servers().await?)
        }
        Command::Channels { server } => {
            signed_in(client).await?;
            to_value(&client.channels(&server).await?)
        }
        Command::History {
            channel,
            limit,
            before,
            after,
        } => {
            signed_in(client).await?;
            let q = HistoryQuery {
                before,
                after,
                limit,
            };
            to_value(&client.history(&channel, &q).await?)
        }
        Command::Send { channel, text } => {
            signed_in(client).await?;
            let msg = NewMessage {
                content: text,
                ..NewMessage::default()
            };
            to_value(&client.send_message(&channel, &msg).await?)
        }
        Command::Search(args) => {
            // Offline the session cannot be verified; the local index still answers.
            let user = if is_signed_in {
                client.whoami().await.ok()
            } else {
                match restored_user(client).await {
                    Ok(u) => Some(u),
                    Err(CommandError::Client(e))
                        if matches!(
                            e.state,
                            UiState::Offline { .. }
                                | UiState::ServerError { .. }
                                | UiState::ServiceUnavailable { .. }
                        ) =>
                    {
                        None
                    }
                    Err(e) => return Err(e),
                }
            };
            to_value(&search::run(client, user.as_ref(), args).await?)
        }
        Command::Tail { channels, compress } => {
            signed_in(client).await?;
            tail::run(client, &channels, compress).await?;
            Value::Null
        }
        Command::Invite(cmd) => {
            signed_in(client).await?;
            communities::invite(client, cmd).await?
        }
        Command::Server(cmd) => {
            signed_in(client).await?;
            communities::server(client, cmd).await?
        }
        Command::Channel(cmd) => {
            signed_in(client).await?;
            communities::channel(client, cmd).await?
        }
        Command::Member(cmd) => {
            signed_in(client).await?;
            communities::member(client, cmd).await?
        }
        Command::Role(cmd) => {
            signed_in(client).await?;
            roles::role(client, cmd).await?
        }
        Command::Audit { server, limit } => {
            signed_in(client).await?;
            roles::audit(client, &server, limit).await?
        }
        Command::Slowmode { channel, seconds } => {
            signed_in(client).await?;
            roles::slowmode(client, &channel, seconds).await?
        }
        Command::Unread => {
            signed_in(client).await?;
            unread::unread(client).await?
        }
        Command::Read { channel, message } => {
            signed_in(client).await?;
            unread::read(client, &channel, message).await?
        }
        Command::Poll { action } => {
            signed_in(client).await?;
            rich::poll(client, action).await?
        }
        Command::Schedule {
            action: Some(action),
            ..
        } => {
            let user = if is_signed_in {
                client.whoami().await?
            } else {
                restored_user(client).await?
            };
            let store = search::account_store(client.base_url(), &user);
            rich::schedule_action(client, store.as_ref(), action).await?
        }
        Command::Schedule {
            channel, text, at, ..
        } => {
            let (Some(channel), Some(text), Some(at)) = (channel, text, at) else {
                return Err(CommandError::Other(anyhow::anyhow!(
                    "use `schedule CHANNEL TEXT --at TIME`, `schedule list` or `schedule cancel ID`"
                )));
            };
            signed_in(client).await?;
            rich::schedule(client, &channel, &text, &at).await?
        }
        Command::Forward {
            message,
            from,
            to,
            comment,
        } => {
            signed_in(client).await?;
            rich::forward(client, &message, from.as_deref(), &to, &comment).await?
        }
        Command::Saved { action } => {
            let user = if is_signed_in {
                client.whoami().await?
            } else {
                restored_user(client).await?
            };
            saved::saved(client, &user, action).await?
        }
        Command::Mentions => {
            let user = if is_signed_in {
                client.whoami().await?
            } else {
                restored_user(client).await?
            };
            saved::mentions(client, &user).await?
        }
        Command::Upload {
            file,
            channel,
            text,
        } => {
            signed_in(client).await?;
            media::upload(client, &file, &channel, text).await?
        }
        Command::Avatar { action } => {
            signed_in(client).await?;
            media::avatar(client, action).await?
        }
        Command::Account(cmd) => {
            if !account::is_signed_out_command(&cmd) {
                signed_in(client).await?;
            }
            account::run(client, cmd).await?
        }
    })
}

/// Restores the saved session; fails with `login_required` when there is none.
async fn signed_in(client: &Client) -> Result<(), CommandError> {
    restored_user(client).await.map(drop)
}

/// The user of the saved session, verified with the server.
async fn restored_user(client: &Client) -> Result<plexichat_core::model::User, CommandError> {
    if let Some(user) = client.restore().await? {
        return Ok(user);
    }
    Err(ClientError::rejected(
        UiState::LoginRequired {
            reason: plexichat_core::ui_state::LoginReason::AuthenticationRequired,
            message: "Not signed in: run `plexi login` first".into(),
        },
        "no saved session",
    )
    .into())
}

fn read_password(from_stdin: bool) -> anyhow::Result<Secret> {
    anyhow::ensure!(
        from_stdin,
        "pass --password-stdin and write the password to stdin"
    );
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']);
    anyhow::ensure!(!password.is_empty(), "no password on stdin");
    Ok(Secret::new(password))
}

/// Reads one secret line from stdin (passwords, reset tokens).
pub(crate) fn read_line_secret(what: &str) -> anyhow::Result<Secret> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .with_context(|| format!("reading {what} from stdin"))?;
    let value = line.trim_end_matches(['\r', '\n']);
    anyhow::ensure!(!value.is_empty(), "no {what} on stdin (one per line)");
    Ok(Secret::new(value))
}

pub(crate) fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

pub(crate) fn print_line(v: &Value) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (e.g. `| head -1`) is not an error worth a panic.
    let _ = writeln!(out, "{v}");
    let _ = out.flush();
}
