// A button that runs a passkey ceremony, the same on every page with an error summary: where
// the browser has no WebAuthn the page says so; otherwise the errors shown are cleared, the
// button is disabled while the ceremony runs, and the browser's own errors (cancelled, failed,
// a passkey already there) are shown in the page's words (the error box's data-* messages).
// A browser that blocks this site's cookies is told so first (data-cookies-blocked): it would
// keep no session, whatever the ceremony made.
import { cookiesWork } from "./cookies.js";
import { clearErrors, showErrors } from "./error-summary.js";
import { browserErrorMessage, supported } from "./webauthn.js";

export async function runPasskeyCeremony(button, errorBox, ceremony) {
  if (!supported()) {
    showErrors(errorBox, [{ text: errorBox.dataset.unsupported }]);
    return;
  }
  if (errorBox.dataset.cookiesBlocked && !cookiesWork()) {
    showErrors(errorBox, [{ text: errorBox.dataset.cookiesBlocked }]);
    return;
  }
  clearErrors(errorBox);
  button.disabled = true;
  try {
    await ceremony();
  } catch (error) {
    showErrors(errorBox, [{ text: browserErrorMessage(error, errorBox) }]);
  } finally {
    button.disabled = false;
  }
}

// The session ended while the page was open (it timed out, or was closed from another device):
// the server answers 401 login_required. The summary says what happened and links to sign in
// again, coming back to `next` (this page unless given), instead of the server's sentence,
// which names one action ("sign in to add a passkey") whatever the page was for. The box carries
// the two sentences (data-session-ended, data-sign-in-again). Returns whether it was that.
export function showSessionEnded(result, errorBox, next = window.location.pathname + window.location.search) {
  if (!result || result.status !== 401 || !result.data || result.data.error !== "login_required") return false;
  showErrors(errorBox, [
    { text: errorBox.dataset.sessionEnded },
    { text: errorBox.dataset.signInAgain, href: `/login?next=${encodeURIComponent(next)}` },
  ]);
  return true;
}
