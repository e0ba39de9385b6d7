import "@testing-library/jest-dom/vitest";

// The app loads each screen as its own chunk on first use. Load them once up front, so a test
// waits for the screen it asked for, not for the test runner compiling it on first import.
await import("./lib/auth/AuthScreen.svelte");
await import("./lib/chat/ChatScreen.svelte");
