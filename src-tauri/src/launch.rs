//! Command-line options of the desktop app.
//!
//! Parsing is tolerant on purpose: WebKitWebDriver and desktop launchers may add arguments we
//! do not know (`--automation`, a `plexichat://` URL), and an unknown argument must never stop
//! the app from opening. Unknown arguments are logged and ignored.

/// The production server, used when neither `--server` nor the login screen says otherwise.
pub const DEFAULT_SERVER_URL: &str = "https://api.plexichat.com";

/// What the app was asked to do at launch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LaunchOptions {
    /// `--server URL`: the server to sign in to (pre-fills the login screen).
    pub server_url: Option<String>,
    /// `--demo`: start the embedded demo server and sign in as the demo user at once.
    pub demo: bool,
    /// A `plexichat://…` link the app was opened with.
    pub deep_link: Option<String>,
    /// Arguments we did not understand (logged, then ignored).
    pub ignored: Vec<String>,
}

impl LaunchOptions {
    /// Parses the process arguments (without the program name).
    #[must_use]
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Self {
        let mut opts = Self::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--demo" {
                opts.demo = true;
            } else if arg == "--server" {
                match args.next() {
                    Some(url) => opts.server_url = Some(url),
                    None => opts.ignored.push(arg),
                }
            } else if let Some(url) = arg.strip_prefix("--server=") {
                opts.server_url = Some(url.to_owned());
            } else if arg.starts_with("plexichat://") {
                opts.deep_link = Some(arg);
            } else {
                opts.ignored.push(arg);
            }
        }
        opts
    }

    /// The server URL to show on the login screen.
    #[must_use]
    pub fn server_url_or_default(&self) -> String {
        self.server_url
            .clone()
            .unwrap_or_else(|| DEFAULT_SERVER_URL.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> LaunchOptions {
        LaunchOptions::parse(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn server_flag_in_both_spellings() {
        assert_eq!(
            parse(&["--server", "http://127.0.0.1:9"])
                .server_url
                .as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(
            parse(&["--server=http://h:1"]).server_url.as_deref(),
            Some("http://h:1")
        );
    }

    #[test]
    fn unknown_arguments_do_not_stop_the_app() {
        let o = parse(&["--automation", "--demo", "plexichat://invite/abc"]);
        assert!(o.demo);
        assert_eq!(o.ignored, vec!["--automation".to_owned()]);
        assert_eq!(o.deep_link.as_deref(), Some("plexichat://invite/abc"));
        assert_eq!(o.server_url_or_default(), DEFAULT_SERVER_URL);
    }
}
