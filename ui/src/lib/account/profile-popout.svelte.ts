//! Which profile popout is open, and where. Tiny on purpose: message rows and the member list
//! import it; the popout itself is loaded only when first opened.

/** The user whose popout is open and the point it hangs from (viewport pixels). */
export type ProfileTarget = { userId: string; name: string; x: number; y: number };

class PopoutState {
  target = $state<ProfileTarget | null>(null);
}

/** The one popout of the window. */
export const profilePopout = new PopoutState();

/** Opens the popout of `userId` beside `anchor` (a name or avatar that was clicked). */
export function openProfile(userId: string, name: string, anchor: Element): void {
  const r = anchor.getBoundingClientRect();
  profilePopout.target = { userId, name, x: r.right + 8, y: r.top };
}

/** Closes it. */
export function closeProfile(): void {
  profilePopout.target = null;
}
