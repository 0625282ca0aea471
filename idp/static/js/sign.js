// Confirm a document with a passkey: the challenge commits to the document's SHA-256,
// so the assertion is bound to exactly the file shown on this page.
import { browserErrorMessage, credentialToJSON, hideMessage, postJSON, requestOptions, showMessage, supported } from "./webauthn.js";

const button = document.getElementById("confirm-sign");
const errorBox = document.getElementById("confirm-error");
const status = document.getElementById("confirm-status");
const upload = document.getElementById("to-sign").dataset.upload;
const base = `/account/sign/${encodeURIComponent(upload)}`;

async function confirmDocument() {
  if (!supported()) {
    showMessage(errorBox, errorBox.dataset.unsupported);
    return;
  }
  hideMessage(errorBox);
  button.disabled = true;
  status.textContent = status.dataset.working;
  try {
    const options = await postJSON(`${base}/options`, {});
    if (!options.ok && options.data.reauth_uri) {  // a fresh passkey check comes first
      window.location.assign(options.data.reauth_uri);
      return;
    }
    if (!options.ok) {
      showMessage(errorBox, options.data.error_description || errorBox.dataset.failed);
      return;
    }
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options.data) });
    const result = await postJSON(`${base}/confirm`, credentialToJSON(credential));
    if (result.ok) {
      window.location.assign(result.data.redirect);
      return;
    }
    showMessage(errorBox, result.data.error_description || errorBox.dataset.failed);
  } catch (error) {
    showMessage(errorBox, browserErrorMessage(error, errorBox));
  } finally {
    button.disabled = false;
    status.textContent = "";
  }
}

button.addEventListener("click", confirmDocument);
