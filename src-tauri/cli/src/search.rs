//! `plexi search`: the account's local index (what the app has cached) merged with the
//! server's search, which the reference server answers with 500 to every query.

use plexichat_core::client::search::{parse_day_or_ms, SearchQuery, SearchResults};
use plexichat_core::model::User;
use plexichat_core::store::{self, Store};
use plexichat_core::{Client, ClientError};

/// The flags of `plexi search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Words to find (each matches as a prefix; all must occur). May be empty with a filter.
    #[arg(default_value = "")]
    pub text: String,
    /// Only this channel.
    #[arg(long)]
    pub channel: Option<String>,
    /// Only this server's channels.
    #[arg(long)]
    pub server_id: Option<String>,
    /// Only messages from this user (id or user name).
    #[arg(long)]
    pub from: Option<String>,
    /// Only messages with a file.
    #[arg(long)]
    pub has_file: bool,
    /// Only messages before this day (YYYY-MM-DD, UTC) or time (ms).
    #[arg(long, value_parser = day)]
    pub before: Option<i64>,
    /// Only messages after this day (YYYY-MM-DD, UTC) or time (ms).
    #[arg(long, value_parser = day)]
    pub after: Option<i64>,
    /// At most this many results (1–100, default 50).
    #[arg(long)]
    pub limit: Option<u32>,
}

fn day(s: &str) -> Result<i64, String> {
    parse_day_or_ms(s).ok_or_else(|| format!("{s:?} is not YYYY-MM-DD or a time in ms"))
}

impl SearchArgs {
    fn query(self) -> SearchQuery {
        SearchQuery {
            text: self.text,
            channel_id: self.channel,
            server_id: self.server_id,
            author: self.from,
            has_file: self.has_file,
            before: self.before,
            after: self.after,
            limit: self.limit,
        }
    }
}

/// Runs the search. `user` is the signed-in user when the server could be reached; offline,
/// the only account database of this server is searched (there is nobody to ask which).
///
/// # Errors
/// The server's failure when there is no local database to answer instead.
pub async fn run(
    client: &Client,
    user: Option<&User>,
    args: SearchArgs,
) -> Result<SearchResults, ClientError> {
    let store = open_store(client.base_url(), user);
    if store.is_none() {
        tracing::info!("no local database for this account: server results only");
    }
    client.search_messages(store.as_ref(), &args.query()).await
}

/// The app's database of this account, if the app has created one (never creates it).
pub fn account_store(server_key: &str, user: &User) -> Option<Store> {
    open_store(server_key, Some(user))
}

pub(crate) fn open_store(server_key: &str, user: Option<&User>) -> Option<Store> {
    if let Some(u) = user {
        let dir = store::default_data_dir().ok()?;
        let path = store::database_path(&dir, server_key, &u.id);
        // Never create a database just to search it: plexi caches nothing by itself.
        return if path.exists() {
            Store::open_account(&dir, server_key, &u.id, &u.username).ok()
        } else {
            None
        };
    }
    let dir = store::default_data_dir().ok()?;
    let folder = store::database_path(&dir, server_key, "x")
        .parent()?
        .to_owned();
    let mut files = std::fs::read_dir(folder)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sqlite3"));
    match (files.next(), files.next()) {
        (Some(only), None) => Store::open(&only).ok(),
        _ => None,
    }
}
