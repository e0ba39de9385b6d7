//! Sessions: the token as a [`Secret`], where it is kept ([`SessionStore`]), and the small
//! pure rules of signing in (2FA code normalisation, challenge expiry).
//!
//! The flows themselves (register, login, 2FA, logout, restore) are methods of
//! [`crate::Client`], which owns the token, the store and the published state.

mod secret;
mod store;

pub use secret::{Secret, Token};
pub use store::{KeyringStore, MemoryStore, SessionStore, StoreError};

/// A 2FA code as the server wants it: spaces removed, and a backup code's dash dropped
/// (`ABCD-1234` prints with a dash but must be sent without, PROTOCOL.md §5).
#[must_use]
pub fn normalize_two_factor_code(code: &str) -> String {
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = compact.as_bytes();
    let is_backup = bytes.len() == 9
        && bytes[4] == b'-'
        && compact
            .chars()
            .filter(|&c| c != '-')
            .all(|c| c.is_ascii_alphanumeric());
    if is_backup {
        compact.replace('-', "").to_ascii_uppercase()
    } else {
        compact
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_codes_lose_their_dash_and_totp_codes_their_spaces() {
        assert_eq!(normalize_two_factor_code("48F4-2EBC"), "48F42EBC");
        assert_eq!(normalize_two_factor_code("48f4-2ebc"), "48F42EBC");
        assert_eq!(normalize_two_factor_code(" 48F42EBC "), "48F42EBC");
        assert_eq!(normalize_two_factor_code("123 456"), "123456");
        assert_eq!(
            normalize_two_factor_code("12-34"),
            "12-34",
            "not a backup code shape"
        );
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_typed_code_normalises_without_panicking(code in ".{0,20}") {
            let out = super::normalize_two_factor_code(&code);
            prop_assert!(!out.chars().any(char::is_whitespace));
        }
    }
}
