// Tells the portal the device's time zone (an IANA name such as "America/El_Salvador") in the
// `tz` cookie, as Cédula's pages do, so that times (when you signed in, when a document was
// issued) are written in it (clients/portal/pages.py). Without it, or without JavaScript, times
// carry their offset instead.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (zone && /^[A-Za-z0-9_+\-/]{1,64}$/.test(zone) && !document.cookie.split("; ").includes(`tz=${zone}`)) {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `tz=${zone}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
}
