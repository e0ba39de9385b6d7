// This file was generated from src-tauri/src/commands by tests/bindings.rs. Do not edit it by hand.
import type { AppInfo } from "./AppInfo";
import type { IpcError } from "./IpcError";
import type { UiState } from "./UiState";

/** Every Tauri command: its `args` object and what it resolves to. */
export interface Commands {
  get_app_info: { args: null; result: AppInfo };
  get_ui_state: { args: null; result: UiState };
}

/** Name of the event carrying the app-wide UiState. */
export const UI_STATE_EVENT = "ui-state";
/** Name of the event carrying chat changes. */
export const CHAT_EVENT = "chat-event";
