//! The one place UI code imports data types from: generated bindings where they exist, the
//! pending stand-ins otherwise. Swapping a stand-in for a generated type touches only this file.

export type { AppInfo } from "./bindings/AppInfo";
export type { Entity } from "./bindings/Entity";
export type { ForbiddenReason } from "./bindings/ForbiddenReason";
export type { IpcError } from "./bindings/IpcError";
export type { LoginReason } from "./bindings/LoginReason";
export type { UiState } from "./bindings/UiState";
export type { User } from "./bindings/User";
export type {
  Attachment,
  Channel,
  Event,
  Member,
  Message,
  PasswordRequirements,
  PresenceStatus,
  Reaction,
  Relationship,
  Server,
  SessionInfo,
  UploadProgress,
  UserRef,
} from "./pending-types";

import type { UiState } from "./bindings/UiState";

/** The `state` tag of every UiState variant. */
export type UiStateName = UiState["state"];

/** Narrows a UiState to one variant by its tag. */
export type UiStateOf<N extends UiStateName> = Extract<UiState, { state: N }>;
