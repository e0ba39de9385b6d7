//! The gateway's REST needs, served by the core's own [`Api`]: catch-up history and the
//! token check before a sign-out. Errors keep their classification: a 429's wait becomes the
//! catch-up's retry delay, and only a `Reauthenticate` answer counts as an invalid token (the
//! 401 `Token verification rate limit exceeded` is a wait, PROTOCOL.md §2).

use async_trait::async_trait;

use super::{HistoryError, HistorySource, TokenStatus, TokenVerifier};
use crate::api::types::HistoryQuery;
use crate::api::Api;
use crate::error::RetryKind;
use crate::model::Message;

#[async_trait]
impl HistorySource for Api {
    async fn messages_after(
        &self,
        channel_id: &str,
        after_id: &str,
        limit: u8,
    ) -> Result<Vec<Message>, HistoryError> {
        let query = HistoryQuery {
            after: Some(after_id.to_owned()),
            limit: Some(u32::from(limit)),
            ..HistoryQuery::default()
        };
        self.history(channel_id, &query)
            .await
            .map_err(history_error)
    }

    async fn messages_before(
        &self,
        channel_id: &str,
        before: Option<&str>,
        limit: u8,
    ) -> Result<Option<Vec<Message>>, HistoryError> {
        let query = HistoryQuery {
            before: before.map(str::to_owned),
            limit: Some(u32::from(limit)),
            ..HistoryQuery::default()
        };
        self.history(channel_id, &query)
            .await
            .map(Some)
            .map_err(history_error)
    }
}

fn history_error(e: crate::error::ClientError) -> HistoryError {
    HistoryError {
        message: e.to_string(),
        retry_after: match e.retry {
            RetryKind::At { after, .. } => Some(after),
            _ => None,
        },
    }
}

#[async_trait]
impl TokenVerifier for Api {
    async fn verify_token(&self) -> TokenStatus {
        match self.me().await {
            Ok(_) => TokenStatus::Valid,
            Err(e) if e.retry == RetryKind::Reauthenticate => TokenStatus::Invalid,
            Err(_) => TokenStatus::Unknown,
        }
    }
}
