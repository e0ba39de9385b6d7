//! Invite links handed to the app (`plexichat://invite/CODE`): at launch, or by a second
//! launch through the single-instance lock. The link is kept here until a signed-in window
//! takes it, so one opened while signed out survives sign-in (and 2FA).

use std::sync::Mutex;

/// The newest link not yet taken by a signed-in window.
#[derive(Debug, Default)]
pub struct PendingLink(Mutex<Option<String>>);

impl PendingLink {
    /// A store holding `link` (from the launch arguments), if any.
    #[must_use]
    pub fn new(link: Option<String>) -> Self {
        Self(Mutex::new(link))
    }

    /// Keeps `link`, replacing an older one not yet taken.
    pub fn set(&self, link: String) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(link);
    }

    /// Takes the pending link, leaving none.
    pub fn take(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

#[cfg(test)]
mod tests {
    use super::PendingLink;

    #[test]
    fn a_link_waits_until_taken_once_and_a_newer_one_wins() {
        let p = PendingLink::new(Some("plexichat://invite/aaaa1111".into()));
        p.set("plexichat://invite/bbbb2222".into());
        assert_eq!(p.take().as_deref(), Some("plexichat://invite/bbbb2222"));
        assert_eq!(p.take(), None);
    }
}
