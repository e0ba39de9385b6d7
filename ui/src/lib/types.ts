//! The one place UI code imports data types from: generated bindings where they exist, the
//! pending stand-ins otherwise. Swapping a stand-in for a generated type touches only this file.

export type {
  Attachment,
  Channel,
  Entity,
  ForbiddenReason,
  LoginReason,
  Message,
  Reaction,
  Server,
  UiState,
  User,
  UserRef,
  AppInfo,
  Event,
  IpcError,
  Member,
  PasswordRequirements,
  PresenceStatus,
  Relationship,
  SessionInfo,
  UploadProgress,
} from "./pending-types";

import type { UiState } from "./pending-types";

/** The `state` tag of every UiState variant. */
export type UiStateName = UiState["state"];

/** Narrows a UiState to one variant by its tag. */
export type UiStateOf<N extends UiStateName> = Extract<UiState, { state: N }>;
