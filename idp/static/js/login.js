// Passkey sign-in: a button for a modal sign-in, and browser autofill (conditional
// mediation) on the username field where the browser supports it. A failure says why and
// what to do next, in the error summary.
import { cookiesWork } from "./cookies.js";
import { clearErrors, showErrors } from "./error-summary.js";
import { credentialToJSON, postJSON, requestOptions, supported } from "./webauthn.js";

const button = document.getElementById("passkey-signin");
const username = document.getElementById("login-username");
const errorBox = document.getElementById("login-error");
const next = document.getElementById("login").dataset.next || "/account";
const say = errorBox.dataset;
let pending = null;

// The next steps after a failed sign-in: try again, a passkey on another device (the
// browser's cross-device QR flow), a recovery code, the help page.
function nextSteps() {
  return [
    { text: say.tryAgain, field: button.id },
    { text: say.otherDevice },
    { text: say.recover, field: "recover-link" },
    { text: say.help, href: say.helpHref },
  ];
}

function fail(reason) {
  showErrors(errorBox, [{ text: reason }, ...nextSteps()]);
}

// WebAuthn Signal API (Level 3, section 5.1.10): tell the device's passkey provider that this
// credential is unknown here (deleted from the account), so it stops offering it.
async function forgetOnDevice(rpId, credentialId) {
  if (typeof PublicKeyCredential.signalUnknownCredential !== "function") return false;
  try {
    await PublicKeyCredential.signalUnknownCredential({ rpId, credentialId });
    return true;
  } catch (error) {
    return false;
  }
}

async function options() {
  // Step-up (/login?reauth=1&acr=high): only the passkeys that reach the level are offered.
  const acr = new URLSearchParams(window.location.search).get("acr");
  const result = await postJSON("/webauthn/authentication/options", acr ? { acr } : {});
  if (!result.ok) throw Object.assign(new Error(result.data.error || "options"), { server: result.data });
  return { json: result.data, publicKey: requestOptions(result.data) };
}

async function finish(credential, rpId) {
  const result = await postJSON("/webauthn/authentication/verify", credentialToJSON(credential));
  if (result.ok) {
    window.location.assign(next);
    return;
  }
  if (result.data.error === "unknown_credential") {
    // Not registered here: deleted from the account, or made for another site's account.
    const forgotten = await forgetOnDevice(rpId, credential.id);
    fail(forgotten ? `${say.unknown} ${say.forgotten}` : say.unknown);
    return;
  }
  fail(result.data.error_description || say.failed);
}

function report(error) {
  if (error && error.server) {
    fail(error.server.error_description || say.failed);
  } else if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
    // The browser does not tell a cancelled prompt from a timed-out one or from a device
    // without a passkey for this site (privacy): the sentence names all three.
    fail(say.cancelled);
  } else {
    fail(say.failed);
  }
}

async function autofill() {
  // Without cookies a sign-in from the autofill list would lead back here: the button says why.
  if (!cookiesWork()) return;
  if (!supported() || typeof PublicKeyCredential.isConditionalMediationAvailable !== "function") return;
  if (!(await PublicKeyCredential.isConditionalMediationAvailable())) return;
  // The browser lists the passkeys under the field: show it (hidden where it would do nothing).
  document.getElementById("login-autofill").hidden = false;
  pending = new AbortController();
  const { signal } = pending;
  try {
    const { json, publicKey } = await options();
    const credential = await navigator.credentials.get({ mediation: "conditional", publicKey, signal });
    clearErrors(errorBox);
    await finish(credential, json.rpId);
  } catch (error) {
    if (!signal.aborted) report(error);
  }
}

async function signIn() {
  if (!supported()) {
    showErrors(errorBox, [{ text: say.unsupported }, { text: say.otherDevice },
      { text: say.help, href: say.helpHref }]);
    return;
  }
  if (!cookiesWork()) {
    showErrors(errorBox, [{ text: say.cookiesBlocked }, { text: say.help, href: say.helpHref }]);
    return;
  }
  if (pending) pending.abort();
  pending = null;
  clearErrors(errorBox);
  button.disabled = true;
  try {
    const { json, publicKey } = await options();
    const credential = await navigator.credentials.get({ publicKey });
    await finish(credential, json.rpId);
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
