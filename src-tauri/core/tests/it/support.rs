//! Shared helpers: a target server, clients with test settings, and state assertions that
//! wait with a timeout.

use std::sync::Arc;
use std::time::Duration;

use plexichat_core::api::types::NewMessage;
use plexichat_core::retry::Backoff;
use plexichat_core::{Client, ClientConfig, MemoryStore, SessionStore, UiState};
use plexichat_devserver::{DevServer, DevServerConfig, DevServerHandle, TestServer};
use tokio::sync::broadcast::Receiver;

/// Generous: the machine is small and shared.
pub const WAIT: Duration = Duration::from_secs(30);

/// A password that meets the reference server's rules.
pub const PASSWORD: &str = "Correct-Horse-9battery";

/// Where the tests run: a fresh devserver, or the real server named by the environment.
pub struct Target {
    /// The devserver, when tests run against one.
    pub dev: Option<DevServerHandle>,
    /// Server root URL.
    pub base_url: String,
}

impl Target {
    /// A devserver with test settings, or the real server from `PLEXICHAT_TEST_SERVER`.
    pub async fn start() -> Self {
        Self::start_with(DevServerConfig::for_tests()).await
    }

    /// Like [`Target::start`] with a custom devserver configuration.
    pub async fn start_with(config: DevServerConfig) -> Self {
        if let Ok(url) = std::env::var("PLEXICHAT_TEST_SERVER") {
            return Self {
                dev: None,
                base_url: url,
            };
        }
        let dev = DevServer::start(config).await.expect("devserver starts");
        let base_url = dev.base_url();
        Self {
            dev: Some(dev),
            base_url,
        }
    }

    /// The devserver for a test that needs fault injection; `None` (skip) on a real server.
    pub async fn with_faults() -> Option<Self> {
        Self::with_faults_config(DevServerConfig::for_tests()).await
    }

    /// Like [`Target::with_faults`] with a custom devserver configuration.
    pub async fn with_faults_config(config: DevServerConfig) -> Option<Self> {
        if std::env::var("PLEXICHAT_TEST_SERVER").is_ok() {
            eprintln!("skipped: needs devserver fault injection");
            return None;
        }
        Some(Self::start_with(config).await)
    }

    /// The devserver (only for tests that came through [`Target::with_faults`]).
    pub fn dev(&self) -> &DevServerHandle {
        self.dev.as_ref().expect("fault tests run on the devserver")
    }

    /// A client with a fresh memory store and fast retries.
    pub fn client(&self) -> Client {
        self.client_with_store(Arc::new(MemoryStore::new()))
    }

    /// A client keeping its session in `store`.
    pub fn client_with_store(&self, store: Arc<dyn SessionStore>) -> Client {
        let backoff = Backoff {
            base: Duration::from_millis(20),
            cap: Duration::from_millis(200),
            max_attempts: 4,
        };
        Client::new(
            ClientConfig::new(self.base_url.clone())
                .with_store(store)
                .with_backoff(backoff),
        )
        .expect("client builds")
    }

    /// An account with [`PASSWORD`]: a new one created directly on the devserver; on a real
    /// server one account registered once and shared, because registration is limited to
    /// 10 per hour per IP there (PROTOCOL.md §3). `None` when the real server's registration
    /// window is spent: the test says so and skips.
    pub async fn user(&self, prefix: &str) -> Option<String> {
        static SHARED: tokio::sync::OnceCell<Option<String>> = tokio::sync::OnceCell::const_new();
        match &self.dev {
            Some(dev) => {
                let name = unique(prefix);
                dev.create_user(&name, PASSWORD)
                    .await
                    .expect("user created");
                Some(name)
            }
            None => SHARED
                .get_or_init(|| async {
                    let name = unique("it");
                    let email = format!("{name}@example.com");
                    match self
                        .client()
                        .register(&name, &email, &PASSWORD.into())
                        .await
                    {
                        Ok(_) => Some(name),
                        Err(e) if registration_spent(&e) => None,
                        Err(e) => panic!("registration failed: {e:?}"),
                    }
                })
                .await
                .clone(),
        }
    }

    /// A signed-in client for an account from [`Target::user`]; `None` (skip) like it.
    pub async fn signed_in(&self, prefix: &str) -> Option<(Client, String)> {
        self.signed_in_with_store(prefix, Arc::new(MemoryStore::new()))
            .await
    }

    /// Like [`Target::signed_in`], keeping the session in `store`.
    pub async fn signed_in_with_store(
        &self,
        prefix: &str,
        store: Arc<dyn SessionStore>,
    ) -> Option<(Client, String)> {
        let name = self.user(prefix).await?;
        let client = self.client_with_store(store);
        timed(client.login(&name, &PASSWORD.into()))
            .await
            .expect("login works");
        Some((client, name))
    }

    /// A new server `name` on the devserver owned by `owner` (an id or a user name).
    pub async fn server(&self, owner: &str, name: &str) -> TestServer {
        self.dev()
            .create_server(owner, name)
            .await
            .expect("server created")
    }
}

/// True (after saying so) when a registration failed because the server's registration
/// window (3/min, 10/h, 20/day per address) is spent: a test that needs a fresh account then
/// skips instead of failing.
pub fn registration_spent(e: &plexichat_core::ClientError) -> bool {
    let UiState::RateLimited { retry_at, .. } = e.state else {
        return false;
    };
    let secs = (retry_at - plexichat_core::clock::now_ms()).max(0) / 1000;
    eprintln!(
        "skipped: the server's registration window is spent for another {secs} s; this test needs a fresh account"
    );
    true
}

/// A signed-in account on the devserver and its user id, for tests that set up servers
/// there (only the devserver creates accounts on demand).
pub async fn member(target: &Target, prefix: &str) -> (Client, String) {
    let name = target
        .user(prefix)
        .await
        .expect("the devserver creates accounts");
    let client = target.client();
    let outcome = timed(client.login(&name, &PASSWORD.into()))
        .await
        .expect("login");
    let plexichat_core::LoginOutcome::SignedIn { user } = outcome else {
        panic!("{outcome:?}")
    };
    (client, user.id)
}

/// A message with only text.
pub fn text_message(content: &str) -> NewMessage {
    NewMessage {
        content: content.into(),
        ..NewMessage::default()
    }
}

/// A user name unlikely to exist on a shared real server.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let t = plexichat_core::clock::now_ms() % 1_000_000;
    format!("{prefix}_{t}_{n}")
}

/// Waits for the first published state matching `pred`, with a timeout.
pub async fn wait_for(
    rx: &mut Receiver<UiState>,
    what: &str,
    pred: impl Fn(&UiState) -> bool,
) -> UiState {
    let found = tokio::time::timeout(WAIT, async {
        loop {
            match rx.recv().await {
                Ok(s) if pred(&s) => return s,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("state channel closed while waiting for {what}: {e}"),
            }
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// Asserts that a [`UiState`] matches `pattern`, showing the state when it does not.
macro_rules! assert_state {
    ($state:expr, $pattern:pat) => {{
        let state = &$state;
        assert!(matches!(state, $pattern), "{state:?}");
    }};
}
pub(crate) use assert_state;

/// Every state published so far without waiting.
pub fn drain(rx: &mut Receiver<UiState>) -> Vec<UiState> {
    let mut out = Vec::new();
    while let Ok(s) = rx.try_recv() {
        out.push(s);
    }
    out
}

/// Runs a future with the standard timeout.
pub async fn timed<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, fut)
        .await
        .expect("finished in time")
}
