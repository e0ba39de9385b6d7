//! Outbox test world: a devserver, a signed-in client (optionally behind a faulty proxy), an
//! outbox on a temporary database, and waits that always time out.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use plexichat_core::api::types::HistoryQuery;
use plexichat_core::model::{cmp_ids, Message};
use plexichat_core::outbox::{Outbox, OutboxConfig, OutboxEntry, OutboxUpdate};
use plexichat_core::retry::Backoff;
use plexichat_core::store::Store;
use plexichat_core::{Client, ClientConfig, MemoryStore, Secret};
use plexichat_devserver::{DevServer, DevServerConfig, DevServerHandle, TestUser};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast::{error::RecvError, Receiver};

/// Generous: the machine is small and shared.
pub const WAIT: Duration = Duration::from_secs(60);

/// A devserver with one user, one server and one channel, plus a database file.
pub struct World {
    pub server: DevServerHandle,
    pub alice: TestUser,
    pub channel: String,
    pub server_id: String,
    pub proxy: Proxy,
    pub dir: tempfile::TempDir,
}

impl World {
    pub async fn start() -> Self {
        let server = DevServer::start(DevServerConfig::for_tests())
            .await
            .expect("devserver starts");
        let alice = server
            .create_user("alice", "Correct-Horse-9battery")
            .await
            .expect("user");
        let s = server
            .create_server(&alice.id, "outbox")
            .await
            .expect("server");
        let proxy = Proxy::start(server.addr().to_string()).await;
        Self {
            server,
            alice,
            channel: s.general_channel_id,
            server_id: s.id,
            proxy,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("alice.sqlite3")
    }

    /// Alice's client straight to the devserver, retries off (the outbox is in charge).
    pub fn client(&self, timeout: Duration) -> Client {
        self.client_to(self.server.base_url(), timeout)
    }

    /// Alice's client through the proxy.
    pub fn proxied_client(&self, timeout: Duration) -> Client {
        self.client_to(format!("http://{}", self.proxy.addr), timeout)
    }

    fn client_to(&self, base_url: String, timeout: Duration) -> Client {
        let client = Client::new(ClientConfig {
            timeout,
            ..ClientConfig::new(base_url)
                .with_store(Arc::new(MemoryStore::new()))
                .with_backoff(Backoff::none())
        })
        .expect("client builds");
        client
            .api()
            .set_token(Some(Secret::new(self.alice.token.clone())));
        client
    }

    pub async fn open(&self, client: Client) -> (Outbox, Recorder) {
        self.open_with(client, fast_config()).await
    }

    pub async fn open_with(&self, client: Client, config: OutboxConfig) -> (Outbox, Recorder) {
        let store = Store::open(&self.db_path()).expect("store opens");
        let outbox = Outbox::open_with(store, client, config)
            .await
            .expect("outbox opens");
        let (snapshot, rx) = outbox.subscribe().expect("subscribe");
        (outbox, Recorder::new(snapshot, rx))
    }

    /// The channel as the server has it, oldest first (read with a fault-free client).
    pub async fn server_messages(&self, channel: &str) -> Vec<Message> {
        self.server.faults().reset();
        let client = self.client(Duration::from_secs(10));
        let mut out: Vec<Message> = Vec::new();
        let mut after = "0".to_owned();
        loop {
            let mut page = client
                .history(
                    channel,
                    &HistoryQuery {
                        after: Some(after.clone()),
                        limit: Some(100),
                        ..HistoryQuery::default()
                    },
                )
                .await
                .expect("history");
            page.sort_by(|a, b| cmp_ids(&a.id, &b.id));
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            out.extend(page);
        }
        let truth = self.server.channel_message_ids(channel);
        assert_eq!(
            out.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
            truth,
            "history must match the server's own list"
        );
        out
    }

    pub async fn server_contents(&self, channel: &str) -> Vec<String> {
        self.server_messages(channel)
            .await
            .into_iter()
            .map(|m| m.content)
            .collect()
    }
}

pub fn fast_config() -> OutboxConfig {
    OutboxConfig {
        backoff: Backoff {
            base: Duration::from_millis(20),
            cap: Duration::from_millis(300),
            max_attempts: u32::MAX,
        },
        ambiguity_grace: Duration::from_millis(200),
        update_capacity: 1 << 16,
        // Fault-injection tests count requests: no background look at the server's list.
        adopt_every: None,
        ..OutboxConfig::default()
    }
}

/// Every update seen, plus waits on them.
pub struct Recorder {
    pub snapshot: Vec<OutboxEntry>,
    pub updates: Vec<OutboxUpdate>,
    rx: Receiver<OutboxUpdate>,
}

impl Recorder {
    pub fn new(snapshot: Vec<OutboxEntry>, rx: Receiver<OutboxUpdate>) -> Self {
        Self {
            snapshot,
            updates: Vec::new(),
            rx,
        }
    }

