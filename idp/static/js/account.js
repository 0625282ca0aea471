// The account page: add a passkey (also the way out of a recovery sign-in).
import { showErrors } from "./error-summary.js";
import { runPasskeyCeremony, showSessionEnded } from "./passkey-button.js";
import { registerPasskey } from "./webauthn.js";

const button = document.getElementById("add-passkey");
const errorBox = document.getElementById("add-passkey-error");

async function addPasskey() {
  const result = await registerPasskey({});
  if (result.ok) {
    window.location.assign("/account?done=added");
    return;
  }
  // Adding a passkey needs a fresh passkey check first; a stale recovery sign-in has no
  // passkey to check with, and the message says to use another recovery code.
  if (result.data.reauth_uri && result.data.reauth_uri.startsWith("/account/reauth")) {
    window.location.assign(result.data.reauth_uri);
    return;
  }
  if (showSessionEnded(result, errorBox)) return;
  showErrors(errorBox, [{ text: result.data.error_description || errorBox.dataset.failed }]);
}

if (button) button.addEventListener("click", () => runPasskeyCeremony(button, errorBox, addPasskey));

// WebAuthn Signal API (Level 3, section 5.1.10): tell this device's passkey provider which of
// the citizen's passkeys the account still accepts, so one deleted (here or from another
// device) stops being offered. Feature-detected; nothing happens where the browser lacks it.
async function signalAccepted() {
  const list = document.getElementById("passkeys");
  if (!list || typeof window.PublicKeyCredential !== "function"
      || typeof PublicKeyCredential.signalAllAcceptedCredentials !== "function") return;
  const allAcceptedCredentialIds = [...list.querySelectorAll("[data-credential-id]")]
    .map((item) => item.dataset.credentialId);
  try {
    await PublicKeyCredential.signalAllAcceptedCredentials({
      rpId: list.dataset.rpId, userId: list.dataset.userId, allAcceptedCredentialIds,
    });
  } catch (error) {
    // A provider that refuses the signal changes nothing for the citizen.
  }
}

signalAccepted();
