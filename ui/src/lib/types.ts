//! The one place UI code imports data types from: generated bindings where they exist, the
//! pending stand-ins otherwise. Swapping a stand-in for a generated type touches only this file.

export type { AppInfo } from "./bindings/AppInfo";
export type { Attachment } from "./bindings/Attachment";
export type { Channel } from "./bindings/Channel";
export type { Event } from "./bindings/Event";
export type { LoginOutcome } from "./bindings/LoginOutcome";
export type { LongWait } from "./bindings/LongWait";
export type { WaitAction } from "./bindings/WaitAction";
export type { Member } from "./bindings/Member";
export type { Message } from "./bindings/Message";
export type { PasswordRequirements } from "./bindings/PasswordRequirements";
export type { Presence } from "./bindings/Presence";
export type { Reaction } from "./bindings/Reaction";
export type { Relationship } from "./bindings/Relationship";
export type { Server } from "./bindings/Server";
export type { SessionInfo } from "./bindings/SessionInfo";
export type { UserRef } from "./bindings/UserRef";
export type { Entity } from "./bindings/Entity";
export type { ForbiddenReason } from "./bindings/ForbiddenReason";
export type { IpcError } from "./bindings/IpcError";
export type { LoginReason } from "./bindings/LoginReason";
export type { UiState } from "./bindings/UiState";
export type { User } from "./bindings/User";
export type { SearchHit } from "./bindings/SearchHit";
export type { SearchQuery } from "./bindings/SearchQuery";
export type { SearchResults } from "./bindings/SearchResults";

import type { UiState } from "./bindings/UiState";

/** The `state` tag of every UiState variant. */
export type UiStateName = UiState["state"];

/** Narrows a UiState to one variant by its tag. */
export type UiStateOf<N extends UiStateName> = Extract<UiState, { state: N }>;
