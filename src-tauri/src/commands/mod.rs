//! Tauri commands: each takes managed state, calls the core once and returns
//! `IpcResult<T>`. Any branching, retry or error meaning belongs in `plexichat-core`.

pub mod account;
pub mod app;
pub mod chat;
pub mod communities;
pub mod links;
pub mod local;
pub mod media;
pub mod polls;
pub mod rich;
pub mod roles;
pub mod saved;
pub mod search;
pub mod sends;
pub mod session;
pub mod unread;
pub mod waits;

use std::collections::BTreeSet;

use ts_rs::{Config, ExportError};

crate::ipc_commands! {
    app::get_app_info(()) -> app::AppInfo;
    app::get_ui_state(()) -> plexichat_core::UiState;
    app::set_unread_count(app::UnreadArgs) -> ();
    app::startup_marks(app::StartupMarksArgs) -> ();
    session::start_demo(()) -> plexichat_core::LoginOutcome;
    session::sign_in(session::SignInArgs) -> plexichat_core::LoginOutcome;
    session::submit_two_factor(session::TwoFactorArgs) -> plexichat_core::model::User;
    session::register(session::RegisterArgs) -> plexichat_core::model::User;
    session::get_password_requirements(session::ServerUrlArgs) -> plexichat_core::api::types::PasswordRequirements;
    session::cancel_two_factor(()) -> ();
    session::update_profile(session::ProfileArgs) -> plexichat_core::model::User;
    session::sign_out(()) -> ();
    session::reconnect_now(()) -> ();
    session::list_sessions(()) -> Vec<plexichat_core::api::types::SessionInfo>;
    session::revoke_session(session::RevokeSessionArgs) -> ();
    chat::list_servers(()) -> Vec<plexichat_core::model::Server>;
    chat::list_channels(chat::ServerArgs) -> Vec<plexichat_core::model::Channel>;
    chat::list_members(chat::ServerArgs) -> Vec<plexichat_core::model::Member>;
    chat::list_dm_channels(()) -> Vec<plexichat_core::model::Channel>;
    chat::load_messages(chat::LoadMessagesArgs) -> Vec<plexichat_core::model::Message>;
    local::cached_messages(local::CachedMessagesArgs) -> Vec<plexichat_core::model::Message>;
    local::cached_overview(()) -> local::CachedOverview;
    local::list_drafts(()) -> std::collections::HashMap<String, String>;
    local::save_draft(local::DraftArgs) -> ();
    sends::queue_message(chat::SendMessageArgs) -> i64;
    sends::list_outbox(()) -> Vec<plexichat_core::outbox::OutboxEntry>;
    sends::retry_send(sends::PendingArgs) -> ();
    sends::cancel_send(sends::PendingArgs) -> ();
    sends::edit_message(chat::EditMessageArgs) -> Option<plexichat_core::model::Message>;
    sends::delete_message(chat::MessageArgs) -> ();
    sends::add_reaction(chat::ReactionArgs) -> ();
    sends::remove_reaction(chat::ReactionArgs) -> ();
    chat::pin_message(chat::MessageArgs) -> ();
    chat::unpin_message(chat::MessageArgs) -> ();
    chat::list_pins(chat::ChannelArgs) -> Vec<plexichat_core::model::Message>;
    chat::send_typing(chat::ChannelArgs) -> ();
    chat::ack_message(chat::MessageArgs) -> ();
    unread::get_unread(()) -> Vec<plexichat_core::store::unread::ChannelUnread>;
    unread::set_viewing_channel(unread::ViewingArgs) -> ();
    unread::mark_unread(chat::MessageArgs) -> ();
    unread::mark_server_read(chat::ServerArgs) -> ();
    chat::list_relationships(()) -> Vec<plexichat_core::api::types::Relationship>;
    chat::search_user(chat::UsernameArgs) -> plexichat_core::model::User;
    chat::send_friend_request(chat::UsernameArgs) -> plexichat_core::api::types::Relationship;
    chat::accept_friend_request(chat::UserArgs) -> ();
    chat::remove_relationship(chat::UserArgs) -> ();
    chat::block_user(chat::UserArgs) -> plexichat_core::api::types::Relationship;
    chat::open_dm(chat::UserArgs) -> plexichat_core::model::Channel;
    chat::set_presence(chat::PresenceArgs) -> plexichat_core::api::types::Presence;
    chat::fetch_attachment(chat::AttachmentArgs) -> String;
    sends::upload_attachment(chat::UploadArgs) -> i64;
    sends::queue_file(sends::QueueFileArgs) -> i64;
    waits::list_waits(session::ServerUrlArgs) -> Vec<plexichat_core::wait::LongWait>;
    communities::create_server(communities::CreateServerArgs) -> plexichat_core::model::Server;
    communities::check_invite(communities::InviteArgs) -> plexichat_core::community::InviteCheck;
    communities::join_invite(communities::InviteArgs) -> plexichat_core::community::JoinOutcome;
    communities::create_invite(communities::CreateInviteArgs) -> communities::CreatedInvite;
    communities::list_invites(chat::ServerArgs) -> Vec<plexichat_core::community::Invite>;
    communities::revoke_invite(communities::InviteArgs) -> ();
    communities::invite_link(communities::InviteArgs) -> String;
    communities::get_permissions(chat::ServerArgs) -> plexichat_core::community::Permissions;
    communities::update_server(communities::UpdateServerArgs) -> plexichat_core::model::Server;
    communities::delete_server(chat::ServerArgs) -> ();
    communities::leave_server(chat::ServerArgs) -> ();
    communities::create_channel(communities::CreateChannelArgs) -> plexichat_core::model::Channel;
    communities::update_channel(communities::UpdateChannelArgs) -> plexichat_core::model::Channel;
    communities::delete_channel(communities::ServerChannelArgs) -> ();
    communities::kick_member(communities::MemberArgs) -> ();
    communities::ban_member(communities::BanArgs) -> ();
    communities::unban_member(communities::MemberArgs) -> ();
    communities::list_bans(chat::ServerArgs) -> Vec<plexichat_core::community::Ban>;
    roles::list_roles(chat::ServerArgs) -> Vec<plexichat_core::community::Role>;
    roles::create_role(roles::CreateRoleArgs) -> plexichat_core::community::Role;
    roles::update_role(roles::UpdateRoleArgs) -> plexichat_core::community::Role;
    roles::delete_role(roles::RoleArgs) -> ();
    roles::set_member_role(roles::MemberRoleArgs) -> ();
    roles::list_audit_log(roles::AuditLogArgs) -> Vec<plexichat_core::community::AuditEntry>;
    search::search_messages(plexichat_core::client::search::SearchQuery) -> plexichat_core::client::search::SearchResults;
    links::open_link(links::OpenLinkArgs) -> ();
    polls::create_poll(polls::CreatePollArgs) -> plexichat_core::model::Message;
    polls::poll_results(polls::PollArgs) -> plexichat_core::poll::PollResults;
    polls::vote_poll(polls::VotePollArgs) -> plexichat_core::poll::PollUpdate;
    polls::close_poll(polls::PollArgs) -> plexichat_core::poll::PollUpdate;
    rich::schedule_message(rich::ScheduleArgs) -> plexichat_core::rich::ScheduledMessage;
    rich::list_scheduled(()) -> plexichat_core::rich::ScheduledList;
    rich::edit_scheduled(rich::EditScheduledArgs) -> plexichat_core::rich::ScheduledMessage;
    rich::cancel_scheduled(rich::ScheduledArgs) -> ();
    rich::forward_message(rich::ForwardArgs) -> i64;
    rich::server_emojis(chat::ServerArgs) -> plexichat_core::rich::ServerEmojis;
    saved::list_saved(()) -> Vec<plexichat_core::saved::SavedMessage>;
    saved::save_message(saved::SaveMessageArgs) -> plexichat_core::saved::Bookmark;
    saved::unsave_message(saved::UnsaveMessageArgs) -> ();
    saved::list_mentions(()) -> Vec<plexichat_core::saved::MentionEntry>;
    saved::mention_counts(()) -> std::collections::HashMap<String, u32>;
    saved::mark_mentions_seen(chat::ChannelArgs) -> ();
    saved::set_notification_mutes(saved::MutesArgs) -> ();
    saved::set_mention_count(saved::MentionCountArgs) -> ();
    account::two_factor_status(()) -> plexichat_core::account::TwoFactorStatus;
    account::begin_two_factor(account::PasswordArgs) -> plexichat_core::account::TwoFactorSetup;
    account::confirm_two_factor(account::CodeArgs) -> plexichat_core::account::TwoFactorStatus;
    account::disable_two_factor(account::DisableTwoFactorArgs) -> plexichat_core::account::TwoFactorStatus;
    account::save_backup_codes(account::BackupCodesArgs) -> String;
    account::end_session(session::RevokeSessionArgs) -> ();
    account::revoke_other_sessions(()) -> u32;
    account::change_password(account::ChangePasswordArgs) -> plexichat_core::model::User;
    account::request_password_reset(account::ResetRequestArgs) -> ();
    account::confirm_password_reset(account::ResetConfirmArgs) -> ();
    account::get_user_settings(()) -> std::collections::BTreeMap<String, String>;
    account::set_user_setting(account::UserSettingArgs) -> ();
    account::get_profile(chat::UserArgs) -> plexichat_core::account::Profile;
    account::update_own_profile(plexichat_core::account::ProfileUpdate) -> plexichat_core::account::Profile;
    account::get_messaging_settings(()) -> plexichat_core::account::MessagingSettings;
    account::set_dm_privacy(account::DmPrivacyArgs) -> plexichat_core::account::MessagingSettings;
    account::list_data_exports(()) -> Vec<plexichat_core::account::DataExport>;
    account::request_data_export(account::PasswordArgs) -> Vec<plexichat_core::account::DataExport>;
    account::save_data_export(account::DataExportArgs) -> Option<String>;
    communities::take_pending_invite(()) -> Option<communities::PendingInvite>;
    media::upload_limits(()) -> plexichat_core::media::UploadLimits;
    media::set_avatar(media::AvatarArgs) -> plexichat_core::media::AvatarSaved;
    media::remove_avatar(()) -> ();
    media::fetch_avatar(chat::UserArgs) -> Option<String>;
    media::fetch_embed_image(media::EmbedImageArgs) -> String;
    media::set_notification_level(media::NotifyLevelArgs) -> ();
}

/// Exports the payload types of events that are not command results.
///
/// # Errors
/// Fails when a binding file cannot be written.
pub fn export_event_types(cfg: &Config, imports: &mut BTreeSet<String>) -> Result<(), ExportError> {
    crate::ipc::export_type::<plexichat_core::event::Event>(cfg, imports)?;
    crate::ipc::export_type::<plexichat_core::outbox::OutboxUpdate>(cfg, imports)?;
    crate::ipc::export_type::<plexichat_core::store::unread::ChannelUnread>(cfg, imports)
}
