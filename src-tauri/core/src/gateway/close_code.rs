//! Close-code policy: one table that says what to do after the socket closes.
//!
//! Every code of PROTOCOL.md §7 is listed; codes we have never seen reconnect and try to
//! resume, because a spurious resume costs one op 9 while a spurious "fatal" strands the user.

/// A WebSocket close code as the Plexichat gateway uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCode {
    /// 1000 normal closure.
    Normal,
    /// 1001 going away.
    GoingAway,
    /// 1006: the connection dropped without a close frame (also our transport errors).
    Abnormal,
    /// 1012 service restart.
    ServiceRestart,
    /// 4000 unknown error.
    UnknownError,
    /// 4001 unknown opcode (we sent something the server does not know).
    UnknownOpcode,
    /// 4002 malformed or oversized frame.
    DecodeError,
    /// 4003 a command before IDENTIFY.
    NotAuthenticated,
    /// 4004 bad token, or the per-IP token check was rate limited.
    AuthenticationFailed,
    /// 4005 IDENTIFY twice.
    AlreadyAuthenticated,
    /// 4009 no heartbeat for too long.
    SessionTimedOut,
    /// 4013 intents above the server's mask.
    InvalidIntents,
    /// Any other code.
    Other(u16),
}

/// What the connection does after a close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseAction {
    /// Reconnect and RESUME while the session is inside the server's window.
    Resume,
    /// Reconnect with a fresh IDENTIFY (the session is gone or was misused).
    Reidentify,
    /// Ask the REST API whether the token is still valid before deciding: 4004 is also sent
    /// when the server's token check is rate limited (PROTOCOL.md §7).
    VerifyToken,
    /// Stop: reconnecting cannot help; this build has a bug (bad intents).
    Fatal,
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        match code {
            1000 => Self::Normal,
            1001 => Self::GoingAway,
            1006 => Self::Abnormal,
            1012 => Self::ServiceRestart,
            4000 => Self::UnknownError,
            4001 => Self::UnknownOpcode,
            4002 => Self::DecodeError,
            4003 => Self::NotAuthenticated,
            4004 => Self::AuthenticationFailed,
            4005 => Self::AlreadyAuthenticated,
            4009 => Self::SessionTimedOut,
            4013 => Self::InvalidIntents,
            other => Self::Other(other),
        }
    }
}

impl CloseCode {
    /// The numeric code.
    #[must_use]
    pub fn code(self) -> u16 {
        match self {
            Self::Normal => 1000,
            Self::GoingAway => 1001,
            Self::Abnormal => 1006,
            Self::ServiceRestart => 1012,
            Self::UnknownError => 4000,
            Self::UnknownOpcode => 4001,
            Self::DecodeError => 4002,
            Self::NotAuthenticated => 4003,
            Self::AuthenticationFailed => 4004,
            Self::AlreadyAuthenticated => 4005,
            Self::SessionTimedOut => 4009,
            Self::InvalidIntents => 4013,
            Self::Other(code) => code,
        }
    }

    /// The policy table.
    ///
    /// - Resume: 1000, 1001, 1006, 1012, 4000, 4009 (the server only timed our heartbeats
    ///   out; the session survives its ~60 s window), unknown codes.
    /// - Re-identify: 4001, 4002, 4003, 4005: our side sent something wrong on that socket,
    ///   so its session state is not to be trusted.
    /// - Verify the token: 4004.
    /// - Fatal: 4013 (a bug report: our intents are wrong and will stay wrong).
    #[must_use]
    pub fn action(self) -> CloseAction {
        match self {
            Self::Normal
            | Self::GoingAway
            | Self::Abnormal
            | Self::ServiceRestart
            | Self::UnknownError
            | Self::SessionTimedOut
            | Self::Other(_) => CloseAction::Resume,
            Self::UnknownOpcode
            | Self::DecodeError
            | Self::NotAuthenticated
            | Self::AlreadyAuthenticated => CloseAction::Reidentify,
            Self::AuthenticationFailed => CloseAction::VerifyToken,
            Self::InvalidIntents => CloseAction::Fatal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_its_action() {
        let table = [
            (1000, CloseAction::Resume),
            (1001, CloseAction::Resume),
            (1006, CloseAction::Resume),
            (1012, CloseAction::Resume),
            (4000, CloseAction::Resume),
            (4001, CloseAction::Reidentify),
            (4002, CloseAction::Reidentify),
            (4003, CloseAction::Reidentify),
            (4004, CloseAction::VerifyToken),
            (4005, CloseAction::Reidentify),
            (4009, CloseAction::Resume),
            (4013, CloseAction::Fatal),
            (4999, CloseAction::Resume),
        ];
        for (code, action) in table {
            let cc = CloseCode::from(code);
            assert_eq!(cc.action(), action, "{code}");
            assert_eq!(cc.code(), code);
        }
    }
}
