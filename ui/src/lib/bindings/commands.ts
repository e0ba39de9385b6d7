// This file was generated from src-tauri/src/commands by tests/bindings.rs. Do not edit it by hand.
import type { AppInfo } from "./AppInfo";
import type { Attachment } from "./Attachment";
import type { AttachmentArgs } from "./AttachmentArgs";
import type { Channel } from "./Channel";
import type { ChannelArgs } from "./ChannelArgs";
import type { EditMessageArgs } from "./EditMessageArgs";
import type { Event } from "./Event";
import type { IpcError } from "./IpcError";
import type { LoadMessagesArgs } from "./LoadMessagesArgs";
import type { LoginOutcome } from "./LoginOutcome";
import type { Member } from "./Member";
import type { Message } from "./Message";
import type { MessageArgs } from "./MessageArgs";
import type { OutboxEntry } from "./OutboxEntry";
import type { OutboxItem } from "./OutboxItem";
import type { OutboxState } from "./OutboxState";
import type { OutboxUpdate } from "./OutboxUpdate";
import type { PasswordRequirements } from "./PasswordRequirements";
import type { PendingArgs } from "./PendingArgs";
import type { Presence } from "./Presence";
import type { PresenceArgs } from "./PresenceArgs";
import type { ProfileArgs } from "./ProfileArgs";
import type { Reaction } from "./Reaction";
import type { ReactionArgs } from "./ReactionArgs";
import type { RegisterArgs } from "./RegisterArgs";
import type { Relationship } from "./Relationship";
import type { RevokeSessionArgs } from "./RevokeSessionArgs";
import type { SendMessageArgs } from "./SendMessageArgs";
import type { Server } from "./Server";
import type { ServerArgs } from "./ServerArgs";
import type { ServerUrlArgs } from "./ServerUrlArgs";
import type { SessionInfo } from "./SessionInfo";
import type { SignInArgs } from "./SignInArgs";
import type { TwoFactorArgs } from "./TwoFactorArgs";
import type { UiState } from "./UiState";
import type { UnreadArgs } from "./UnreadArgs";
import type { UploadArgs } from "./UploadArgs";
import type { User } from "./User";
import type { UserArgs } from "./UserArgs";
import type { UserRef } from "./UserRef";
import type { UsernameArgs } from "./UsernameArgs";

/** Every Tauri command: its `args` object and what it resolves to. */
export interface Commands {
  get_app_info: { args: null; result: AppInfo };
  get_ui_state: { args: null; result: UiState };
  set_unread_count: { args: UnreadArgs; result: null };
  start_demo: { args: null; result: LoginOutcome };
  sign_in: { args: SignInArgs; result: LoginOutcome };
  submit_two_factor: { args: TwoFactorArgs; result: User };
  register: { args: RegisterArgs; result: User };
  get_password_requirements: { args: ServerUrlArgs; result: PasswordRequirements };
  cancel_two_factor: { args: null; result: null };
  update_profile: { args: ProfileArgs; result: User };
  sign_out: { args: null; result: null };
  reconnect_now: { args: null; result: null };
  list_sessions: { args: null; result: Array<SessionInfo> };
  revoke_session: { args: RevokeSessionArgs; result: null };
  list_servers: { args: null; result: Array<Server> };
  list_channels: { args: ServerArgs; result: Array<Channel> };
  list_members: { args: ServerArgs; result: Array<Member> };
  list_dm_channels: { args: null; result: Array<Channel> };
  load_messages: { args: LoadMessagesArgs; result: Array<Message> };
  send_message: { args: SendMessageArgs; result: Message };
  queue_message: { args: SendMessageArgs; result: number };
  list_outbox: { args: null; result: Array<OutboxEntry> };
  retry_send: { args: PendingArgs; result: null };
  cancel_send: { args: PendingArgs; result: null };
  edit_message: { args: EditMessageArgs; result: Message };
  delete_message: { args: MessageArgs; result: null };
  add_reaction: { args: ReactionArgs; result: null };
  remove_reaction: { args: ReactionArgs; result: null };
  pin_message: { args: MessageArgs; result: null };
  unpin_message: { args: MessageArgs; result: null };
  list_pins: { args: ChannelArgs; result: Array<Message> };
  send_typing: { args: ChannelArgs; result: null };
  ack_message: { args: MessageArgs; result: null };
  list_relationships: { args: null; result: Array<Relationship> };
  search_user: { args: UsernameArgs; result: User };
  send_friend_request: { args: UsernameArgs; result: Relationship };
  accept_friend_request: { args: UserArgs; result: null };
  remove_relationship: { args: UserArgs; result: null };
  block_user: { args: UserArgs; result: Relationship };
  open_dm: { args: UserArgs; result: Channel };
  set_presence: { args: PresenceArgs; result: Presence };
  fetch_attachment: { args: AttachmentArgs; result: string };
  upload_attachment: { args: UploadArgs; result: Attachment };
}

/** Name of the event carrying the app-wide UiState. */
export const UI_STATE_EVENT = "ui-state";
/** Name of the event carrying chat changes. */
export const CHAT_EVENT = "chat-event";
/** Name of the event carrying pending-send changes. */
export const OUTBOX_EVENT = "outbox-update";
