// A button that runs a passkey ceremony, the same on every page with an error summary: where
// the browser has no WebAuthn the page says so; otherwise the errors shown are cleared, the
// button is disabled while the ceremony runs, and the browser's own errors (cancelled, failed,
// a passkey already there) are shown in the page's words (the error box's data-* messages).
import { clearErrors, showErrors } from "./error-summary.js";
import { browserErrorMessage, supported } from "./webauthn.js";

export async function runPasskeyCeremony(button, errorBox, ceremony) {
  if (!supported()) {
    showErrors(errorBox, [{ text: errorBox.dataset.unsupported }]);
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
