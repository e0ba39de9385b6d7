//! Test harness: a fresh mock backend per test and the whole App rendered over it.

import { render } from "@testing-library/svelte";
import App from "../App.svelte";
import { setBackend } from "../lib/ipc";
import { createMockBackend, type MockBackend, type MockOptions } from "../lib/mock-backend";

/** Renders the App over a fresh mock backend and returns both. */
export function renderApp(options: MockOptions = {}): { mock: MockBackend; unmount: () => void } {
  const mock = createMockBackend(options);
  setBackend(mock);
  const { unmount } = render(App);
  return { mock, unmount };
}
