// Assisted enrolment, security key route: a WebAuthn registration ceremony on the registrar's
// computer for the identity just created (idp/registrar/enrolment.py). No framework.
import { creationOptions, credentialToJSON, postJSON, showMessage, hideMessage, browserErrorMessage, supported } from "./webauthn.js";

const route = document.getElementById("key-route");
const button = document.getElementById("key-submit");
const message = document.getElementById("key-error");

function post(url, body) {
  return postJSON(url, body, { "X-CSRF-Token": route.dataset.csrf });
}

// A registrar's sign-in older than account.reauth_seconds binds no key: sign in again at level
// high (the answer's reauth_uri), which comes back to this page.
function reauthenticate(result) {
  const uri = result.data && result.data.error === "reauthentication_required" ? result.data.reauth_uri : null;
  if (typeof uri === "string" && uri.startsWith("/login?")) {
    window.location.assign(uri);
    return true;
  }
  return false;
}

button.addEventListener("click", async () => {
  hideMessage(message);
  if (!supported()) {
    showMessage(message, route.dataset.unsupported);
    return;
  }
  button.disabled = true;
  try {
    const options = await post(route.dataset.options, {});
    if (!options.ok) {
      if (reauthenticate(options)) return;
      showMessage(message, options.data.error_description || route.dataset.failed);
      return;
    }
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options.data) });
    const verified = await post(route.dataset.verify, credentialToJSON(credential));
    if (verified.ok && verified.data.next) {
      window.location.assign(verified.data.next);
      return;
    }
    if (reauthenticate(verified)) return;
    showMessage(message, verified.data.error === "credential_exists" ? route.dataset.exists : route.dataset.failed);
  } catch (error) {
    showMessage(message, browserErrorMessage(error, route));
  } finally {
    button.disabled = false;
  }
});
