// Confirm a document with a passkey: the challenge commits to the document's SHA-256,
// so the assertion is bound to exactly the file shown on this page.
import { browserErrorMessage, credentialToJSON, hideMessage, postJSON, requestOptions, showMessage, supported } from "./webauthn.js";

const button = document.getElementById("confirm-sign");
const errorBox = document.getElementById("confirm-error");
const status = document.getElementById("confirm-status");
const upload = document.getElementById("to-sign").dataset.upload;
const base = `/account/sign/${encodeURIComponent(upload)}`;

// The session ended while the page was open (401 login_required): say so, and link to sign in
// again, back to this document (as js/passkey-button.js does in an error summary).
function sessionEnded(result) {
  if (result.status !== 401 || result.data.error !== "login_required") return false;
  const link = document.createElement("a");
  link.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
  link.textContent = errorBox.dataset.signInAgain;
  errorBox.replaceChildren(`${errorBox.dataset.sessionEnded} `, link);
  errorBox.hidden = false;
  return true;
}

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
    if (sessionEnded(options)) return;
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
    if (sessionEnded(result)) return;
    showMessage(errorBox, result.data.error_description || errorBox.dataset.failed);
  } catch (error) {
    showMessage(errorBox, browserErrorMessage(error, errorBox));
  } finally {
    button.disabled = false;
    status.textContent = "";
  }
}

button.addEventListener("click", confirmDocument);
