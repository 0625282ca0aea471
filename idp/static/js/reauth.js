// Confirm it is you before a sensitive action: a passkey check limited to the signed-in
// citizen's passkeys, then either the same form is submitted again (with this browser's
// CSRF token) or the page that asked is opened again.
import { showErrors } from "./error-summary.js";
import { runPasskeyCeremony, showSessionEnded } from "./passkey-button.js";
import { credentialToJSON, postJSON, requestOptions } from "./webauthn.js";

const button = document.getElementById("recheck-confirm");
const errorBox = document.getElementById("recheck-error");
const status = document.getElementById("recheck-status");
const resubmit = document.getElementById("recheck-resubmit");
const next = document.getElementById("recheck").dataset.next || "/account";

async function recheck() {
  status.textContent = status.dataset.working;
  try {
    const options = await postJSON("/account/reauth/options", {});
    // Signing in again is itself the fresh check: it leads on to what the check was for.
    if (showSessionEnded(options, errorBox, next)) return;
    if (!options.ok) {
      showErrors(errorBox, [{ text: options.data.error_description || errorBox.dataset.failed }]);
      return;
    }
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options.data) });
    const result = await postJSON("/account/reauth/verify", credentialToJSON(credential));
    if (showSessionEnded(result, errorBox, next)) return;
    if (!result.ok) {
      showErrors(errorBox, [{ text: result.data.error_description || errorBox.dataset.failed }]);
      return;
    }
    if (resubmit) {
      resubmit.submit();
    } else {
      window.location.assign(next);
    }
  } finally {
    status.textContent = "";
  }
}

button.addEventListener("click", () => runPasskeyCeremony(button, errorBox, recheck));