    /// Waits until `pred` holds over the updates seen so far.
    pub async fn until(&mut self, what: &str, pred: impl Fn(&Self) -> bool) {
        let done = tokio::time::timeout(WAIT, async {
            while !pred(self) {
                match self.rx.recv().await {
                    Ok(u) => self.updates.push(u),
                    Err(RecvError::Lagged(n)) => panic!("lagged by {n} updates"),
                    Err(RecvError::Closed) => panic!("outbox closed"),
                }
            }
        })
        .await;
        assert!(done.is_ok(), "timed out waiting for {what}");
    }

    /// Local id → server message of every `sent` seen.
    pub fn sent(&self) -> HashMap<i64, Option<Message>> {
        self.updates
            .iter()
            .filter_map(|u| match u {
                OutboxUpdate::Sent { local_id, message } => Some((*local_id, message.clone())),
                _ => None,
            })
            .collect()
    }

    pub fn count(&self, pred: impl Fn(&OutboxUpdate) -> bool) -> usize {
        self.updates.iter().filter(|u| pred(u)).count()
    }
}

/// Polls `f` until it holds (server-side truth has no event to wait on).
pub async fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let done = tokio::time::timeout(WAIT, async {
        while !f() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(done.is_ok(), "timed out waiting for {what}");
}

/// A TCP proxy in front of the devserver that can lose answers after the server acted:
/// `swallow` drops every answer silently (the client times out), `reset_next(n)` closes the
/// next `n` connections as their answer starts to arrive (a reset mid-request).
pub struct Proxy {
    pub addr: std::net::SocketAddr,
    swallow: Arc<AtomicBool>,
    resets: Arc<AtomicU32>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy binds");
        let addr = listener.local_addr().expect("proxy addr");
        let swallow = Arc::new(AtomicBool::new(false));
        let resets = Arc::new(AtomicU32::new(0));
        let (s, r) = (swallow.clone(), resets.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (s, r, up) = (s.clone(), r.clone(), upstream.clone());
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(&up).await {
                        pipe(client, server, s, r).await;
                    }
                });
            }
        });
        Self {
            addr,
            swallow,
            resets,
            task,
        }
    }

    pub fn swallow(&self, on: bool) {
        self.swallow.store(on, Ordering::SeqCst);
    }

    pub fn reset_next(&self, n: u32) {
        self.resets.store(n, Ordering::SeqCst);
    }
}

async fn pipe(
    client: TcpStream,
    server: TcpStream,
    swallow: Arc<AtomicBool>,
    resets: Arc<AtomicU32>,
) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = async {
        let _ = tokio::io::copy(&mut cr, &mut sw).await;
    };
    let down = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match sr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if resets
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |r| r.checked_sub(1))
                .is_ok()
            {
                return;
            }
            if swallow.load(Ordering::SeqCst) {
                continue;
            }
            if cw.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    // Whichever side ends first closes both: a reset drops the client's socket at once.
    tokio::select! {
        () = up => {}
        () = down => {}
    }
}
