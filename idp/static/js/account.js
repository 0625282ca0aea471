// The account page: add a passkey (also the way out of a recovery sign-in).
import { browserErrorMessage, hideMessage, registerPasskey, showMessage, supported } from "./webauthn.js";

const button = document.getElementById("add-passkey");
const errorBox = document.getElementById("add-passkey-error");

async function addPasskey() {
  if (!supported()) {
    showMessage(errorBox, errorBox.dataset.unsupported);
    return;
  }
  hideMessage(errorBox);
  button.disabled = true;
  try {
    const result = await registerPasskey({});
    if (result.ok) {
      window.location.assign("/account?done=added");
      return;
    }
    if (result.data.reauth_uri) {  // adding a passkey needs a fresh passkey check first
      window.location.assign(result.data.reauth_uri);
      return;
    }
    showMessage(errorBox, result.data.error_description || errorBox.dataset.failed);
  } catch (error) {
    showMessage(errorBox, browserErrorMessage(error, errorBox));
  } finally {
    button.disabled = false;
  }
}

if (button) button.addEventListener("click", addPasskey);
