//! `plexichat-devserver --addr 127.0.0.1:0 [--seed demo] [--min-version V] [--fast-limits]`.
//! Prints `listening on http://<addr>` as its first stdout line, then serves until Ctrl-C.

use clap::{Parser, ValueEnum};
use plexichat_devserver::{DevServer, DevServerConfig, Seed};
use std::io::Write;
use std::net::SocketAddr;

#[derive(Clone, Copy, ValueEnum)]
enum SeedArg {
    Empty,
    Demo,
}

/// A local Plexichat-compatible server with fault injection.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Initial data; `demo` also starts the bot in #general.
    #[arg(long, value_enum, default_value = "empty")]
    seed: SeedArg,
    /// Oldest client version accepted by /version/negotiate.
    #[arg(long)]
    min_version: Option<String>,
    /// Scale rate-limit windows down so they are hit in seconds.
    #[arg(long)]
    fast_limits: bool,
    /// Do not run the demo bot.
    #[arg(long)]
    no_bot: bool,
    /// Answer message search as the docs intend instead of like the reference server.
    #[arg(long)]
    as_documented: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("plexichat_devserver=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut config = match args.seed {
        SeedArg::Demo => DevServerConfig::demo(),
        SeedArg::Empty => DevServerConfig::default(),
    };
    if args.no_bot {
        config.bot = false;
    }
    config.seed = match args.seed {
        SeedArg::Demo => Seed::Demo,
        SeedArg::Empty => Seed::Empty,
    };
    config.addr = args.addr;
    config.fast_limits = args.fast_limits;
    config.as_documented = args.as_documented;
    if let Some(v) = args.min_version {
        config.min_version = v;
    }
    let handle = DevServer::start(config).await?;
    let mut out = std::io::stdout();
    writeln!(out, "listening on {}", handle.base_url())?;
    out.flush()?;
    tokio::signal::ctrl_c().await?;
    handle.shutdown().await;
    Ok(())
}
