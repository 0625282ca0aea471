// Whether this browser keeps this site's cookies: the session is one (HttpOnly, set by the
// server), so a browser that blocks them is signed in by nothing. navigator.cookieEnabled
// says true in Chromium with every cookie blocked; writing a short cookie and reading it back
// tells. Checked before a passkey is made or used, so that nothing is made that cannot be used.
const NAME = "cedula_cookie_check";

export function cookiesWork() {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${NAME}=1; Path=/; Max-Age=60; SameSite=Lax${secure}`;
  const kept = document.cookie.split("; ").includes(`${NAME}=1`);
  if (kept) document.cookie = `${NAME}=; Path=/; Max-Age=0; SameSite=Lax${secure}`;
  return kept;
}
