// Passkey sign-in: a button for a modal sign-in, and browser autofill (conditional
// mediation) on the username field where the browser supports it.
import { clearErrors, showErrors } from "./error-summary.js";
import { browserErrorMessage, credentialToJSON, postJSON, requestOptions, supported } from "./webauthn.js";

const button = document.getElementById("passkey-signin");
const username = document.getElementById("login-username");
const errorBox = document.getElementById("login-error");
const next = document.getElementById("login").dataset.next || "/account";
let pending = null;

async function options() {
  // Step-up (/login?reauth=1&acr=high): only the passkeys that reach the level are offered.
  const acr = new URLSearchParams(window.location.search).get("acr");
  const result = await postJSON("/webauthn/authentication/options", acr ? { acr } : {});
  if (!result.ok) throw Object.assign(new Error(result.data.error || "options"), { server: result.data });
  return requestOptions(result.data);
}

async function finish(credential) {
  const result = await postJSON("/webauthn/authentication/verify", credentialToJSON(credential));
  if (result.ok) {
    window.location.assign(next);
    return;
  }
  showErrors(errorBox, [{ text: result.data.error_description || errorBox.dataset.failed }]);
}

function report(error) {
  if (error && error.server) {
    showErrors(errorBox, [{ text: error.server.error_description || errorBox.dataset.failed }]);
  } else {
    showErrors(errorBox, [{ text: browserErrorMessage(error, errorBox) }]);
  }
}

async function autofill() {
  if (!supported() || typeof PublicKeyCredential.isConditionalMediationAvailable !== "function") return;
  if (!(await PublicKeyCredential.isConditionalMediationAvailable())) return;
  pending = new AbortController();
  const { signal } = pending;
  try {
    const publicKey = await options();
    const credential = await navigator.credentials.get({ mediation: "conditional", publicKey, signal });
    clearErrors(errorBox);
    await finish(credential);
  } catch (error) {
    if (!signal.aborted) report(error);
  }
}

async function signIn() {
  if (!supported()) {
    showErrors(errorBox, [{ text: errorBox.dataset.unsupported }]);
    return;
  }
  if (pending) pending.abort();
  pending = null;
  clearErrors(errorBox);
  button.disabled = true;
  try {
    const publicKey = await options();
    const credential = await navigator.credentials.get({ publicKey });
    await finish(credential);
  } catch (error) {
    report(error);
    autofill();
  } finally {
    button.disabled = false;
  }
}

button.addEventListener("click", signIn);
username.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    signIn();
  }
});
autofill();
